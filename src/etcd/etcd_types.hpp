#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgdeploy::etcd {

// One key as etcd stores it: bytes, and the revisions that fence updates of it.
struct KeyValue {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
  std::int64_t version = 0;
  std::int64_t lease = 0;
};

// What a range read saw: the store's revision at the read, and the keys it found.
struct RangeResult {
  std::int64_t revision = 0;
  std::vector<KeyValue> kvs;
};

// One condition of a transaction: KEY's TARGET compared with a number or a value. etcd's
// rules: a missing key has create, mod revision and version 0, and fails every VALUE compare.
struct Compare {
  enum class Target { version, create_revision, mod_revision, value };
  enum class Result { equal, not_equal, less, greater };
  std::string key;
  Target target = Target::mod_revision;
  Result result = Result::equal;
  std::int64_t number = 0;  // for version and the revisions
  std::string value;        // for value
};

// One operation of a transaction: a put (on LEASE unless 0), or a delete of KEY, or of every
// key with the prefix KEY when PREFIX is set.
struct Operation {
  enum class Kind { put, remove };
  Kind kind = Kind::put;
  std::string key;
  std::string value;
  std::int64_t lease = 0;
  bool prefix = false;
};

// A transaction: SUCCESS runs when every compare holds, else FAILURE.
struct Transaction {
  std::vector<Compare> compares;
  std::vector<Operation> success;
  std::vector<Operation> failure;
};

// Whether a transaction's compares held, and the store's revision after it.
struct TxnResult {
  bool succeeded = false;
  std::int64_t revision = 0;
};

// A lease as granted: its id and its time to live in seconds (0: it expired or was revoked).
struct Lease {
  std::int64_t id = 0;
  std::int64_t ttl = 0;
};

// One change a watch reports.
struct WatchEvent {
  enum class Type { put, remove };
  Type type = Type::put;
  KeyValue kv;  // for a remove, only the key and its mod revision
};

// One message of a watch stream. A watcher must tell them apart: after CANCELED or COMPACTED
// it has missed changes and has to read everything again.
struct WatchResponse {
  enum class Kind {
    created,    // the watch is in place
    events,     // changes (or, without any, a progress notification)
    compacted,  // the start revision is gone: compact_revision is the oldest one left
    canceled    // the server ended the watch (cancel_reason says why)
  };
  Kind kind = Kind::events;
  std::int64_t revision = 0;  // the store's revision when the message was sent
  std::int64_t compact_revision = 0;
  std::string cancel_reason;
  std::vector<WatchEvent> events;
};

// Everything a watch needs to start: keys from KEY (all with that prefix when PREFIX), the
// changes from START_REVISION on (0: from now).
struct WatchRequest {
  std::string key;
  bool prefix = true;
  std::int64_t start_revision = 0;
  bool progress_notify = true;
  std::string range_end;  // when set (and PREFIX false): the keys from KEY up to, not with, it
};

}  // namespace pgdeploy::etcd

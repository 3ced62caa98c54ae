#pragma once

// The JSON of etcd's v3 HTTP gateway: request bodies and the parsing of replies. Keys and
// values travel base64-encoded, 64-bit integers as strings. Pure functions, no I/O; a reply
// that is not what etcd sends throws std::runtime_error saying what is wrong.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "etcd/etcd_types.hpp"

namespace pgdeploy::etcd {

// Standard base64 with padding, as etcd's gateway writes and reads bytes.
std::string base64_encode(std::string_view bytes);
// Throws on a character outside the alphabet or a bad length.
std::string base64_decode(std::string_view text);

// The range end that makes a read or watch of PREFIX cover every key starting with it.
std::string prefix_end(std::string_view prefix);

// Request bodies, one per gateway call. A range with PREFIX covers the keys starting with KEY;
// it is linearizable (etcd's default), never serializable.
std::string range_body(std::string_view key, bool prefix);
// The keys from KEY up to, not with, RANGE_END.
std::string range_to_body(std::string_view key, std::string_view range_end);
std::string put_body(std::string_view key, std::string_view value, std::int64_t lease);
std::string txn_body(const Transaction& txn);
// A transaction of one range read per key of KEYS: all of them at one revision.
std::string read_keys_body(const std::vector<std::string>& keys);
std::string lease_grant_body(std::int64_t ttl_seconds);
std::string lease_id_body(std::int64_t id);
std::string authenticate_body(std::string_view user, std::string_view password);
std::string watch_body(const WatchRequest& request);
std::string compaction_body(std::int64_t revision);

// Reply parsers.
RangeResult parse_range(std::string_view reply);
// The store's revision after a put.
std::int64_t parse_put(std::string_view reply);
TxnResult parse_txn(std::string_view reply);
// The reply of read_keys_body: the keys found (in the order asked) and the revision read at.
RangeResult parse_read_keys(std::string_view reply);
Lease parse_lease_grant(std::string_view reply);
// A keepalive's reply: TTL 0 when the lease is gone.
Lease parse_keepalive(std::string_view reply);
std::string parse_token(std::string_view reply);
// One line of a watch stream.
WatchResponse parse_watch_line(std::string_view line);
// The message of an error reply ({"error": ..., "code": N}), or "" when it has none; CODE is
// set to its gRPC status code (14: unavailable), or -1.
std::string parse_error(std::string_view reply, int& code);

}  // namespace pgdeploy::etcd

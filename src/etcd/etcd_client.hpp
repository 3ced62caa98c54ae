#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "etcd/etcd_types.hpp"
#include "etcd/http_transport.hpp"
#include "util/deadline.hpp"

namespace pgdeploy::etcd {

// A failed etcd call: the message names the endpoint(s) and what failed.
class EtcdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where etcd is and how to log in. The password is sent only to /v3/auth/authenticate and
// never logged or put in a message.
struct EtcdSettings {
  std::vector<std::string> endpoints;  // http://host:port or https://host:port
  TlsFiles tls;
  std::string user;  // empty: no authentication
  std::string password;
};

class Watch;

// etcd v3 through its HTTP/JSON gateway. Each call tries the endpoints in turn, starting with
// the last one that answered, and moves on when one cannot be reached, does not answer within
// -t or is unavailable (no leader); an answer that is an error ends the call. Every attempt
// is bounded by -t and by the end of the run, so a call takes at most one -t per endpoint.
// Not for use by several threads at once.
class EtcdClient {
 public:
  EtcdClient(EtcdSettings settings, TimeLimits limits);
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  // The keys from KEY (every key starting with KEY when PREFIX); a linearizable read.
  RangeResult range(const std::string& key, bool prefix = false);
  // The keys from KEY up to, not with, RANGE_END; a linearizable read.
  RangeResult range_to(const std::string& key, const std::string& range_end);
  // The KEYS that exist, read in one transaction: a linearizable read of them all at one
  // revision, the result's.
  RangeResult read_keys(const std::vector<std::string>& keys);
  // Stores VALUE at KEY (on LEASE unless 0); returns the store's revision after it.
  std::int64_t put(const std::string& key, const std::string& value, std::int64_t lease = 0);
  TxnResult txn(const Transaction& txn);
  Lease grant_lease(std::int64_t ttl_seconds);
  // Renews a lease once; TTL 0 in the result when it is gone.
  Lease keep_alive(std::int64_t id);
  void revoke_lease(std::int64_t id);
  // Drops the history before REVISION (an operator's or a test's tool).
  void compact(std::int64_t revision);
  // A watch in place on the first endpoint that accepts it.
  std::unique_ptr<Watch> watch(const WatchRequest& request);

  [[nodiscard]] const std::vector<std::string>& endpoints() const { return settings_.endpoints; }

 private:
  // One attempt's answer, or why the endpoint could not give one.
  struct Attempt;
  // POSTs BODY to PATH, endpoint after endpoint; WHAT names the call in messages. Returns
  // the body of the first successful reply.
  std::string call(const std::string& what, const char* path, const std::string& body);
  Attempt attempt(std::size_t endpoint, const char* path, const std::string& body);
  // The token for ENDPOINT, authenticating first when there is none yet.
  std::string token(std::size_t endpoint);
  [[nodiscard]] std::chrono::milliseconds attempt_timeout(const std::string& what) const;

  EtcdSettings settings_;
  TimeLimits limits_;
  HttpSession session_;      // the connections kept open between calls
  std::size_t current_ = 0;  // the endpoint tried first: the last that answered
  std::vector<std::string> tokens_;
};

// A watch stream: the messages of etcd's watch, one by one.
class Watch {
 public:
  Watch(std::unique_ptr<StreamingPost> stream, std::string endpoint);
  // The next message, waiting at most WAIT: nullopt when none came, or when WAKE_FD (unless -1)
  // became readable first. Throws EtcdError naming the endpoint when the stream broke or ended
  // (etcd stopped, the connection was cut).
  std::optional<WatchResponse> next(std::chrono::milliseconds wait, int wake_fd = -1);
  [[nodiscard]] const std::string& endpoint() const { return endpoint_; }

 private:
  std::unique_ptr<StreamingPost> stream_;
  std::string endpoint_;
};

}  // namespace pgdeploy::etcd

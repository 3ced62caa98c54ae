#include "etcd/etcd_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "etcd/etcd_json.hpp"

namespace pgdeploy::etcd {
namespace {

// gRPC status codes the gateway reports in "code".
constexpr int deadline_exceeded = 4;
constexpr int unavailable = 14;
constexpr int unauthenticated = 16;

// Whether an error reply means this member cannot serve now, so another one may.
bool member_unavailable(long status, int code) {
  return code == unavailable || code == deadline_exceeded || status == 502 || status == 503 ||
         status == 504;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) {
    text += (text.empty() ? "" : "; ") + part;
  }
  return text;
}

// Throws "etcd URL: WHAT failed: WHY", the error of a call that reached URL.
[[noreturn]] void fail(const std::string& url, const std::string& what, const std::string& why) {
  throw EtcdError("etcd " + url + ": " + what + " failed: " + why);
}

}  // namespace

struct EtcdClient::Attempt {
  bool reached = false;  // an answer came (of either kind)
  bool ok = false;       // ... and it was no error
  std::string body;      // the reply, or what went wrong
};

EtcdClient::EtcdClient(EtcdSettings settings, TimeLimits limits)
    : settings_(std::move(settings)), limits_(std::move(limits)) {
  if (settings_.endpoints.empty()) {
    throw EtcdError("etcd: no endpoint given");
  }
  for (auto& endpoint : settings_.endpoints) {
    while (!endpoint.empty() && endpoint.back() == '/') {
      endpoint.pop_back();
    }
  }
  tokens_.resize(settings_.endpoints.size());
}

EtcdClient::~EtcdClient() = default;

std::chrono::milliseconds EtcdClient::attempt_timeout(const std::string& what) const {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(limits_.run_end() - limits_.now());
  if (left.count() <= 0) {
    throw EtcdError("etcd: " + what + ": the run's deadline passed");
  }
  return std::min(limits_.operation, left);
}

std::string EtcdClient::token(std::size_t endpoint) {
  if (settings_.user.empty() || !tokens_[endpoint].empty()) {
    return tokens_[endpoint];
  }
  const std::string& url = settings_.endpoints[endpoint];
  spdlog::debug("etcd {}: authenticating as {}", url, settings_.user);
  const HttpRequest request{url + "/v3/auth/authenticate",
                            authenticate_body(settings_.user, settings_.password),
                            &settings_.tls,
                            {}};
  const HttpReply reply = session_.post(request, attempt_timeout("authenticate"));
  int code = -1;
  const std::string error = parse_error(reply.body, code);
  if (reply.status != 200 || !error.empty()) {
    if (member_unavailable(reply.status, code)) {
      throw TransportError("authentication: " + error);
    }
    throw EtcdError("etcd " + url + ": authentication as " + settings_.user +
                    " failed: " + (error.empty() ? "HTTP " + std::to_string(reply.status) : error));
  }
  try {
    tokens_[endpoint] = parse_token(reply.body);
  } catch (const std::exception& e) {
    throw EtcdError("etcd " + url + ": authentication: " + e.what());
  }
  return tokens_[endpoint];
}

EtcdClient::Attempt EtcdClient::attempt(std::size_t endpoint, const char* path,
                                        const std::string& body) {
  const std::string& url = settings_.endpoints[endpoint];
  try {
    for (int round = 0; round < 2; ++round) {
      const HttpRequest request{url + path, body, &settings_.tls, token(endpoint)};
      const HttpReply reply = session_.post(request, attempt_timeout(path));
      int code = -1;
      const std::string error = parse_error(reply.body, code);
      if (reply.status == 200 && error.empty()) {
        return {true, true, reply.body};
      }
      if (code == unauthenticated && !request.token.empty() && round == 0) {
        tokens_[endpoint].clear();  // expired or from before a restart: log in again
        continue;
      }
      const std::string message = error.empty() ? "HTTP " + std::to_string(reply.status) : error;
      return {!member_unavailable(reply.status, code), false, message};
    }
  } catch (const TransportError& e) {
    return {false, false, e.what()};
  }
  return {true, false, "authentication keeps failing"};
}

std::string EtcdClient::call(const std::string& what, const char* path, const std::string& body) {
  std::vector<std::string> failures;
  const std::size_t count = settings_.endpoints.size();
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t endpoint = (current_ + i) % count;
    const std::string& url = settings_.endpoints[endpoint];
    spdlog::debug("etcd {}: {}", url, what);
    const Attempt result = attempt(endpoint, path, body);
    if (result.ok) {
      current_ = endpoint;
      return result.body;
    }
    if (result.reached) {
      fail(url, what, result.body);
    }
    spdlog::debug("etcd {}: {}: {}", url, what, result.body);
    failures.push_back(url + ": " + result.body);
  }
  if (count == 1) {
    throw EtcdError("etcd " + failures.front() + " (" + what + ")");
  }
  throw EtcdError("etcd: " + what + " failed on every endpoint: " + joined(failures));
}

// Parses a successful reply of URL; a reply etcd would not send is an error of the endpoint.
template <typename Parse>
auto parsed(const std::string& url, const std::string& what, const std::string& reply,
            Parse parse) {
  try {
    return parse(reply);
  } catch (const std::exception& e) {
    throw EtcdError("etcd " + url + ": " + what + ": unexpected reply: " + e.what());
  }
}

RangeResult EtcdClient::range(const std::string& key, bool prefix) {
  const std::string what = "read of " + key + (prefix ? "*" : "");
  const std::string reply = call(what, "/v3/kv/range", range_body(key, prefix));
  return parsed(settings_.endpoints[current_], what, reply, parse_range);
}

RangeResult EtcdClient::range_to(const std::string& key, const std::string& range_end) {
  const std::string what = "read of " + key + " to " + range_end;
  const std::string reply = call(what, "/v3/kv/range", range_to_body(key, range_end));
  return parsed(settings_.endpoints[current_], what, reply, parse_range);
}

RangeResult EtcdClient::read_keys(const std::vector<std::string>& keys) {
  const std::string what =
      "read of " + (keys.empty() ? std::string("no key") : keys.front()) +
      (keys.size() > 1 ? " and " + std::to_string(keys.size() - 1) + " more keys" : "");
  const std::string reply = call(what, "/v3/kv/txn", read_keys_body(keys));
  return parsed(settings_.endpoints[current_], what, reply, parse_read_keys);
}

std::int64_t EtcdClient::put(const std::string& key, const std::string& value, std::int64_t lease) {
  const std::string what = "put of " + key;
  const std::string reply = call(what, "/v3/kv/put", put_body(key, value, lease));
  return parsed(settings_.endpoints[current_], what, reply, parse_put);
}

TxnResult EtcdClient::txn(const Transaction& txn) {
  const std::string what = "transaction";
  const std::string reply = call(what, "/v3/kv/txn", txn_body(txn));
  return parsed(settings_.endpoints[current_], what, reply, parse_txn);
}

Lease EtcdClient::grant_lease(std::int64_t ttl_seconds) {
  const std::string what = "lease grant";
  const std::string reply = call(what, "/v3/lease/grant", lease_grant_body(ttl_seconds));
  return parsed(settings_.endpoints[current_], what, reply, parse_lease_grant);
}

Lease EtcdClient::keep_alive(std::int64_t id) {
  const std::string what = "keepalive of lease " + std::to_string(id);
  const std::string reply = call(what, "/v3/lease/keepalive", lease_id_body(id));
  return parsed(settings_.endpoints[current_], what, reply, parse_keepalive);
}

void EtcdClient::revoke_lease(std::int64_t id) {
  call("revoke of lease " + std::to_string(id), "/v3/lease/revoke", lease_id_body(id));
}

void EtcdClient::compact(std::int64_t revision) {
  call("compaction to revision " + std::to_string(revision), "/v3/kv/compaction",
       compaction_body(revision));
}

std::unique_ptr<Watch> EtcdClient::watch(const WatchRequest& request) {
  const std::string what = "watch of " + request.key + (request.prefix ? "*" : "");
  std::vector<std::string> failures;
  const std::size_t count = settings_.endpoints.size();
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t endpoint = (current_ + i) % count;
    const std::string& url = settings_.endpoints[endpoint];
    spdlog::debug("etcd {}: {} from revision {}", url, what, request.start_revision);
    try {
      const auto timeout = attempt_timeout(what);
      const HttpRequest http{url + "/v3/watch", watch_body(request), &settings_.tls,
                             token(endpoint)};
      auto stream = std::make_unique<StreamingPost>(http, timeout);
      // The first message says the watch is in place: wait for it, within -t.
      const auto first = stream->next_line(timeout);
      if (!first) {
        throw TransportError("no answer within " + seconds_text(timeout));
      }
      const WatchResponse created = parse_watch_line(*first);
      if (created.kind != WatchResponse::Kind::created) {
        fail(url, what, "the first message is not a creation");
      }
      current_ = endpoint;
      return std::make_unique<Watch>(std::move(stream), url);
    } catch (const TransportError& e) {
      failures.push_back(url + ": " + e.what());
    } catch (const EtcdError&) {
      throw;
    } catch (const std::runtime_error& e) {
      fail(url, what, e.what());
    }
  }
  throw EtcdError("etcd: " + what + " failed on every endpoint: " + joined(failures));
}

Watch::Watch(std::unique_ptr<StreamingPost> stream, std::string endpoint)
    : stream_(std::move(stream)), endpoint_(std::move(endpoint)) {}

std::optional<WatchResponse> Watch::next(std::chrono::milliseconds wait, int wake_fd) {
  try {
    const auto line = stream_->next_line(wait, wake_fd);
    if (!line) {
      return std::nullopt;
    }
    return parse_watch_line(*line);
  } catch (const std::runtime_error& e) {
    throw EtcdError("etcd " + endpoint_ + ": watch: " + e.what());
  }
}

}  // namespace pgdeploy::etcd

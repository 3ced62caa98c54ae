#pragma once

// HTTP POSTs to one etcd endpoint through libcurl, every wait bounded. libcurl is included
// only here (http_transport.cpp).

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pgdeploy::etcd {

// The files of TLS: the CA that signed the servers' certificates, and the client's own
// certificate and key (empty: not used).
struct TlsFiles {
  std::string cacert;
  std::string cert;
  std::string key;
};

// The request never got an HTTP answer (refused, no answer in time, TLS failed, cut): the
// next endpoint may do better.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What an endpoint answered.
struct HttpReply {
  long status = 0;
  std::string body;
};

// What every request carries: the JSON body, the TLS files and the authentication token
// (empty: none). The token is a header, never in a URL, never logged.
struct HttpRequest {
  std::string url;
  std::string body;
  const TlsFiles* tls = nullptr;
  std::string token;
};

// One POST whose connect and transfer together take at most TIMEOUT. Throws TransportError.
HttpReply post(const HttpRequest& request, std::chrono::milliseconds timeout);

// A POST whose reply is a stream of JSON lines (a watch): read line by line, as they come.
class StreamingPost {
 public:
  // Starts the request; the connection must be set up within CONNECT_TIMEOUT.
  StreamingPost(const HttpRequest& request, std::chrono::milliseconds connect_timeout);
  ~StreamingPost();
  StreamingPost(const StreamingPost&) = delete;
  StreamingPost& operator=(const StreamingPost&) = delete;

  // The next non-empty line, waiting at most WAIT for it: nullopt when none came. Throws
  // TransportError when the stream ended or broke, with etcd's error message if it sent one.
  std::optional<std::string> next_line(std::chrono::milliseconds wait);

 private:
  struct Handles;
  std::unique_ptr<Handles> handles_;
  std::string buffer_;
  bool done_ = false;
};

}  // namespace pgdeploy::etcd

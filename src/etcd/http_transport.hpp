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

// POSTs one after the other over the same connections: libcurl keeps a connection open after
// a reply and uses it for the next request to that endpoint, so an agent that renews its lease
// and acknowledges does not set up a TCP (and TLS) connection every time. A kept connection
// that the server closed meanwhile (etcd restarted) is noticed and replaced by libcurl.
class HttpSession {
 public:
  HttpSession();
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // One POST whose connect and transfer together take at most TIMEOUT. Throws TransportError.
  HttpReply post(const HttpRequest& request, std::chrono::milliseconds timeout);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

// A POST whose reply is a stream of JSON lines (a watch): read line by line, as they come.
class StreamingPost {
 public:
  // Starts the request; the connection must be set up within CONNECT_TIMEOUT.
  StreamingPost(const HttpRequest& request, std::chrono::milliseconds connect_timeout);
  ~StreamingPost();
  StreamingPost(const StreamingPost&) = delete;
  StreamingPost& operator=(const StreamingPost&) = delete;

  // The next non-empty line, waiting at most WAIT for it: nullopt when none came, or when
  // WAKE_FD (unless -1) became readable first. Throws TransportError when the stream ended or
  // broke, with etcd's error message if it sent one.
  std::optional<std::string> next_line(std::chrono::milliseconds wait, int wake_fd = -1);

 private:
  struct Handles;
  std::unique_ptr<Handles> handles_;
  std::string buffer_;
  bool done_ = false;
};

}  // namespace pgdeploy::etcd

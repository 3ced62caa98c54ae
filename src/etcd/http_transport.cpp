#include "etcd/http_transport.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>
#include <utility>

#include "util/deadline.hpp"

namespace pgdeploy::etcd {
namespace {

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, ListDeleter>;
using Multi = std::unique_ptr<CURLM, MultiDeleter>;

// Debian's libcurl links libssh2 for scp:// and sftp://, and curl_global_init initialises it,
// which loads every algorithm and engine of OpenSSL: 1.6 MiB resident in every agent, for
// protocols pgdeploy never enables (CURLOPT_PROTOCOLS_STR). libssh2 initialises its crypto only
// on its first initialisation; making that one ours, with LIBSSH2_INIT_NO_CRYPTO (1, its
// documented flag), leaves OpenSSL alone. A libcurl without libssh2 has no such symbol.
void initialise_libssh2_without_crypto() {
  constexpr int no_crypto = 0x0001;
  using Init = int (*)(int);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): dlsym's result is untyped
  if (const auto init = reinterpret_cast<Init>(dlsym(RTLD_DEFAULT, "libssh2_init"))) {
    init(no_crypto);
  }
}

// curl_global_init is not thread-safe: once per process, before the first handle.
Easy new_easy() {
  static std::once_flag once;
  std::call_once(once, [] {
    initialise_libssh2_without_crypto();
    curl_global_init(CURL_GLOBAL_DEFAULT);
  });
  Easy easy(curl_easy_init());
  if (!easy) {
    throw TransportError("cannot create an HTTP handle");
  }
  return easy;
}

std::size_t append(char* data, std::size_t size, std::size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

// The most a stream keeps allocated between two lines: room for the usual message.
constexpr std::size_t kept_buffer_capacity = std::size_t{16} * 1024;

// The line of BUFFER up to NEWLINE, taken out of it with the newline.
std::string cut_line(std::string& buffer, std::size_t newline) {
  std::string line = buffer.substr(0, newline);
  buffer.erase(0, newline + 1);
  // A stream lives as long as its watch: a large message's room is not kept for it.
  if (buffer.empty() && buffer.capacity() > kept_buffer_capacity) {
    std::string().swap(buffer);
  }
  return line;
}

long as_ms(std::chrono::milliseconds duration) {
  return static_cast<long>(std::max<std::chrono::milliseconds::rep>(duration.count(), 1));
}

// Everything but the timeouts: URL, body, headers, TLS, where the reply goes.
HeaderList configure(CURL* easy, const HttpRequest& request, std::string* reply, char* errors) {
  HeaderList headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  // etcd's "require leader" (gRPC metadata hasleader, through the gateway's header): a member
  // cut off from the others refuses at once, as unavailable, so the next endpoint is tried,
  // and ends the watches it serves after about three election timeouts, instead of keeping
  // them open and silent.
  headers.reset(curl_slist_append(headers.release(), "Grpc-Metadata-hasleader: true"));
  if (!request.token.empty()) {
    headers.reset(
        curl_slist_append(headers.release(), ("Authorization: " + request.token).c_str()));
  }
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &append);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, reply);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errors);
  // Signals would interrupt the run's own handlers; no proxy from the environment.
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  if (request.tls != nullptr) {
    if (!request.tls->cacert.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, request.tls->cacert.c_str());
    }
    if (!request.tls->cert.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSLCERT, request.tls->cert.c_str());
    }
    if (!request.tls->key.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSLKEY, request.tls->key.c_str());
    }
  }
  return headers;
}

// libcurl's failure as a sentence: its own detail when it gave one.
std::string failure(CURLcode code, const char* errors, std::chrono::milliseconds timeout) {
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return "no answer within " + seconds_text(timeout);
  }
  return errors[0] != '\0' ? errors : curl_easy_strerror(code);
}

// Sleeps until the stream has news, LEFT passed or WAKE_FD (unless -1) is readable; true for
// the last. libcurl wakes up earlier when its own timers (connect, keepalive) need it.
bool wait_for_data(CURLM* multi, std::chrono::milliseconds left, int wake_fd) {
  curl_waitfd wake{wake_fd, CURL_WAIT_POLLIN, 0};
  const unsigned extra = wake_fd >= 0 ? 1 : 0;
  const long most = std::min<long>(as_ms(left), std::numeric_limits<int>::max());
  curl_multi_poll(multi, extra != 0 ? &wake : nullptr, extra, static_cast<int>(most), nullptr);
  return (wake.revents & CURL_WAIT_POLLIN) != 0;
}

}  // namespace

struct HttpSession::Handle {
  Easy easy = new_easy();
};

HttpSession::HttpSession() : handle_(std::make_unique<Handle>()) {}

HttpSession::~HttpSession() = default;

HttpReply HttpSession::post(const HttpRequest& request, std::chrono::milliseconds timeout) {
  CURL* easy = handle_->easy.get();
  // A reset forgets the last request's options, not the handle's open connections.
  curl_easy_reset(easy);
  HttpReply reply;
  std::array<char, CURL_ERROR_SIZE> errors{};
  const HeaderList headers = configure(easy, request, &reply.body, errors.data());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, as_ms(timeout));
  const CURLcode code = curl_easy_perform(easy);
  if (code != CURLE_OK) {
    throw TransportError(failure(code, errors.data(), timeout));
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

struct StreamingPost::Handles {
  Easy easy;
  Multi multi;
  HeaderList headers;
  std::string body;
  std::array<char, CURL_ERROR_SIZE> errors{};
  std::chrono::milliseconds connect_timeout{};
  CURLcode result = CURLE_OK;
};

StreamingPost::StreamingPost(const HttpRequest& request, std::chrono::milliseconds connect_timeout)
    : handles_(std::make_unique<Handles>()) {
  handles_->easy = new_easy();
  handles_->multi.reset(curl_multi_init());
  handles_->body = request.body;  // libcurl reads the body while the stream runs
  handles_->connect_timeout = connect_timeout;
  HttpRequest kept = request;
  kept.body = {};
  handles_->headers = configure(handles_->easy.get(), kept, &buffer_, handles_->errors.data());
  curl_easy_setopt(handles_->easy.get(), CURLOPT_POSTFIELDS, handles_->body.data());
  curl_easy_setopt(handles_->easy.get(), CURLOPT_POSTFIELDSIZE,
                   static_cast<long>(handles_->body.size()));
  curl_easy_setopt(handles_->easy.get(), CURLOPT_CONNECTTIMEOUT_MS, as_ms(connect_timeout));
  // A peer that vanished without closing (a cut cable) shows as a broken connection.
  curl_easy_setopt(handles_->easy.get(), CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handles_->easy.get(), CURLOPT_TCP_KEEPIDLE, 5L);
  curl_easy_setopt(handles_->easy.get(), CURLOPT_TCP_KEEPINTVL, 2L);
  if (!handles_->multi ||
      curl_multi_add_handle(handles_->multi.get(), handles_->easy.get()) != CURLM_OK) {
    throw TransportError("cannot start a streaming request");
  }
}

StreamingPost::~StreamingPost() {
  curl_multi_remove_handle(handles_->multi.get(), handles_->easy.get());
}

std::optional<std::string> StreamingPost::next_line(std::chrono::milliseconds wait, int wake_fd) {
  const auto end = std::chrono::steady_clock::now() + wait;
  while (true) {
    const auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = cut_line(buffer_, newline);
      if (line.find_first_not_of(" \r\t") != std::string::npos) {
        return line;
      }
      continue;
    }
    if (done_) {
      long status = 0;
      curl_easy_getinfo(handles_->easy.get(), CURLINFO_RESPONSE_CODE, &status);
      if (handles_->result != CURLE_OK) {
        throw TransportError(
            failure(handles_->result, handles_->errors.data(), handles_->connect_timeout));
      }
      // A last line without its newline is the server's final word (an error reply).
      std::string rest = std::exchange(buffer_, {});
      throw TransportError("the stream ended (HTTP " + std::to_string(status) + ")" +
                           (rest.empty() ? "" : ": " + rest.substr(0, 300)));
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return std::nullopt;
    }
    int running = 0;
    curl_multi_perform(handles_->multi.get(), &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(handles_->multi.get(), &queued)) {
      if (message->msg == CURLMSG_DONE) {
        done_ = true;
        handles_->result = message->data.result;
      }
    }
    if (!done_ && buffer_.find('\n') == std::string::npos &&
        wait_for_data(handles_->multi.get(), left, wake_fd)) {
      return std::nullopt;
    }
  }
}

}  // namespace pgdeploy::etcd

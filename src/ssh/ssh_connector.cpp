#include "ssh/ssh_connector.hpp"

#include <libssh/libssh.h>
#include <spdlog/spdlog.h>

#include <array>

#include "model/app_server.hpp"
#include "ssh/known_hosts.hpp"
#include "util/deadline.hpp"
#include "util/descriptors.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

using SessionPtr = std::shared_ptr<ssh_session_struct>;
using KeyPtr = std::unique_ptr<ssh_key_struct, decltype(&ssh_key_free)>;

struct ChannelDeleter {
  void operator()(ssh_channel channel) const {
    ssh_channel_close(channel);
    ssh_channel_free(channel);
  }
};
using ChannelPtr = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;

KeyPtr import_key(const std::string& text) {
  ssh_key key = nullptr;
  if (ssh_pki_import_privkey_base64(text.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
    return {nullptr, &ssh_key_free};
  }
  return {key, &ssh_key_free};
}

// Bounds the next blocking libssh call on SESSION (connect, key exchange, auth, channel
// requests, writes) by min(-t, time left of the deadline); throws when none is left.
void arm(ssh_session session, const HostDeadline& deadline) {
  deadline.check();
  const long ms = deadline.wait_ms();
  const long seconds = ms / 1000;
  const long microseconds = ms % 1000 * 1000;
  ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &seconds);
  ssh_options_set(session, SSH_OPTIONS_TIMEOUT_USEC, &microseconds);
}

// A command running over an exec channel; keeps its session alive while it runs.
class SshCommand final : public RemoteCommand {
 public:
  SshCommand(SessionPtr session, ChannelPtr channel, HostDeadline& deadline)
      : session_(std::move(session)), channel_(std::move(channel)), deadline_(deadline) {}

  void write(std::string_view data) override {
    spdlog::debug("ssh: writing {} bytes", data.size());
    while (!data.empty()) {
      arm(session_.get(), deadline_);
      const int written =
          ssh_channel_write(channel_.get(), data.data(), static_cast<uint32_t>(data.size()));
      if (written <= 0) {
        throw deadline_.failure("write", "connection lost while sending: " + error());
      }
      data.remove_prefix(static_cast<std::size_t>(written));
    }
  }

  void close_input() override {
    arm(session_.get(), deadline_);
    if (ssh_channel_send_eof(channel_.get()) != SSH_OK) {
      throw HostError("write", "cannot close the command's input: " + error());
    }
  }

  std::optional<std::string> read_line() override {
    std::size_t newline = 0;
    while ((newline = output_.find('\n')) == std::string::npos) {
      if (!read_more()) {
        return std::nullopt;
      }
    }
    std::string line = output_.substr(0, newline);
    output_.erase(0, newline + 1);
    return line;
  }

  CommandResult wait() override {
    while (read_more()) {
    }
    CommandResult result{-1, std::move(output_), std::move(errors_)};
    result.exit_status = ssh_channel_get_exit_status(channel_.get());
    spdlog::debug("ssh: command ended with status {}", result.exit_status);
    return result;
  }

 private:
  // Reads stdout into output_; false at end of output. Throws on timeout or a lost connection.
  bool read_more() {
    std::array<char, 4096> buffer{};
    deadline_.check();
    const int n = ssh_channel_read_timeout(channel_.get(), buffer.data(), buffer.size(), 0,
                                           deadline_.wait_ms());
    if (n == SSH_ERROR) {
      throw deadline_.failure("read", "connection lost: " + error());
    }
    if (n > 0) {
      output_.append(buffer.data(), static_cast<std::size_t>(n));
      return true;
    }
    // libssh reports end of file only once stderr has been read as well.
    drain_errors();
    if (ssh_channel_is_eof(channel_.get()) != 0 || ssh_channel_is_closed(channel_.get()) != 0) {
      return false;
    }
    throw deadline_.failure("read", deadline_.no_answer());
  }

  void drain_errors() {
    std::array<char, 4096> buffer{};
    int n = 0;
    while ((n = ssh_channel_read_nonblocking(channel_.get(), buffer.data(), buffer.size(), 1)) >
           0) {
      errors_.append(buffer.data(), static_cast<std::size_t>(n));
    }
  }

  [[nodiscard]] std::string error() const { return ssh_get_error(session_.get()); }

  SessionPtr session_;
  ChannelPtr channel_;
  std::string output_;
  std::string errors_;
  HostDeadline& deadline_;
};

class SshHost final : public RemoteHost {
 public:
  SshHost(SessionPtr session, HostDeadline& deadline)
      : session_(std::move(session)), deadline_(deadline) {}

  std::unique_ptr<RemoteCommand> start(const std::string& command) override {
    ChannelPtr channel(ssh_channel_new(session_.get()));
    arm(session_.get(), deadline_);
    if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK) {
      throw failure("exec");
    }
    arm(session_.get(), deadline_);
    if (ssh_channel_request_exec(channel.get(), command.c_str()) != SSH_OK) {
      throw failure("exec");
    }
    spdlog::debug("ssh: started remote command ({} bytes)", command.size());
    return std::make_unique<SshCommand>(session_, std::move(channel), deadline_);
  }

 private:
  [[nodiscard]] HostError failure(const std::string& step) const {
    return deadline_.failure(step, ssh_get_error(session_.get()));
  }

  SessionPtr session_;
  HostDeadline& deadline_;
};

std::string known_host_problem(ssh_known_hosts_e state, const AppServer& host,
                               const std::filesystem::path& known_hosts) {
  const std::string where = "[" + host.address + "]:" + std::to_string(host.ssh_port);
  switch (state) {
    case SSH_KNOWN_HOSTS_CHANGED:
      return "the host key of " + where + " has CHANGED since it was recorded in " +
             known_hosts.string() +
             "; refusing to connect (verify the new key, then replace "
             "its line)";
    case SSH_KNOWN_HOSTS_OTHER:
      return "the server at " + where + " offers a key type other than the one recorded in " +
             known_hosts.string() + "; refusing to connect";
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      return "the host key of " + where + " is not in " + known_hosts.string() +
             " (check its fingerprint, then add it, e.g. with ssh-keyscan -p " +
             std::to_string(host.ssh_port) + " " + host.address + ")";
    default:
      return "cannot check the host key of " + where;
  }
}

void set_options(ssh_session session, const AppServer& host,
                 const std::filesystem::path& known_hosts) {
  const bool process_config = false;  // ~/.ssh/config would silently override what we set
  ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
  ssh_options_set(session, SSH_OPTIONS_HOST, host.address.c_str());
  ssh_options_set(session, SSH_OPTIONS_PORT, &host.ssh_port);
  ssh_options_set(session, SSH_OPTIONS_USER, host.username.c_str());
  ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str());
  // Only the operator's known_hosts decides; the system-wide file is not consulted.
  ssh_options_set(session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
  // Every exchange is a small request that waits for its answer: with Nagle's algorithm a
  // request sent as two packets would wait for the server's delayed ACK of the first.
  const int nodelay = 1;
  ssh_options_set(session, SSH_OPTIONS_NODELAY, &nodelay);
}

}  // namespace

std::string connect_problem(const AppServer& host, const std::string& why) {
  return "ssh to " + host.address + " port " + std::to_string(host.ssh_port) + ": " + why;
}

SshConnector::SshConnector(const std::filesystem::path& private_key,
                           std::filesystem::path known_hosts)
    : private_key_text_(read_whole_file(private_key, "SSH key")),
      known_hosts_(std::move(known_hosts)) {
  if (!import_key(private_key_text_)) {
    throw usage_error("cannot load SSH key " + private_key.string() +
                      " (not a private key, or protected by a passphrase)");
  }
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(known_hosts_, ignored)) {
    throw usage_error("known hosts file " + known_hosts_.string() + " does not exist");
  }
}

std::unique_ptr<RemoteHost> SshConnector::connect(const AppServer& host, HostDeadline& deadline) {
  SessionPtr session(ssh_new(), [](ssh_session s) {
    ssh_disconnect(s);
    ssh_free(s);
  });
  if (!session) {
    throw HostError("connect", "cannot create an SSH session");
  }
  set_options(session.get(), host, known_hosts_);
  spdlog::debug("ssh: connecting to {}@{}:{}", host.username, host.address, host.ssh_port);
  deadline.begin("connect");
  arm(session.get(), deadline);
  if (ssh_connect(session.get()) != SSH_OK) {
    if (out_of_descriptors()) {
      throw DescriptorsExhausted("connect", out_of_descriptors_text());
    }
    throw deadline.failure("connect", connect_problem(host, ssh_get_error(session.get())));
  }
  deadline.begin("host key");
  if (const auto state = ssh_session_is_known_server(session.get()); state != SSH_KNOWN_HOSTS_OK) {
    // libssh takes a known_hosts file it cannot open for one without the host.
    if (out_of_descriptors()) {
      throw DescriptorsExhausted(
          "host key", out_of_descriptors_text() + "; cannot read " + known_hosts_.string());
    }
    // libssh stops reading at a corrupt line for the host and reports the host unknown: name
    // that line rather than send the operator looking for a key that is there.
    if (const auto corrupt = corrupt_known_host(known_hosts_, host.address, host.ssh_port)) {
      throw KnownHostsCorrupt(describe(*corrupt, known_hosts_));
    }
    throw HostError("host key", known_host_problem(state, host, known_hosts_));
  }
  // Parsing the key again here keeps every session independent of the others' threads.
  const KeyPtr key = import_key(private_key_text_);
  deadline.begin("auth");
  arm(session.get(), deadline);
  if (!key || ssh_userauth_publickey(session.get(), nullptr, key.get()) != SSH_AUTH_SUCCESS) {
    throw deadline.failure("auth", "public key authentication as " + host.username +
                                       " failed: " + ssh_get_error(session.get()));
  }
  spdlog::debug("ssh: authenticated to {} as {}", host.address, host.username);
  return std::make_unique<SshHost>(std::move(session), deadline);
}

}  // namespace pgdeploy

#pragma once

// A real etcd for the client's tests: one member on loopback, on free ports, with its own
// data directory, stopped and removed again by the destructor (and killed with the test
// process if that dies first).

#include <sys/types.h>

#include <string>
#include <vector>

namespace pgdeploy::test {

class EtcdServer {
 public:
  struct Options {
    bool tls = false;  // https with a CA of its own, client certificates required
  };
  explicit EtcdServer(Options options);
  EtcdServer() : EtcdServer(Options{}) {}
  ~EtcdServer();
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  [[nodiscard]] std::string endpoint() const;
  [[nodiscard]] const std::string& dir() const { return dir_; }
  // The TLS files (with Options::tls): the CA, and a client certificate and key it signed.
  [[nodiscard]] std::string ca() const { return dir_ + "/ca.pem"; }
  [[nodiscard]] std::string client_cert() const { return dir_ + "/client.pem"; }
  [[nodiscard]] std::string client_key() const { return dir_ + "/client-key.pem"; }

  // Runs etcdctl against this server; throws when it fails.
  void etcdctl(const std::vector<std::string>& arguments) const;
  void kill_now();  // SIGKILL, as a crash
  void pause();     // SIGSTOP: the port stays open and nothing answers
  void resume();

 private:
  void launch();
  void make_certificates() const;
  [[nodiscard]] bool answers() const;

  Options options_;
  std::string dir_;
  int client_port_ = 0;
  int peer_port_ = 0;
  pid_t pid_ = -1;
};

// Whether etcd is installed (the suite skips otherwise).
bool etcd_installed();

}  // namespace pgdeploy::test

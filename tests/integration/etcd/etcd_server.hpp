#pragma once

// A real etcd for the client's tests: one member on loopback, on free ports, with its own
// data directory, stopped and removed again by the destructor (and killed with the test
// process if that dies first). cluster() starts several members of one cluster.

#include <sys/types.h>

#include <memory>
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

  // COUNT members of one cluster, each answering: they start together, as a member alone has
  // no leader until a majority of them is up.
  static std::vector<std::unique_ptr<EtcdServer>> cluster(int count);

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
  // One member of a cluster: its name, its ports and --initial-cluster (every member).
  struct Member {
    std::string name;
    int client_port = 0;
    int peer_port = 0;
    std::string initial_cluster;
  };
  // Starts MEMBER without waiting for it to answer.
  explicit EtcdServer(const Member& member);
  void make_dir();
  // A single member on new free ports; pid_ stays -1 when it did not come up.
  void launch();
  void spawn();
  // Until it answers (true) or exits (false; pid_ -1), at most 20 s.
  bool wait_until_answering();
  void make_certificates() const;
  [[nodiscard]] bool answers() const;

  Options options_;
  std::string dir_;
  std::string name_ = "test";
  std::string initial_cluster_;
  int client_port_ = 0;
  int peer_port_ = 0;
  pid_t pid_ = -1;
};

// Whether etcd is installed (the suite skips otherwise).
bool etcd_installed();

}  // namespace pgdeploy::test

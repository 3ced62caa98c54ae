#include "etcd_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "etcd/http_transport.hpp"

namespace pgdeploy::test {
namespace {

// A port free now on loopback (the kernel's choice; etcd binds it a moment later).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("failed: " + command);
  }
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

}  // namespace

bool etcd_installed() { return std::system("command -v etcd >/dev/null 2>&1") == 0; }

EtcdServer::EtcdServer(Options options) : options_(options) {
  make_dir();
  if (options_.tls) {
    make_certificates();
  }
  // A port taken between the probe and etcd's bind: try again with others.
  for (int tries = 0; tries < 3 && pid_ < 0; ++tries) {
    launch();
  }
  if (pid_ < 0) {
    throw std::runtime_error("etcd did not start; see " + dir_ + "/etcd.log");
  }
}

EtcdServer::EtcdServer(const Member& member)
    : name_(member.name),
      initial_cluster_(member.initial_cluster),
      client_port_(member.client_port),
      peer_port_(member.peer_port) {
  make_dir();
  spawn();
}

std::vector<std::unique_ptr<EtcdServer>> EtcdServer::cluster(int count) {
  std::vector<Member> members(static_cast<std::size_t>(count));
  std::string initial_cluster;
  for (std::size_t i = 0; i < members.size(); ++i) {
    members[i] = {"member" + std::to_string(i + 1), free_port(), free_port(), {}};
    initial_cluster += std::string(i == 0 ? "" : ",") + members[i].name +
                       "=http://127.0.0.1:" + std::to_string(members[i].peer_port);
  }
  std::vector<std::unique_ptr<EtcdServer>> servers;
  for (Member& member : members) {
    member.initial_cluster = initial_cluster;
    servers.push_back(std::unique_ptr<EtcdServer>(new EtcdServer(member)));
  }
  for (const auto& server : servers) {
    if (!server->wait_until_answering()) {
      throw std::runtime_error("etcd member did not start; see " + server->dir() + "/etcd.log");
    }
  }
  return servers;
}

void EtcdServer::make_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "pgdeploy-etcd-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a directory for etcd");
  }
  dir_ = pattern;
}

EtcdServer::~EtcdServer() {
  if (pid_ > 0) {
    kill(pid_, SIGCONT);
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string EtcdServer::endpoint() const {
  return std::string(options_.tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(client_port_);
}

void EtcdServer::launch() {
  client_port_ = free_port();
  peer_port_ = free_port();
  initial_cluster_ = name_ + "=http://127.0.0.1:" + std::to_string(peer_port_);
  spawn();
  if (!wait_until_answering()) {
    kill_now();
  }
}

void EtcdServer::spawn() {
  const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
  std::vector<std::string> args = {"etcd",
                                   "--name=" + name_,
                                   "--data-dir=" + dir_ + "/data",
                                   "--listen-client-urls=" + endpoint(),
                                   "--advertise-client-urls=" + endpoint(),
                                   "--listen-peer-urls=" + peer,
                                   "--initial-advertise-peer-urls=" + peer,
                                   "--initial-cluster=" + initial_cluster_,
                                   "--log-outputs=stderr"};
  if (options_.tls) {
    args.insert(args.end(),
                {"--cert-file=" + dir_ + "/server.pem", "--key-file=" + dir_ + "/server-key.pem",
                 "--trusted-ca-file=" + ca(), "--client-cert-auth"});
  }
  const std::string log = dir_ + "/etcd.log";
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a test that crashed
    static_cast<void>(std::freopen(log.c_str(), "a", stdout));
    static_cast<void>(std::freopen(log.c_str(), "a", stderr));
    std::vector<char*> argv;
    for (auto& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    execvp("etcd", argv.data());
    _exit(127);
  }
}

bool EtcdServer::wait_until_answering() {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < end) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;  // exited: most likely a port taken meanwhile
      return false;
    }
    if (answers()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool EtcdServer::answers() const {
  const etcd::TlsFiles tls{ca(), client_cert(), client_key()};
  try {
    const auto reply = etcd::HttpSession().post(
        {endpoint() + "/v3/kv/range", R"({"key":"AA=="})", options_.tls ? &tls : nullptr, {}},
        std::chrono::milliseconds(500));
    return reply.status == 200;
  } catch (const etcd::TransportError&) {
    return false;
  }
}

void EtcdServer::make_certificates() const {
  const std::string d = quoted(dir_);
  run("cd " + d +
      " && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test-ca"
      " -keyout ca-key.pem -out ca.pem 2>/dev/null");
  for (const std::string name : {"server", "client"}) {
    run("cd " + d + " && openssl req -newkey rsa:2048 -nodes -subj /CN=" + name + " -keyout " +
        name + "-key.pem -out " + name + ".csr 2>/dev/null" +
        " && printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\n'" +
        " > " + name + ".ext && openssl x509 -req -in " + name +
        ".csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 -extfile " + name +
        ".ext -out " + name + ".pem 2>/dev/null");
  }
}

void EtcdServer::etcdctl(const std::vector<std::string>& arguments) const {
  std::string command = "ETCDCTL_API=3 etcdctl --endpoints=" + endpoint();
  for (const auto& argument : arguments) {
    command += " " + quoted(argument);
  }
  run(command + " >/dev/null 2>&1");
}

void EtcdServer::kill_now() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

namespace {

// True when every thread of PID is stopped: the state field of /proc/PID/task/*/stat is T.
bool all_threads_stopped(pid_t pid) {
  std::error_code error;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // "TID (COMM) STATE ...": COMM may hold spaces, the state follows its last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'T') {
      return false;
    }
  }
  return !error;
}

}  // namespace

// kill() only queues SIGSTOP: a busy thread may still answer one more request before it stops,
// so the pause is over only once every thread is seen stopped.
void EtcdServer::pause() {
  kill(pid_, SIGSTOP);
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!all_threads_stopped(pid_) && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}
void EtcdServer::resume() { kill(pid_, SIGCONT); }

}  // namespace pgdeploy::test

#include "ssh/remote_host.hpp"

namespace pgdeploy {

CommandResult run_remote(RemoteHost& remote, const std::string& script) {
  const auto command = remote.start(script);
  command->close_input();
  return command->wait();
}

}  // namespace pgdeploy

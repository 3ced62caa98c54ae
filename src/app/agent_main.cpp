// The agent program (libexec/pgdeploy/pgdeploy-agent): every `pgdeploy agent` the front end
// (front_main.cpp) hands over.
#include "app/agent_program.hpp"
#include "util/failure.hpp"

int main(int argc, char** argv) {
  return pgdeploy::run_reporting_failures(pgdeploy::run_agent_program, argc, argv);
}

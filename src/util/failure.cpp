#include "util/failure.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace pgdeploy {

Failure report_failure() {
  try {
    throw;
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    return {e.exit_code(), e.what()};
  } catch (const std::exception& e) {
    spdlog::critical("unexpected failure: {}", e.what());
    return {ExitCode::internal, e.what()};
  } catch (...) {
    spdlog::critical("unexpected failure: an exception of unknown type");
    return {ExitCode::internal, "an exception of unknown type"};
  }
}

int run_reporting_failures(int (*main)(int, const char* const*), int argc,
                           const char* const* argv) {
  try {
    return main(argc, argv);
  } catch (...) {
    return static_cast<int>(report_failure().code);
  }
}

}  // namespace pgdeploy

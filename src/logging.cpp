#include "pgdeploy/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace pgdeploy {

void setup_logging(Verbosity verbosity) {
  auto logger = std::make_shared<spdlog::logger>(
      "pgdeploy", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("pgdeploy: %l: %v");
  switch (verbosity) {
    case Verbosity::quiet:
      logger->set_level(spdlog::level::warn);
      break;
    case Verbosity::normal:
      logger->set_level(spdlog::level::info);
      break;
    case Verbosity::verbose:
      logger->set_level(spdlog::level::debug);
      break;
  }
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace pgdeploy

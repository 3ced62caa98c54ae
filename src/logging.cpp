#include "pgdeploy/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

namespace pgdeploy {

void setup_logging(Verbosity verbosity, bool to_syslog) {
  spdlog::sink_ptr sink;
  if (to_syslog) {
    // journald and syslog add time, host and ident themselves.
    sink = std::make_shared<spdlog::sinks::syslog_sink_mt>("pgdeploy", LOG_PID, LOG_DAEMON, true);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  auto logger = std::make_shared<spdlog::logger>("pgdeploy", std::move(sink));
  logger->set_pattern(to_syslog ? "%l: %v" : "pgdeploy: %l: %v");
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

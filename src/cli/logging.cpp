#include "cli/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include "util/text.hpp"

namespace pgdeploy {
namespace {

// Passes every message on to INNER with its text made printable(): names and paths come from
// the database, and a newline or an escape sequence in one must not forge a log line or drive
// the terminal. The pattern's own text is the inner sink's, untouched.
class PrintableSink final : public spdlog::sinks::sink {
 public:
  explicit PrintableSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

  void log(const spdlog::details::log_msg& msg) override {
    const std::string text = printable({msg.payload.data(), msg.payload.size()});
    spdlog::details::log_msg safe = msg;
    safe.payload = text;
    inner_->log(safe);
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  spdlog::sink_ptr inner_;
};

}  // namespace

void setup_logging(Verbosity verbosity, bool to_syslog) {
  spdlog::sink_ptr sink;
  if (to_syslog) {
    // journald and syslog add time, host and ident themselves.
    sink = std::make_shared<spdlog::sinks::syslog_sink_mt>("pgdeploy", LOG_PID, LOG_DAEMON, true);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  auto logger = std::make_shared<spdlog::logger>("pgdeploy",
                                                 std::make_shared<PrintableSink>(std::move(sink)));
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

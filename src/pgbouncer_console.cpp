#include "pgdeploy/conninfo.hpp"
#include "pgdeploy/pgbouncer_console.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <charconv>

#include "pgdeploy/remote_host.hpp"

namespace pgdeploy {
namespace {

using Clock = std::chrono::steady_clock;
using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

constexpr const char* step = "admin console";

class PgBouncerConsole final : public AdminConsole {
 public:
  PgBouncerConsole(PGconn* conn, int timeout_seconds)
      : conn_(conn, &PQfinish), timeout_(timeout_seconds) {}

  void reload() override { execute("RELOAD"); }

  void execute(const std::string& command) override {
    spdlog::debug("admin console: {}", command);
    run(command.c_str(), PGRES_COMMAND_OK);
  }

  std::string version() override {
    const ResultPtr result = run("SHOW VERSION", PGRES_TUPLES_OK);
    return PQntuples(result.get()) > 0 ? PQgetvalue(result.get(), 0, 0) : "";
  }

  // RESUME of a database that cannot exist changes nothing: PgBouncer checks the user's rights
  // first ("admin access needed"), then looks for the database ("no such database").
  bool has_admin_rights() override {
    try {
      execute("RESUME \"pgdeploy doctor: probe of admin rights, harmless\"");
    } catch (const HostError& e) {
      const std::string message = e.what();
      if (message.find("admin access needed") != std::string::npos) {
        return false;
      }
      if (message.find("no such database") != std::string::npos) {
        return true;
      }
      throw;
    }
    return true;
  }

  std::vector<RoutedDatabase> show_databases() override {
    spdlog::debug("admin console: SHOW DATABASES");
    const ResultPtr result = run("SHOW DATABASES", PGRES_TUPLES_OK);
    // Columns are looked up by name: later PgBouncer versions add and move them.
    const int name = column(result.get(), "name");
    const int host = column(result.get(), "host");
    const int port = column(result.get(), "port");
    const int dbname = column(result.get(), "database");
    std::vector<RoutedDatabase> databases;
    for (int row = 0; row < PQntuples(result.get()); ++row) {
      RoutedDatabase db{PQgetvalue(result.get(), row, name), PQgetvalue(result.get(), row, host),
                        0, PQgetvalue(result.get(), row, dbname)};
      const std::string port_text = PQgetvalue(result.get(), row, port);
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), db.port);
      databases.push_back(std::move(db));
    }
    return databases;
  }

 private:
  // Runs one admin command with the simple query protocol, bounded by the timeout.
  ResultPtr run(const char* command, ExecStatusType expected) {
    if (PQsendQuery(conn_.get(), command) == 0) {
      throw HostError(step, std::string(command) + ": " + scrub_libpq_message(PQerrorMessage(conn_.get())));
    }
    wait_for_result(command);
    ResultPtr result(PQgetResult(conn_.get()), &PQclear);
    while (PGresult* extra = PQgetResult(conn_.get())) {
      PQclear(extra);
    }
    if (PQresultStatus(result.get()) != expected) {
      throw HostError(step, std::string(command) + " failed: " +
                                scrub_libpq_message(PQresultErrorMessage(result.get())));
    }
    return result;
  }

  void wait_for_result(const char* command) {
    const auto deadline = Clock::now() + timeout_;
    while (PQisBusy(conn_.get()) != 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
      if (left.count() <= 0 || poll(&fd, 1, static_cast<int>(left.count())) == 0) {
        throw HostError(step, std::string(command) + ": no answer within " +
                                  std::to_string(timeout_.count()) + " s");
      }
      if (PQconsumeInput(conn_.get()) == 0) {
        throw HostError(step, std::string(command) + ": " + scrub_libpq_message(PQerrorMessage(conn_.get())));
      }
    }
  }

  static int column(const PGresult* result, const char* name) {
    const int index = PQfnumber(result, name);
    if (index < 0) {
      throw HostError(step, std::string("SHOW DATABASES has no column ") + name);
    }
    return index;
  }

  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
  std::chrono::seconds timeout_;
};

}  // namespace

std::unique_ptr<AdminConsole> PgBouncerConnector::connect(const std::string& admin_conninfo) {
  const std::string timeout = std::to_string(timeout_seconds_);
  // The first dbname is expanded as a conninfo; the later keywords override what it says.
  const char* keys[] = {"dbname", "dbname", "connect_timeout", "fallback_application_name",
                        nullptr};
  const char* values[] = {admin_conninfo.c_str(), "pgbouncer", timeout.c_str(), "pgdeploy",
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    const std::string message = conn != nullptr ? scrub_libpq_message(PQerrorMessage(conn)) : "out of memory";
    PQfinish(conn);
    throw HostError(step, "cannot connect: " + message);
  }
  spdlog::debug("admin console: connected");
  return std::make_unique<PgBouncerConsole>(conn, timeout_seconds_);
}

}  // namespace pgdeploy

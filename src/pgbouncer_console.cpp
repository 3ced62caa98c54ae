#include "pgdeploy/pgbouncer_console.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "pgdeploy/conninfo.hpp"
#include "pgdeploy/deadline.hpp"
#include "pgdeploy/remote_host.hpp"

namespace pgdeploy {
namespace {

using ConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

constexpr const char* step = "admin console";

class PgBouncerConsole final : public AdminConsole {
 public:
  PgBouncerConsole(ConnPtr conn, HostDeadline& deadline)
      : conn_(std::move(conn)), deadline_(deadline) {}

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
    deadline_.check();
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

  // Waits min(-t, time left of the deadline) for the answer to COMMAND.
  void wait_for_result(const char* command) {
    const Clock::time_point end = deadline_.wait_end();
    while (PQisBusy(conn_.get()) != 0) {
      const int left = deadline_.ms_until(end);
      pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
      if (left == 0 || poll(&fd, 1, left) == 0) {
        throw deadline_.failure(step, std::string(command) + ": " + deadline_.no_answer());
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

  ConnPtr conn_;
  HostDeadline& deadline_;
};

std::string connect_error(PGconn* conn) {
  return "cannot connect: " + scrub_libpq_message(PQerrorMessage(conn));
}

// Drives libpq's non-blocking connect until it ends, waiting min(-t, time left) in all.
void finish_connecting(PGconn* conn, const HostDeadline& deadline) {
  const Clock::time_point end = deadline.wait_end();
  PostgresPollingStatusType polling = PGRES_POLLING_WRITING;
  while (polling != PGRES_POLLING_OK) {
    if (polling == PGRES_POLLING_FAILED) {
      throw HostError(step, connect_error(conn));
    }
    pollfd fd{PQsocket(conn),
              static_cast<short>(polling == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    const int left = deadline.ms_until(end);
    if (left == 0 || poll(&fd, 1, left) == 0) {
      throw deadline.failure(step, "cannot connect: " + deadline.no_answer());
    }
    polling = PQconnectPoll(conn);
  }
}

}  // namespace

std::unique_ptr<AdminConsole> PgBouncerConnector::connect(const std::string& admin_conninfo,
                                                          HostDeadline& deadline) {
  deadline.begin(step);
  deadline.check();
  // The first dbname is expanded as a conninfo; the later keywords override what it says.
  // libpq's connect_timeout does not apply to a non-blocking connect: the deadline bounds it.
  const char* keys[] = {"dbname", "dbname", "fallback_application_name", nullptr};
  const char* values[] = {admin_conninfo.c_str(), "pgbouncer", "pgdeploy", nullptr};
  ConnPtr conn(PQconnectStartParams(keys, values, 1), &PQfinish);
  if (!conn) {
    throw HostError(step, "cannot connect: out of memory");
  }
  if (PQstatus(conn.get()) == CONNECTION_BAD) {
    throw HostError(step, connect_error(conn.get()));
  }
  finish_connecting(conn.get(), deadline);
  spdlog::debug("admin console: connected");
  return std::make_unique<PgBouncerConsole>(std::move(conn), deadline);
}

}  // namespace pgdeploy

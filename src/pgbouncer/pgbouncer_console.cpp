#include "pgbouncer/pgbouncer_console.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <vector>

#include "postgres/bounded_connection.hpp"
#include "postgres/conninfo.hpp"
#include "ssh/remote_host.hpp"
#include "util/deadline.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

constexpr const char* step = "admin console";

class PgBouncerConsole final : public AdminConsole {
 public:
  PgBouncerConsole(std::unique_ptr<BoundedConnection> conn, HostDeadline& deadline)
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

  bool has_admin_rights() override { return probe_admin_rights(*this); }

  ConsoleRows show(const std::string& what) override {
    const std::string command = "SHOW " + what;
    spdlog::debug("admin console: {}", command);
    const ResultPtr result = run(command.c_str(), PGRES_TUPLES_OK);
    ConsoleRows rows(1);
    for (int field = 0; field < PQnfields(result.get()); ++field) {
      rows[0].emplace_back(PQfname(result.get(), field));
    }
    for (int row = 0; row < PQntuples(result.get()); ++row) {
      std::vector<std::string>& fields = rows.emplace_back();
      for (int field = 0; field < PQnfields(result.get()); ++field) {
        fields.emplace_back(PQgetvalue(result.get(), row, field));
      }
    }
    return rows;
  }

 private:
  // Runs one admin command with the simple query protocol, bounded by min(-t, time left).
  ResultPtr run(const char* command, ExecStatusType expected) {
    deadline_.check();
    ResultPtr result(nullptr, &PQclear);
    try {
      result = conn_->run([command](PGconn* conn) { return PQsendQuery(conn, command); });
    } catch (const LibpqFailure& e) {
      throw deadline_.failure(step, std::string(command) + ": " + e.what());
    }
    if (PQresultStatus(result.get()) != expected) {
      throw HostError(step, std::string(command) + " failed: " +
                                scrub_libpq_message(PQresultErrorMessage(result.get())));
    }
    return result;
  }

  std::unique_ptr<BoundedConnection> conn_;
  HostDeadline& deadline_;
};

}  // namespace

std::unique_ptr<AdminConsole> PgBouncerConnector::connect(const std::string& admin_conninfo,
                                                          HostDeadline& deadline) {
  deadline.begin(step);
  deadline.check();
  // Parsed first: libpq's own message would quote what it cannot parse, a password maybe.
  if (is_connection_string(admin_conninfo)) {
    try {
      parse_conninfo(admin_conninfo);
    } catch (const std::invalid_argument& e) {
      throw HostError(step, std::string("admin_conninfo: ") + e.what());
    }
  }
  // The first dbname is expanded as a conninfo; the later keywords override what it says.
  const std::vector<const char*> keys{"dbname", "dbname", "fallback_application_name", nullptr};
  const std::vector<const char*> values{admin_conninfo.c_str(), "pgbouncer", "pgdeploy", nullptr};
  std::unique_ptr<BoundedConnection> conn;
  try {
    conn = std::make_unique<BoundedConnection>(
        keys, values, std::chrono::duration_cast<std::chrono::seconds>(deadline.operation()),
        [&deadline] { return deadline.wait_end(); });
  } catch (const LibpqFailure& e) {
    throw deadline.failure(step, std::string("cannot connect: ") + e.what());
  }
  spdlog::debug("admin console: connected");
  return std::make_unique<PgBouncerConsole>(std::move(conn), deadline);
}

}  // namespace pgdeploy

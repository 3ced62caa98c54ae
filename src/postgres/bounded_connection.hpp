#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "postgres/conninfo.hpp"

namespace pgdeploy {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

// A libpq call that failed or ran out of time; the message is safe to log (no conninfo).
class LibpqFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A libpq connection whose every round trip, set-up included, ends within a client-side
// deadline whatever the server does. connect_timeout bounds only the set-up (and 0 means
// forever), and statement_timeout is enforced by the server: neither ends a wait on a server
// that accepted the connection and then stopped answering.
class BoundedConnection {
 public:
  // Connects with libpq's keyword arrays (null-terminated; a dbname holding a conninfo is
  // expanded, later keywords override it) within TIMEOUT. Throws LibpqFailure.
  BoundedConnection(const std::vector<const char*>& keys, const std::vector<const char*>& values,
                    std::chrono::seconds timeout);

  // When each wait that starts now must end, when something other than TIMEOUT decides it
  // (an app server's whole deadline, which may come sooner).
  using WaitEnd = std::function<std::chrono::steady_clock::time_point()>;
  BoundedConnection(const std::vector<const char*>& keys, const std::vector<const char*>& values,
                    std::chrono::seconds timeout, WaitEnd wait_end);

  // Sends one query with SEND (PQsendQuery or PQsendQueryParams on the given connection) and
  // returns its first result, status unchecked, within TIMEOUT. On expiry asks the server to
  // cancel the query, closes the connection and throws LibpqFailure naming host and port.
  ResultPtr run(const std::function<int(PGconn*)>& send);

  // The settings libpq connected with: the conninfo, a service file, PG* variables and
  // libpq's defaults applied.
  [[nodiscard]] ConnInfo settings() const;

  // The live connection, for libpq calls that do not wait on the server (quoting).
  [[nodiscard]] PGconn* get() const { return conn_.get(); }

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  void await(short events, Deadline deadline) const;
  void wait_for_result(Deadline deadline);
  [[noreturn]] void fail() const;
  [[noreturn]] void give_up();
  [[nodiscard]] std::string where() const;

  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
  [[nodiscard]] Deadline next_deadline() const;

  std::chrono::seconds timeout_;
  WaitEnd wait_end_;
};

}  // namespace pgdeploy

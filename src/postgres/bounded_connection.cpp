#include "postgres/bounded_connection.hpp"

#include <poll.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <future>
#include <thread>

namespace pgdeploy {
namespace {

using Clock = std::chrono::steady_clock;

// How long a cancel request may take. PQcancel blocks until the server closes the cancel
// connection, which a stopped server never does.
constexpr std::chrono::seconds cancel_wait{1};

// Thrown by await when the deadline passes; turned into a LibpqFailure by the caller.
struct DeadlinePassed {};

// Asks the server to cancel the running query, waiting at most cancel_wait. The request runs
// on a thread of its own that is left behind when the server does not answer: it owns its
// PGcancel and touches nothing else.
void cancel_bounded(PGconn* conn) {
  PGcancel* cancel = PQgetCancel(conn);
  if (cancel == nullptr) {
    return;
  }
  auto finished = std::make_shared<std::promise<void>>();
  std::future<void> done = finished->get_future();
  std::thread([cancel, finished] {
    std::array<char, 256> error{};
    PQcancel(cancel, error.data(), static_cast<int>(error.size()));
    PQfreeCancel(cancel);
    finished->set_value();
  }).detach();
  done.wait_for(cancel_wait);
}

}  // namespace

BoundedConnection::BoundedConnection(const std::vector<const char*>& keys,
                                     const std::vector<const char*>& values,
                                     std::chrono::seconds timeout)
    : BoundedConnection(keys, values, timeout, nullptr) {}

BoundedConnection::BoundedConnection(const std::vector<const char*>& keys,
                                     const std::vector<const char*>& values,
                                     std::chrono::seconds timeout, WaitEnd wait_end)
    : conn_(PQconnectStartParams(keys.data(), values.data(), 1), &PQfinish),
      timeout_(timeout),
      wait_end_(std::move(wait_end)) {
  if (!conn_) {
    throw LibpqFailure("out of memory");
  }
  const Deadline deadline = next_deadline();
  // Before the first PQconnectPoll, libpq wants the socket to be writable.
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED || PQstatus(conn_.get()) == CONNECTION_BAD) {
      fail();
    }
    try {
      await(state == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
    } catch (const DeadlinePassed&) {
      give_up();
    }
    state = PQconnectPoll(conn_.get());
  }
  // Non-blocking from now on: libpq never waits by itself, not even to send (PQfinish's
  // goodbye to a server that stopped reading included).
  PQsetnonblocking(conn_.get(), 1);
}

ResultPtr BoundedConnection::run(const std::function<int(PGconn*)>& send) {
  if (!conn_) {
    throw LibpqFailure("the connection was closed after an earlier timeout");
  }
  if (send(conn_.get()) == 0) {
    fail();
  }
  const Deadline deadline = next_deadline();
  ResultPtr first(nullptr, &PQclear);
  try {
    // The whole query must be sent; the server may have to be read meanwhile (libpq's docs).
    int flushed = 0;
    while ((flushed = PQflush(conn_.get())) == 1) {
      await(POLLIN | POLLOUT, deadline);
      if (PQconsumeInput(conn_.get()) == 0) {
        fail();
      }
    }
    if (flushed < 0) {
      fail();
    }
    // Every result up to the end of the query, so that the connection is ready for the next.
    for (;;) {
      wait_for_result(deadline);
      PGresult* next = PQgetResult(conn_.get());
      if (next == nullptr) {
        break;
      }
      if (first) {
        PQclear(next);
      } else {
        first.reset(next);
      }
    }
  } catch (const DeadlinePassed&) {
    give_up();
  }
  return first;
}

BoundedConnection::Deadline BoundedConnection::next_deadline() const {
  return wait_end_ ? wait_end_() : Clock::now() + timeout_;
}

ConnInfo BoundedConnection::settings() const {
  ConnInfo settings;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfo(conn_.get()),
                                                                       &PQconninfoFree);
  for (const PQconninfoOption* option = options.get();
       (option != nullptr) && (option->keyword != nullptr); ++option) {
    if (option->val != nullptr && option->val[0] != '\0') {
      settings.emplace(option->keyword, option->val);
    }
  }
  return settings;
}

void BoundedConnection::await(short events, Deadline deadline) const {
  if (PQsocket(conn_.get()) < 0) {
    fail();
  }
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      throw DeadlinePassed{};
    }
    pollfd fd{PQsocket(conn_.get()), events, 0};
    const int ready = poll(&fd, 1, static_cast<int>(left));
    if (ready > 0) {
      return;
    }
    // A signal (SIGTERM) interrupts poll; the deadline still holds.
    if (ready < 0 && errno != EINTR) {
      throw LibpqFailure(std::string("poll: ") + std::strerror(errno));
    }
  }
}

void BoundedConnection::wait_for_result(Deadline deadline) {
  while (PQisBusy(conn_.get()) != 0) {
    await(POLLIN, deadline);
    if (PQconsumeInput(conn_.get()) == 0) {
      fail();
    }
  }
}

void BoundedConnection::fail() const {
  throw LibpqFailure(scrub_libpq_message(PQerrorMessage(conn_.get())));
}

void BoundedConnection::give_up() {
  const std::string message =
      where() + " did not answer within " + std::to_string(timeout_.count()) + " s";
  // Only an established connection has a query to cancel.
  if (PQstatus(conn_.get()) == CONNECTION_OK) {
    cancel_bounded(conn_.get());
  }
  conn_.reset();
  throw LibpqFailure(message);
}

std::string BoundedConnection::where() const {
  const char* host = PQhost(conn_.get());
  const char* port = PQport(conn_.get());
  return std::string("the server at ") + (host != nullptr && (*host != 0) ? host : "(default)") +
         ":" + (port != nullptr && (*port != 0) ? port : "(default)");
}

}  // namespace pgdeploy

// The etcd client against a real etcd on loopback (etcd_server.hpp).

#include "etcd/etcd_client.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>

#include "etcd_server.hpp"
#include "support/loopback_port.hpp"

namespace pgdeploy::etcd {
namespace {

using std::chrono::milliseconds;
using test::EtcdServer;

TimeLimits limits(milliseconds operation = milliseconds(2000)) {
  return TimeLimits::operations_only(operation);
}

EtcdClient client_of(const EtcdServer& server, milliseconds operation = milliseconds(2000)) {
  return {EtcdSettings{{server.endpoint()}, {}, {}, {}}, limits(operation)};
}

milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
}

// The next message of WATCH that is not a bare progress notification, within 5 s.
WatchResponse next_message(Watch& watch) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < end) {
    auto message = watch.next(milliseconds(500));
    if (message && (message->kind != WatchResponse::Kind::events || !message->events.empty())) {
      return *message;
    }
  }
  throw std::runtime_error("no watch message within 5 s");
}

// One etcd for the tests that leave it running; each uses keys of its own.
class EtcdClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server = new EtcdServer(); }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static EtcdServer* server;
};
EtcdServer* EtcdClientTest::server = nullptr;

TEST_F(EtcdClientTest, PutThenRangeOfAPrefix) {
  auto client = client_of(*server);
  const auto first = client.put("/put/a", "1");
  client.put("/put/b", std::string("two\0bytes", 9));
  client.put("/put0", "outside the prefix");
  const auto read = client.range("/put/", true);
  ASSERT_EQ(read.kvs.size(), 2U);
  EXPECT_EQ(read.kvs[0].key, "/put/a");
  EXPECT_EQ(read.kvs[0].value, "1");
  EXPECT_EQ(read.kvs[0].mod_revision, first);
  EXPECT_EQ(read.kvs[1].value, std::string("two\0bytes", 9));
  EXPECT_GE(read.revision, first + 2);
  EXPECT_TRUE(client.range("/put/missing").kvs.empty());
}

TEST_F(EtcdClientTest, ReadOfSeveralKeysSeesThemAtOneRevision) {
  auto client = client_of(*server);
  client.put("/keys/a", "1");
  client.put("/keys/ab", "not asked for");
  const auto last = client.put("/keys/c", "3");
  const auto read = client.read_keys({"/keys/a", "/keys/b", "/keys/c"});
  ASSERT_EQ(read.kvs.size(), 2U);
  EXPECT_EQ(read.kvs[0].key, "/keys/a");
  EXPECT_EQ(read.kvs[1].key, "/keys/c");
  EXPECT_EQ(read.kvs[1].value, "3");
  EXPECT_EQ(read.kvs[1].mod_revision, last);
  EXPECT_GE(read.revision, last);
}

TEST_F(EtcdClientTest, TransactionRunsItsSuccessOnlyWhenEveryCompareHolds) {
  auto client = client_of(*server);
  const auto written = client.put("/txn/epoch", "e1");
  client.put("/txn/old", "x");
  Transaction txn;
  txn.compares = {
      {"/txn/epoch", Compare::Target::mod_revision, Compare::Result::equal, written, {}},
      {"/txn/epoch", Compare::Target::value, Compare::Result::equal, 0, "e1"},
      {"/txn/new", Compare::Target::version, Compare::Result::equal, 0, {}}};
  txn.success = {{Operation::Kind::put, "/txn/epoch", "e2", 0, false},
                 {Operation::Kind::put, "/txn/new", "n", 0, false},
                 {Operation::Kind::remove, "/txn/old", {}, 0, false}};
  txn.failure = {{Operation::Kind::put, "/txn/lost", "l", 0, false}};
  const auto won = client.txn(txn);
  EXPECT_TRUE(won.succeeded);
  EXPECT_EQ(client.range("/txn/epoch").kvs.at(0).value, "e2");
  EXPECT_EQ(client.range("/txn/new").kvs.at(0).value, "n");
  EXPECT_TRUE(client.range("/txn/old").kvs.empty());

  // The same again: the epoch's mod revision moved, so the compare fails and only the
  // failure branch runs.
  const auto lost = client.txn(txn);
  EXPECT_FALSE(lost.succeeded);
  EXPECT_EQ(client.range("/txn/epoch").kvs.at(0).value, "e2");
  EXPECT_EQ(client.range("/txn/lost").kvs.at(0).value, "l");
}

TEST_F(EtcdClientTest, KeyOnALeaseGoesWhenTheLeaseExpires) {
  auto client = client_of(*server);
  const auto lease = client.grant_lease(2);
  EXPECT_NE(lease.id, 0);
  EXPECT_EQ(lease.ttl, 2);
  client.put("/lease/ack", "alive", lease.id);
  EXPECT_EQ(client.range("/lease/ack").kvs.at(0).lease, lease.id);
  EXPECT_GT(client.keep_alive(lease.id).ttl, 0);
  const auto start = std::chrono::steady_clock::now();
  while (!client.range("/lease/ack").kvs.empty() && since(start) < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_TRUE(client.range("/lease/ack").kvs.empty()) << "the key outlived its lease";
  EXPECT_EQ(client.keep_alive(lease.id).ttl, 0);
}

TEST_F(EtcdClientTest, RevokedLeaseTakesItsKeysAtOnce) {
  auto client = client_of(*server);
  const auto lease = client.grant_lease(60);
  client.put("/revoke/ack", "alive", lease.id);
  client.revoke_lease(lease.id);
  EXPECT_TRUE(client.range("/revoke/ack").kvs.empty());
}

TEST_F(EtcdClientTest, WatchReportsAPutAndADelete) {
  auto client = client_of(*server);
  const auto now = client.range("/watch/", true).revision;
  auto watch = client.watch({"/watch/", true, now + 1, true, {}});
  client.put("/watch/k", "v1");
  client.txn({{}, {{Operation::Kind::remove, "/watch/k", {}, 0, false}}, {}});
  auto message = next_message(*watch);
  ASSERT_EQ(message.kind, WatchResponse::Kind::events);
  ASSERT_GE(message.events.size(), 1U);
  EXPECT_EQ(message.events[0].type, WatchEvent::Type::put);
  EXPECT_EQ(message.events[0].kv.key, "/watch/k");
  EXPECT_EQ(message.events[0].kv.value, "v1");
  if (message.events.size() == 1) {
    message = next_message(*watch);
  } else {
    message.events.erase(message.events.begin());
  }
  EXPECT_EQ(message.events.at(0).type, WatchEvent::Type::remove);
}

TEST_F(EtcdClientTest, WatchFromACompactedRevisionSaysSo) {
  auto client = client_of(*server);
  const auto first = client.put("/compact/k", "1");
  client.put("/compact/k", "2");
  const auto last = client.put("/compact/k", "3");
  client.compact(last);
  auto watch = client.watch({"/compact/", true, first, true, {}});
  const auto message = next_message(*watch);
  EXPECT_EQ(message.kind, WatchResponse::Kind::compacted);
  EXPECT_EQ(message.compact_revision, last);
}

TEST_F(EtcdClientTest, NextEndpointAnswersWhenTheFirstAreDead) {
  const test::LoopbackPort refusing(false);
  const test::LoopbackPort silent(true);
  const std::string refused = "http://127.0.0.1:" + std::to_string(refusing.port());
  const std::string hanging = "http://127.0.0.1:" + std::to_string(silent.port());
  EtcdClient client({{refused, hanging, server->endpoint()}, {}, {}, {}},
                    limits(milliseconds(500)));
  const auto start = std::chrono::steady_clock::now();
  client.put("/failover/k", "v");
  EXPECT_LT(since(start), milliseconds(1500));
  EXPECT_EQ(client.range("/failover/k").kvs.at(0).value, "v");
  // The endpoint that answered is tried first from then on.
  const auto again = std::chrono::steady_clock::now();
  client.range("/failover/k");
  EXPECT_LT(since(again), milliseconds(400));
  auto watch = client.watch({"/failover/", true, 0, true, {}});
  EXPECT_EQ(watch->endpoint(), server->endpoint());
}

// A member cut off from the others has no leader: here the other member of two is killed.
TEST(EtcdClientCluster, AMemberWithoutALeaderRefusesAndEndsItsWatch) {
  const auto members = EtcdServer::cluster(2);
  auto client = client_of(*members[0]);
  client.put("/leader/a", "1");
  const auto watch = client.watch({"/leader/", true, 0, true, {}});
  members[1]->kill_now();
  // etcd ends a watch that requires a leader after about three election timeouts (1 s each).
  std::string ended;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (ended.empty() && std::chrono::steady_clock::now() < end) {
    try {
      watch->next(milliseconds(500));
    } catch (const EtcdError& e) {
      ended = e.what();
    }
  }
  EXPECT_NE(ended.find("no leader"), std::string::npos) << "the watch: " << ended;
  // A read is refused as unavailable, naming the cause, rather than waiting out -t.
  try {
    client.range("/leader/a");
    ADD_FAILURE() << "a read without a leader succeeded";
  } catch (const EtcdError& e) {
    EXPECT_NE(std::string(e.what()).find("no leader"), std::string::npos) << e.what();
  }
}

TEST(EtcdClientFaults, StoppedEtcdIsAClearErrorWithinTheTimeout) {
  EtcdServer server;
  auto client = client_of(server, milliseconds(700));
  client.put("/stop/k", "v");

  server.pause();  // the port open, nothing answering: the timeout must end the call
  auto start = std::chrono::steady_clock::now();
  try {
    client.range("/stop/k");
    ADD_FAILURE() << "a paused etcd answered";
  } catch (const EtcdError& e) {
    EXPECT_EQ(std::string(e.what()),
              "etcd " + server.endpoint() + ": no answer within 0.7 s (read of /stop/k)");
  }
  EXPECT_LT(since(start), milliseconds(1500));
  server.resume();

  auto watch = client.watch({"/stop/", true, 0, true, {}});
  server.kill_now();
  start = std::chrono::steady_clock::now();
  try {
    client.put("/stop/k", "w");
    ADD_FAILURE() << "a stopped etcd answered";
  } catch (const EtcdError& e) {
    EXPECT_NE(std::string(e.what()).find("etcd " + server.endpoint() + ": "), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("(put of /stop/k)"), std::string::npos) << e.what();
  }
  EXPECT_LT(since(start), milliseconds(1500));
  // The watch's stream ends with the server: an error, not a silent wait.
  EXPECT_THROW(
      {
        for (int i = 0; i < 10; ++i) {
          watch->next(milliseconds(500));
        }
      },
      EtcdError);
}

TEST(EtcdClientAuth, TokenFromUserAndPasswordAndThePasswordNeverLogged) {
  EtcdServer server;
  const std::string password = "s3cret-Pa55";
  server.etcdctl({"user", "add", "root:" + password});
  server.etcdctl({"auth", "enable"});

  std::ostringstream log;
  const auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);

  EtcdClient anonymous({{server.endpoint()}, {}, {}, {}}, limits());
  EXPECT_THROW(anonymous.range("/auth/k"), EtcdError);

  EtcdClient client({{server.endpoint()}, {}, "root", password}, limits());
  client.put("/auth/k", "v");
  EXPECT_EQ(client.range("/auth/k").kvs.at(0).value, "v");

  EtcdClient wrong({{server.endpoint()}, {}, "root", "not-" + password}, limits());
  try {
    wrong.range("/auth/k");
    ADD_FAILURE() << "a wrong password was accepted";
  } catch (const EtcdError& e) {
    EXPECT_NE(std::string(e.what()).find("authentication as root failed"), std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find(password), std::string::npos) << e.what();
  }
  spdlog::set_default_logger(previous);
  EXPECT_NE(log.str().find("authenticating as root"), std::string::npos) << log.str();
  EXPECT_EQ(log.str().find(password), std::string::npos) << log.str();
}

TEST(EtcdClientTls, CaAndClientCertificate) {
  EtcdServer server({true});
  EtcdClient client(
      {{server.endpoint()}, {server.ca(), server.client_cert(), server.client_key()}, {}, {}},
      limits());
  client.put("/tls/k", "v");
  EXPECT_EQ(client.range("/tls/k").kvs.at(0).value, "v");
  auto watch = client.watch({"/tls/", true, 0, true, {}});
  client.put("/tls/k", "w");
  EXPECT_EQ(next_message(*watch).events.at(0).kv.value, "w");

  // Without the CA the server's certificate cannot be checked.
  EtcdClient untrusting(
      {{server.endpoint()}, {{}, server.client_cert(), server.client_key()}, {}, {}}, limits());
  EXPECT_THROW(untrusting.range("/tls/k"), EtcdError);
  // Without a client certificate the server refuses the connection.
  EtcdClient anonymous({{server.endpoint()}, {server.ca(), {}, {}}, {}, {}}, limits());
  EXPECT_THROW(anonymous.range("/tls/k"), EtcdError);
}

}  // namespace
}  // namespace pgdeploy::etcd

int main(int argc, char** argv) {
  if (!pgdeploy::test::etcd_installed()) {
    // ctest counts the suite as skipped (SKIP_REGULAR_EXPRESSION).
    std::cout << "skipped: etcd is not installed (Debian package etcd-server)\n";
    return 0;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

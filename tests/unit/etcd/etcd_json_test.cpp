#include "etcd/etcd_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pgdeploy::etcd {
namespace {

using nlohmann::json;

TEST(EtcdJson, Base64RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes += static_cast<char>(i);
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  }
  EXPECT_EQ(base64_encode("/a/x"), "L2EveA==");
  EXPECT_EQ(base64_encode("ab"), "YWI=");
  EXPECT_EQ(base64_encode(""), "");
}

TEST(EtcdJson, Base64RejectsWhatIsNotBase64) {
  EXPECT_THROW(base64_decode("L2E"), std::runtime_error);
  EXPECT_THROW(base64_decode("L2E!"), std::runtime_error);
  EXPECT_THROW(base64_decode("L=Ev"), std::runtime_error);
  EXPECT_THROW(base64_decode("YQ==YWI="), std::runtime_error);
}

TEST(EtcdJson, PrefixEndIsTheNextKeyAfterEveryKeyWithThePrefix) {
  EXPECT_EQ(prefix_end("/pgdeploy/main/"), "/pgdeploy/main0");
  EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefix_end(std::string("\xff", 1)), std::string(1, '\0'));
}

TEST(EtcdJson, RangeOfAPrefixCarriesItsEnd) {
  const json body = json::parse(range_body("/p/", true));
  EXPECT_EQ(body["key"], base64_encode("/p/"));
  EXPECT_EQ(body["range_end"], base64_encode("/p0"));
  // Linearizable: etcd's default, so no "serializable" member.
  EXPECT_FALSE(body.contains("serializable"));
  EXPECT_FALSE(json::parse(range_body("/p/k", false)).contains("range_end"));
}

TEST(EtcdJson, TransactionEncodesEveryCompareAndOperation) {
  Transaction txn;
  txn.compares = {{"/e", Compare::Target::mod_revision, Compare::Result::equal, 7, {}},
                  {"/v", Compare::Target::version, Compare::Result::greater, 2, {}},
                  {"/c", Compare::Target::create_revision, Compare::Result::equal, 0, {}},
                  {"/s", Compare::Target::value, Compare::Result::not_equal, 0, "x"}};
  txn.success = {{Operation::Kind::put, "/e", "v", 42, false},
                 {Operation::Kind::remove, "/d/", {}, 0, true}};
  txn.failure = {{Operation::Kind::remove, "/one", {}, 0, false}};
  const json body = json::parse(txn_body(txn));
  EXPECT_EQ(body["compare"][0], json::parse(R"({"key":"L2U=","target":"MOD","result":"EQUAL",
                                               "mod_revision":"7"})"));
  EXPECT_EQ(body["compare"][1]["target"], "VERSION");
  EXPECT_EQ(body["compare"][1]["result"], "GREATER");
  EXPECT_EQ(body["compare"][1]["version"], "2");
  EXPECT_EQ(body["compare"][2]["target"], "CREATE");
  EXPECT_EQ(body["compare"][2]["create_revision"], "0");
  EXPECT_EQ(body["compare"][3]["target"], "VALUE");
  EXPECT_EQ(body["compare"][3]["result"], "NOT_EQUAL");
  EXPECT_EQ(body["compare"][3]["value"], base64_encode("x"));
  EXPECT_EQ(body["success"][0]["request_put"],
            json::parse(R"({"key":"L2U=","value":"dg==","lease":"42"})"));
  EXPECT_EQ(body["success"][1]["request_delete_range"]["range_end"], base64_encode("/d0"));
  EXPECT_EQ(body["failure"][0]["request_delete_range"], json::parse(R"({"key":"L29uZQ=="})"));
}

TEST(EtcdJson, SmallBodies) {
  EXPECT_EQ(json::parse(put_body("/k", "v", 0)), json::parse(R"({"key":"L2s=","value":"dg=="})"));
  EXPECT_EQ(json::parse(lease_grant_body(10)), json::parse(R"({"TTL":"10"})"));
  EXPECT_EQ(json::parse(lease_id_body(-5)), json::parse(R"({"ID":"-5"})"));
  EXPECT_EQ(json::parse(authenticate_body("u", "p\"w")),
            json::parse(R"({"name":"u","password":"p\"w"})"));
  EXPECT_EQ(json::parse(watch_body({"/p/", true, 12, true, {}})),
            json::parse(R"({"create_request":{"key":"L3Av","range_end":"L3Aw",
                            "start_revision":"12","progress_notify":true}})"));
}

TEST(EtcdJson, BuildsAReadAndAWatchOfAKeyRange) {
  // "/p/b" up to "/p0": the keys after "/p/a" and its subtree.
  EXPECT_EQ(json::parse(range_to_body("/p/b", "/p0")),
            json::parse(R"({"key":"L3AvYg==","range_end":"L3Aw"})"));
  EXPECT_EQ(json::parse(watch_body({"/p/b", false, 12, true, "/p0"})),
            json::parse(R"({"create_request":{"key":"L3AvYg==","range_end":"L3Aw",
                            "start_revision":"12","progress_notify":true}})"));
}

TEST(EtcdJson, ParsesARangeReply) {
  const auto result = parse_range(
      R"({"header":{"cluster_id":"1","revision":"9"},"kvs":[{"key":"L2EveA==",
          "create_revision":"2","mod_revision":"5","version":"3","value":"MQ==","lease":"7"}],
          "count":"1"})");
  EXPECT_EQ(result.revision, 9);
  ASSERT_EQ(result.kvs.size(), 1U);
  EXPECT_EQ(result.kvs[0].key, "/a/x");
  EXPECT_EQ(result.kvs[0].value, "1");
  EXPECT_EQ(result.kvs[0].create_revision, 2);
  EXPECT_EQ(result.kvs[0].mod_revision, 5);
  EXPECT_EQ(result.kvs[0].version, 3);
  EXPECT_EQ(result.kvs[0].lease, 7);
  // No key: etcd leaves "kvs" out, and an empty value is left out of a key.
  EXPECT_TRUE(parse_range(R"({"header":{"revision":"2"}})").kvs.empty());
  EXPECT_EQ(parse_range(R"({"kvs":[{"key":"YQ==","mod_revision":"1"}]})").kvs[0].value, "");
}

TEST(EtcdJson, ReadsSeveralKeysInOneTransaction) {
  EXPECT_EQ(json::parse(read_keys_body({"/a", "/b"})),
            json::parse(R"({"success":[{"request_range":{"key":"L2E="}},
                                       {"request_range":{"key":"L2I="}}]})"));
  // The second key does not exist: its response has no "kvs".
  const auto read = parse_read_keys(
      R"({"header":{"revision":"12"},"succeeded":true,"responses":[
          {"response_range":{"header":{"revision":"12"},"kvs":[{"key":"L2E=","value":"MQ==",
           "mod_revision":"4"}],"count":"1"}},
          {"response_range":{"header":{"revision":"12"}}}]})");
  EXPECT_EQ(read.revision, 12);
  ASSERT_EQ(read.kvs.size(), 1U);
  EXPECT_EQ(read.kvs[0].key, "/a");
  EXPECT_EQ(read.kvs[0].mod_revision, 4);
  EXPECT_THROW(parse_read_keys(R"({"responses":[{"response_put":{}}]})"), std::runtime_error);
}

TEST(EtcdJson, RejectsRepliesEtcdDoesNotSend) {
  EXPECT_THROW(parse_range("<html>bad gateway</html>"), std::runtime_error);
  EXPECT_THROW(parse_range(R"({"kvs":[{"key":"!!"}]})"), std::runtime_error);
  EXPECT_THROW(parse_range(R"({"header":{"revision":"x9"}})"), std::runtime_error);
  EXPECT_THROW(parse_range(R"({"error":"boom","code":3})"), std::runtime_error);
  EXPECT_THROW(parse_token(R"({"header":{}})"), std::runtime_error);
}

TEST(EtcdJson, TxnSucceededOnlyWhenSaidSo) {
  EXPECT_TRUE(parse_txn(R"({"header":{"revision":"3"},"succeeded":true})").succeeded);
  // proto3 leaves false out.
  const auto lost = parse_txn(R"({"header":{"revision":"3"},"responses":[]})");
  EXPECT_FALSE(lost.succeeded);
  EXPECT_EQ(lost.revision, 3);
}

TEST(EtcdJson, LeaseReplies) {
  const auto granted = parse_lease_grant(R"({"header":{},"ID":"4111","TTL":"5"})");
  EXPECT_EQ(granted.id, 4111);
  EXPECT_EQ(granted.ttl, 5);
  EXPECT_EQ(parse_keepalive(R"({"result":{"header":{},"ID":"4111","TTL":"5"}})").ttl, 5);
  // A revoked or expired lease: the keepalive answers without a TTL.
  EXPECT_EQ(parse_keepalive(R"({"result":{"header":{},"ID":"4111"}})").ttl, 0);
}

TEST(EtcdJson, WatchMessagesAreToldApart) {
  EXPECT_EQ(parse_watch_line(R"({"result":{"header":{"revision":"5"},"created":true}})").kind,
            WatchResponse::Kind::created);
  const auto compacted = parse_watch_line(
      R"({"result":{"header":{"raft_term":"2"},"canceled":true,"compact_revision":"4"}})");
  EXPECT_EQ(compacted.kind, WatchResponse::Kind::compacted);
  EXPECT_EQ(compacted.compact_revision, 4);
  const auto canceled = parse_watch_line(
      R"({"result":{"header":{},"canceled":true,"cancel_reason":"permission denied"}})");
  EXPECT_EQ(canceled.kind, WatchResponse::Kind::canceled);
  EXPECT_EQ(canceled.cancel_reason, "permission denied");
  const auto events = parse_watch_line(
      R"({"result":{"header":{"revision":"6"},"events":[{"kv":{"key":"L2EveA==",
          "mod_revision":"6","value":"MQ=="}},{"type":"DELETE","kv":{"key":"L2EveQ==",
          "mod_revision":"6"}}]}})");
  EXPECT_EQ(events.kind, WatchResponse::Kind::events);
  EXPECT_EQ(events.revision, 6);
  ASSERT_EQ(events.events.size(), 2U);
  EXPECT_EQ(events.events[0].type, WatchEvent::Type::put);
  EXPECT_EQ(events.events[0].kv.value, "1");
  EXPECT_EQ(events.events[1].type, WatchEvent::Type::remove);
  EXPECT_EQ(events.events[1].kv.key, "/a/y");
  EXPECT_THROW(parse_watch_line(R"({"error":{"grpc_code":14,"message":"unavailable"}})"),
               std::runtime_error);
}

TEST(EtcdJson, ErrorRepliesGiveMessageAndCode) {
  int code = 0;
  EXPECT_EQ(parse_error(R"({"error":"etcdserver: no leader","message":"etcdserver: no leader",
                            "code":14})",
                        code),
            "etcdserver: no leader");
  EXPECT_EQ(code, 14);
  EXPECT_EQ(parse_error(R"({"header":{}})", code), "");
  EXPECT_EQ(code, -1);
  EXPECT_EQ(parse_error("Not Found", code), "");
}

}  // namespace
}  // namespace pgdeploy::etcd

#include "etcd/etcd_json.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pgdeploy::etcd {
namespace {

using nlohmann::json;

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of one base64 character, or -1.
int sextet(char c) {
  const auto at = alphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// A reply as JSON; throws on anything else (an HTML error page, a cut stream).
json parse_object(std::string_view reply) {
  json parsed = json::parse(reply, nullptr, false);
  if (!parsed.is_object()) {
    throw std::runtime_error("the reply is not a JSON object: " +
                             std::string(reply.substr(0, 200)));
  }
  return parsed;
}

// A 64-bit integer: the gateway writes them as strings; absent means 0.
std::int64_t integer(const json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end()) {
    return 0;
  }
  if (found->is_number_integer()) {
    return found->get<std::int64_t>();
  }
  if (found->is_string()) {
    const auto& text = found->get_ref<const std::string&>();
    std::size_t used = 0;
    try {
      const std::int64_t value = std::stoll(text, &used);
      if (used == text.size()) {
        return value;
      }
    } catch (const std::logic_error&) {
      // reported below
    }
  }
  throw std::runtime_error(std::string("the field ") + name +
                           " is not an integer: " + found->dump());
}

// Bytes: base64 in a string; absent means empty.
std::string bytes(const json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end()) {
    return {};
  }
  if (!found->is_string()) {
    throw std::runtime_error(std::string("the field ") + name + " is not a string");
  }
  return base64_decode(found->get_ref<const std::string&>());
}

bool flag(const json& object, const char* name) {
  const auto found = object.find(name);
  return found != object.end() && found->is_boolean() && found->get<bool>();
}

std::int64_t header_revision(const json& reply) {
  const auto header = reply.find("header");
  return header == reply.end() ? 0 : integer(*header, "revision");
}

KeyValue key_value(const json& object) {
  return {bytes(object, "key"),
          bytes(object, "value"),
          integer(object, "create_revision"),
          integer(object, "mod_revision"),
          integer(object, "version"),
          integer(object, "lease")};
}

// The "result" member of a streamed or keepalive reply, which wraps the message.
const json& unwrapped(const json& reply) {
  const auto result = reply.find("result");
  return result == reply.end() ? reply : *result;
}

// A reply that is an error: thrown as such, so that no parser takes it for an answer.
void throw_if_error(const json& reply) {
  if (reply.contains("error")) {
    const auto message = reply.value("message", reply["error"].dump());
    throw std::runtime_error(message);
  }
}

json key_range(std::string_view key, bool prefix) {
  json body = {{"key", base64_encode(key)}};
  if (prefix) {
    body["range_end"] = base64_encode(prefix_end(key));
  }
  return body;
}

json operation(const Operation& op) {
  if (op.kind == Operation::Kind::remove) {
    return {{"request_delete_range", key_range(op.key, op.prefix)}};
  }
  json put = {{"key", base64_encode(op.key)}, {"value", base64_encode(op.value)}};
  if (op.lease != 0) {
    put["lease"] = std::to_string(op.lease);
  }
  return {{"request_put", put}};
}

json compare(const Compare& c) {
  static constexpr std::array<const char*, 4> results = {"EQUAL", "NOT_EQUAL", "LESS", "GREATER"};
  json body = {{"key", base64_encode(c.key)},
               {"result", results.at(static_cast<std::size_t>(c.result))}};
  switch (c.target) {
    case Compare::Target::version:
      body["target"] = "VERSION";
      body["version"] = std::to_string(c.number);
      break;
    case Compare::Target::create_revision:
      body["target"] = "CREATE";
      body["create_revision"] = std::to_string(c.number);
      break;
    case Compare::Target::mod_revision:
      body["target"] = "MOD";
      body["mod_revision"] = std::to_string(c.number);
      break;
    case Compare::Target::value:
      body["target"] = "VALUE";
      body["value"] = base64_encode(c.value);
      break;
  }
  return body;
}

json operations(const std::vector<Operation>& ops) {
  json list = json::array();
  for (const auto& op : ops) {
    list.push_back(operation(op));
  }
  return list;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      group = (group << 8U) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0U);
    }
    for (std::size_t j = 0; j < 4; ++j) {
      text += j <= n ? alphabet[(group >> (18 - 6 * j)) & 0x3FU] : '=';
    }
  }
  return text;
}

std::string base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    throw std::runtime_error("invalid base64: length " + std::to_string(text.size()));
  }
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t group = 0;
    std::size_t padding = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      const bool pad = c == '=' && i + 4 == text.size() && j >= 2;
      const int value = pad ? 0 : sextet(c);
      if (value < 0 || (padding > 0 && !pad)) {
        throw std::runtime_error("invalid base64 at offset " + std::to_string(i + j));
      }
      padding += pad ? 1 : 0;
      group = (group << 6U) | static_cast<std::uint32_t>(value);
    }
    for (std::size_t j = 0; j < 3 - padding; ++j) {
      out += static_cast<char>((group >> (16 - 8 * j)) & 0xFFU);
    }
  }
  return out;
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xFF) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  // Every byte 0xff (or no prefix): etcd's "\0" means to the end of the key space.
  return {'\0'};
}

std::string range_body(std::string_view key, bool prefix) { return key_range(key, prefix).dump(); }

std::string range_to_body(std::string_view key, std::string_view range_end) {
  return json{{"key", base64_encode(key)}, {"range_end", base64_encode(range_end)}}.dump();
}

std::string put_body(std::string_view key, std::string_view value, std::int64_t lease) {
  return operation({Operation::Kind::put, std::string(key), std::string(value), lease, false})
      .at("request_put")
      .dump();
}

std::string txn_body(const Transaction& txn) {
  json compares = json::array();
  for (const auto& c : txn.compares) {
    compares.push_back(compare(c));
  }
  return json{{"compare", compares},
              {"success", operations(txn.success)},
              {"failure", operations(txn.failure)}}
      .dump();
}

std::string read_keys_body(const std::vector<std::string>& keys) {
  json reads = json::array();
  for (const auto& key : keys) {
    reads.push_back({{"request_range", key_range(key, false)}});
  }
  return json{{"success", reads}}.dump();
}

std::string lease_grant_body(std::int64_t ttl_seconds) {
  return json{{"TTL", std::to_string(ttl_seconds)}}.dump();
}

std::string lease_id_body(std::int64_t id) { return json{{"ID", std::to_string(id)}}.dump(); }

std::string authenticate_body(std::string_view user, std::string_view password) {
  return json{{"name", user}, {"password", password}}.dump();
}

std::string watch_body(const WatchRequest& request) {
  json create = key_range(request.key, request.prefix);
  if (!request.prefix && !request.range_end.empty()) {
    create["range_end"] = base64_encode(request.range_end);
  }
  if (request.start_revision > 0) {
    create["start_revision"] = std::to_string(request.start_revision);
  }
  create["progress_notify"] = request.progress_notify;
  return json{{"create_request", create}}.dump();
}

std::string compaction_body(std::int64_t revision) {
  return json{{"revision", std::to_string(revision)}, {"physical", true}}.dump();
}

RangeResult parse_range(std::string_view reply) {
  const json parsed = parse_object(reply);
  throw_if_error(parsed);
  RangeResult result{header_revision(parsed), {}};
  for (const auto& kv : parsed.value("kvs", json::array())) {
    result.kvs.push_back(key_value(kv));
  }
  return result;
}

std::int64_t parse_put(std::string_view reply) {
  const json parsed = parse_object(reply);
  throw_if_error(parsed);
  return header_revision(parsed);
}

TxnResult parse_txn(std::string_view reply) {
  const json parsed = parse_object(reply);
  throw_if_error(parsed);
  // "succeeded" is left out when false (proto3's default values are not written).
  return {flag(parsed, "succeeded"), header_revision(parsed)};
}

RangeResult parse_read_keys(std::string_view reply) {
  const json parsed = parse_object(reply);
  throw_if_error(parsed);
  RangeResult result{header_revision(parsed), {}};
  for (const auto& response : parsed.value("responses", json::array())) {
    const auto range = response.find("response_range");
    if (range == response.end() || !range->is_object()) {
      throw std::runtime_error("a response of the transaction is not a read");
    }
    // A read that found nothing has no "kvs" (proto3 leaves out empty lists).
    for (const auto& kv : range->value("kvs", json::array())) {
      result.kvs.push_back(key_value(kv));
    }
  }
  return result;
}

Lease parse_lease_grant(std::string_view reply) {
  const json parsed = parse_object(reply);
  // Also a refused grant: LeaseGrantResponse carries its reason in "error".
  throw_if_error(parsed);
  return {integer(parsed, "ID"), integer(parsed, "TTL")};
}

Lease parse_keepalive(std::string_view reply) {
  const json parsed = parse_object(reply);
  throw_if_error(parsed);
  const json& result = unwrapped(parsed);
  throw_if_error(result);
  return {integer(result, "ID"), integer(result, "TTL")};
}

std::string parse_token(std::string_view reply) {
  const json parsed = parse_object(reply);
  throw_if_error(parsed);
  std::string token = parsed.value("token", std::string());
  if (token.empty()) {
    throw std::runtime_error("the authentication reply has no token");
  }
  return token;
}

WatchResponse parse_watch_line(std::string_view line) {
  const json parsed = parse_object(line);
  throw_if_error(parsed);
  const json& result = unwrapped(parsed);
  WatchResponse response;
  response.revision = header_revision(result);
  response.compact_revision = integer(result, "compact_revision");
  response.cancel_reason = result.value("cancel_reason", std::string());
  if (response.compact_revision > 0) {
    response.kind = WatchResponse::Kind::compacted;
  } else if (flag(result, "canceled")) {
    response.kind = WatchResponse::Kind::canceled;
  } else if (flag(result, "created")) {
    response.kind = WatchResponse::Kind::created;
  }
  for (const auto& event : result.value("events", json::array())) {
    const bool removed = event.value("type", std::string()) == "DELETE";
    response.events.push_back(
        {removed ? WatchEvent::Type::remove : WatchEvent::Type::put, key_value(event.at("kv"))});
  }
  return response;
}

std::string parse_error(std::string_view reply, int& code) {
  code = -1;
  const json parsed = json::parse(reply, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("error")) {
    return {};
  }
  if (parsed.contains("code") && parsed["code"].is_number_integer()) {
    code = parsed["code"].get<int>();
  }
  const auto& message = parsed.contains("message") ? parsed["message"] : parsed["error"];
  return message.is_string() ? message.get<std::string>() : message.dump();
}

}  // namespace pgdeploy::etcd

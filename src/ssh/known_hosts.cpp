#include "ssh/known_hosts.hpp"

#include <libssh/libssh.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <memory>
#include <vector>

#include "util/text.hpp"

namespace pgdeploy {
namespace {

std::vector<std::string> split(std::string_view text, std::string_view separators) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while ((at = text.find_first_not_of(separators, at)) != std::string_view::npos) {
    const std::size_t end = std::min(text.find_first_of(separators, at), text.size());
    parts.emplace_back(text.substr(at, end - at));
    at = end;
  }
  return parts;
}

std::optional<std::string> base64_decoded(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string bytes(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts the bytes the padding stands for as zeros.
  const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  bytes.resize(static_cast<std::size_t>(n) - padding);
  return bytes;
}

// True when the hashed pattern |1|SALT|HASH is HMAC-SHA1(SALT, NAME), as OpenSSH writes it.
bool hashed_match(const std::string& pattern, const std::string& name) {
  const std::vector<std::string> parts = split(pattern.substr(3), "|");
  if (parts.size() != 2) {
    return false;
  }
  const auto salt = base64_decoded(parts[0]);
  const auto hash = base64_decoded(parts[1]);
  if (!salt || !hash) {
    return false;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (HMAC(EVP_sha1(), salt->data(), static_cast<int>(salt->size()),
           reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest.data(),
           &length) == nullptr) {
    return false;
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), length) == *hash;
}

// True when NAME matches PATTERN, where * stands for any run of characters and ? for one, in
// any case: libssh's wildcards (brackets, as in [host]:port, are plain characters).
bool wildcard_match(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) {
    return name.empty();
  }
  if (pattern.front() == '*') {
    for (std::size_t skip = 0; skip <= name.size(); ++skip) {
      if (wildcard_match(pattern.substr(1), name.substr(skip))) {
        return true;
      }
    }
    return false;
  }
  return !name.empty() &&
         (pattern.front() == '?' || std::tolower(static_cast<unsigned char>(pattern.front())) ==
                                        std::tolower(static_cast<unsigned char>(name.front()))) &&
         wildcard_match(pattern.substr(1), name.substr(1));
}

// True when the comma-separated HOSTS field of a line names NAME, as libssh matches it:
// hashed entries, wildcards, and a negated pattern that vetoes the line.
bool names_host(const std::string& hosts, const std::string& name) {
  bool matched = false;
  for (const std::string& pattern : split(hosts, ",")) {
    if (pattern.starts_with("|1|")) {
      matched = matched || hashed_match(pattern, name);
    } else if (pattern.starts_with('!')) {
      if (wildcard_match(std::string_view(pattern).substr(1), name)) {
        return false;
      }
    } else if (wildcard_match(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

// Why the fields after the hosts (key type, base64 key, comment) cannot be read; empty when
// they can.
std::string key_problem(const std::vector<std::string>& fields) {
  if (fields.size() < 3) {
    return "no key after the host name";
  }
  const ssh_keytypes_e type = ssh_key_type_from_name(fields[1].c_str());
  if (type == SSH_KEYTYPE_UNKNOWN) {
    return "unknown key type " + printable(fields[1]);
  }
  ssh_key key = nullptr;
  if (ssh_pki_import_pubkey_base64(fields[2].c_str(), type, &key) != SSH_OK) {
    return "its " + fields[1] + " key does not decode";
  }
  ssh_key_free(key);
  return {};
}

}  // namespace

std::optional<CorruptKnownHost> corrupt_known_host(const std::filesystem::path& path,
                                                   const std::string& address, int port) {
  const std::string name = port == 22 ? address : "[" + address + "]:" + std::to_string(port);
  std::ifstream in(path);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const std::vector<std::string> fields = split(line, " \t\r");
    // Markers (@cert-authority, @revoked) are lines libssh does not take as host keys.
    if (fields.empty() || fields[0].starts_with('#') || fields[0].starts_with('@') ||
        !names_host(fields[0], name)) {
      continue;
    }
    if (std::string why = key_problem(fields); !why.empty()) {
      return CorruptKnownHost{number, std::move(why)};
    }
  }
  return std::nullopt;
}

std::string describe(const CorruptKnownHost& corrupt, const std::filesystem::path& path) {
  return "known_hosts line " + path.string() + ":" + std::to_string(corrupt.line) +
         " is corrupt (" + corrupt.why + "); repair or delete it";
}

}  // namespace pgdeploy

#include "pgdeploy/text.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "pgdeploy/errors.hpp"

namespace pgdeploy {

std::string_view trim(std::string_view text) {
  constexpr std::string_view blanks = " \t\r";
  const auto first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

std::string one_line(std::string_view text) {
  std::string line;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    if (const std::string_view part = trim(text.substr(0, end)); !part.empty()) {
      line += (line.empty() ? "" : "; ") + std::string(part);
    }
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return line;
}

std::string read_whole_file(const std::filesystem::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw usage_error("cannot read " + what + " " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string_view clip_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return text;
  }
  std::size_t end = max_bytes;
  // A byte 10xxxxxx continues the character before it: cut before that character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

}  // namespace pgdeploy

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

}  // namespace pgdeploy

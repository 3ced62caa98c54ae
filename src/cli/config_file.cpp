#include "cli/config_file.hpp"

#include <ini.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <optional>

#include "cli/options.hpp"
#include "util/errors.hpp"
#include "util/text.hpp"

namespace pgdeploy {
namespace {

constexpr std::string_view global_section = "pgdeploy";
constexpr std::string_view cluster_section = "cluster";
constexpr std::string_view blanks = " \t\r";
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// What a section is for this run.
enum class SectionKind { none, global, this_cluster, other_cluster, unknown };

SectionKind classify(std::string_view section, const std::string& cluster) {
  section = trim(section);
  if (section.empty()) {
    return SectionKind::none;
  }
  if (section == global_section) {
    return SectionKind::global;
  }
  if (section.starts_with(cluster_section) && section.size() > cluster_section.size() &&
      blanks.find(section[cluster_section.size()]) != std::string_view::npos) {
    const std::string name(trim(section.substr(cluster_section.size())));
    if (is_valid_cluster_name(name)) {
      return name == cluster ? SectionKind::this_cluster : SectionKind::other_cluster;
    }
  }
  return SectionKind::unknown;
}

// The state of one parse, shared by the line reader and the entry handler. inih's handler gets
// no line number (ini.h's default, and Debian's build, leave INI_HANDLER_LINENO off), but inih
// calls the handler for a line before it reads the next one, so the reader's count is the
// handler's line. The section is tracked here too because inih truncates section names to 49
// bytes.
struct Parse {
  Parse(std::string_view text, const std::string& cluster_name)
      : lines(split_lines(text)), cluster(cluster_name) {}

  std::vector<std::string_view> lines;
  std::size_t next = 0;
  int line = 0;
  std::string section;
  int section_line = 0;
  const std::string& cluster;
  std::vector<ConfigEntry> global;
  std::vector<ConfigEntry> own;
  std::optional<int> error_line;
  std::string error;

  // Keeps the error of the earliest line.
  void fail(int at, std::string message) {
    if (!error_line || at < *error_line) {
      error_line = at;
      error = std::move(message);
    }
  }
};

// An fgets-like ini_reader that hands inih one whole line at a time.
char* read_line(char* buffer, int size, void* stream) {
  auto& parse = *static_cast<Parse*>(stream);
  if (parse.next == parse.lines.size() || size < 2) {
    return nullptr;
  }
  parse.line = static_cast<int>(++parse.next);
  std::string_view text = parse.lines[parse.next - 1];
  if (parse.line == 1 && text.starts_with(utf8_bom)) {
    text.remove_prefix(utf8_bom.size());
  }
  // Without its indentation, a line is never taken as the continuation of the previous value.
  text.remove_prefix(std::min(text.find_first_not_of(blanks), text.size()));
  // inih would split a longer line and read its tail as a line of its own.
  const std::size_t longest = static_cast<std::size_t>(size) - 2;  // room for "\n\0"
  if (text.size() > longest) {
    parse.fail(parse.line, "line longer than " + std::to_string(longest) + " characters");
    text = {};
  }
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close != std::string_view::npos) {
      parse.section = std::string(text.substr(1, close - 1));
      parse.section_line = parse.line;
    }
  }
  text.copy(buffer, text.size());
  buffer[text.size()] = '\n';
  buffer[text.size() + 1] = '\0';
  return buffer;
}

// The ini_handler: files the entry under its section. Returns nonzero; errors go to Parse.
int on_entry(void* user, const char* /*section*/, const char* key, const char* value) {
  auto& parse = *static_cast<Parse*>(user);
  try {
    // inih passes no null value unless ini_allow_no_value is set, but the flag is process-wide.
    ConfigEntry entry{key, value != nullptr ? value : "", parse.line};
    const SectionKind kind = classify(parse.section, parse.cluster);
    if (entry.key == default_cluster_key &&
        (kind == SectionKind::this_cluster || kind == SectionKind::other_cluster)) {
      parse.fail(parse.line, std::string(default_cluster_key) + " belongs in [" +
                                 std::string(global_section) +
                                 "]: it names the cluster a run without -c is for");
      return 1;
    }
    switch (kind) {
      case SectionKind::global:
        parse.global.push_back(std::move(entry));
        break;
      case SectionKind::this_cluster:
        parse.own.push_back(std::move(entry));
        break;
      case SectionKind::other_cluster:
        break;
      case SectionKind::none:
        parse.fail(parse.line, std::string(key) + " is outside any section; settings go under [" +
                                   std::string(global_section) + "] or [cluster NAME]");
        break;
      case SectionKind::unknown:
        parse.fail(parse.section_line, "unknown section [" + parse.section + "]; expected [" +
                                           std::string(global_section) + "] or [cluster NAME]");
        break;
    }
  } catch (const std::exception& e) {
    // No exception may cross inih's C frames.
    parse.fail(parse.line, e.what());
  }
  return 1;
}

}  // namespace

std::vector<ConfigEntry> parse_config_text(std::string_view text, const std::string& origin,
                                           const std::string& cluster) {
  Parse parse(text, cluster);
  const int syntax_error = ini_parse_stream(read_line, &parse, on_entry, &parse);
  if (syntax_error != 0 && (!parse.error_line || syntax_error < *parse.error_line)) {
    if (syntax_error < 0) {
      throw usage_error(origin + ": cannot parse (inih error " + std::to_string(syntax_error) +
                        ")");
    }
    parse.fail(syntax_error, "expected [section], key = value, or a comment");
  }
  if (parse.error_line) {
    throw usage_error(origin + ":" + std::to_string(*parse.error_line) + ": " + parse.error);
  }
  std::vector<ConfigEntry> entries = std::move(parse.global);
  entries.insert(entries.end(), parse.own.begin(), parse.own.end());
  return entries;
}

std::vector<ConfigEntry> read_config_file(const std::filesystem::path& path,
                                          const std::string& cluster) {
  const auto unreadable = [&path] {
    return usage_error("cannot read configuration file " + path.string() + ": " +
                       std::strerror(errno));
  };
  std::ifstream in(path);
  if (!in) {
    throw unreadable();
  }
  // getline, unlike `<< rdbuf()`, reports a read error (a directory, say) as badbit.
  std::string text;
  for (std::string line; std::getline(in, line);) {
    text += line;
    text += '\n';
  }
  if (in.bad()) {
    throw unreadable();
  }
  return parse_config_text(text, path.string(), cluster);
}

std::optional<std::string> read_default_cluster(const std::filesystem::path& path) {
  // With no cluster to match, only the entries of [pgdeploy] come back.
  const std::vector<ConfigEntry> entries = read_config_file(path, "");
  const auto last = std::find_if(entries.rbegin(), entries.rend(), [](const ConfigEntry& entry) {
    return entry.key == default_cluster_key;
  });
  if (last == entries.rend()) {
    return std::nullopt;
  }
  if (!is_valid_cluster_name(last->value)) {
    throw usage_error(path.string() + ":" + std::to_string(last->line) +
                      ": cluster name must match [A-Za-z0-9_-]+: " + last->value);
  }
  return last->value;
}

}  // namespace pgdeploy

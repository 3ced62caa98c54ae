#pragma once

#include <charconv>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pgdeploy {

// Small text helpers that know nothing of the product.

// The lines of TEXT without their '\n'; a last line without one counts, an empty text or a
// final '\n' adds no empty line.
std::vector<std::string_view> split_lines(std::string_view text);

// TEXT as a number in BASE (integers) when all of it is one that fits NUMBER; else nullopt.
template <typename Number>
std::optional<Number> parse_number(std::string_view text, int base = 10) {
  Number value{};
  const char* const end = text.data() + text.size();
  std::from_chars_result result{};
  if constexpr (std::is_integral_v<Number>) {
    result = std::from_chars(text.data(), end, value, base);
  } else {
    result = std::from_chars(text.data(), end, value);
  }
  return result.ec == std::errc() && result.ptr == end && !text.empty() ? std::optional(value)
                                                                        : std::nullopt;
}

// VALUE's digits in BASE, lower case, with leading zeros up to WIDTH.
std::string padded_digits(unsigned long long value, int base, std::size_t width);

// The items of a comma-separated LIST, blanks around them trimmed, empty ones dropped.
std::vector<std::string> comma_separated(std::string_view list);

// DURATION in seconds with three decimals ("2.345"), as monitoring tools take run times;
// negative durations as 0.
std::string decimal_seconds(std::chrono::milliseconds duration);

// TIME as UTC ISO 8601 to the second: "2026-01-31T12:00:00Z".
std::string utc_iso8601(std::chrono::system_clock::time_point time);

// The decimal number TEXT starts with, when it starts with one that fits an int.
std::optional<int> leading_number(std::string_view text);

// TEXT without leading and trailing spaces, tabs and carriage returns.
std::string_view trim(std::string_view text);

// TEXT (a multi-line message: a remote command's stderr, libpq's errors) on one line: its
// lines trimmed, the empty ones dropped, the others joined with "; ".
std::string one_line(std::string_view text);

// TEXT safe to print on a terminal or in a log line: control characters (C0, DEL, C1) and
// bytes that are not UTF-8 escaped as \n, \r, \t or \xNN, so that a name read from the database
// can neither forge a line nor send an escape sequence. Other UTF-8 passes through.
std::string printable(std::string_view text);

// printable() of each line of TEXT, the newlines between them kept.
std::string printable_lines(std::string_view text);

// TEXT cut to at most MAX_BYTES bytes without splitting a UTF-8 character, as PostgreSQL's
// pg_mbcliplen cuts names.
std::string_view clip_utf8(std::string_view text, std::size_t max_bytes);

// The whole file at PATH, byte for byte. Throws a usage error "cannot read WHAT PATH".
std::string read_whole_file(const std::filesystem::path& path, const std::string& what);

}  // namespace pgdeploy

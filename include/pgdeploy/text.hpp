#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace pgdeploy {

// Small text helpers that know nothing of the product.

// TEXT without leading and trailing spaces, tabs and carriage returns.
std::string_view trim(std::string_view text);

// TEXT (a multi-line message: a remote command's stderr, libpq's errors) on one line: its
// lines trimmed, the empty ones dropped, the others joined with "; ".
std::string one_line(std::string_view text);

// TEXT cut to at most MAX_BYTES bytes without splitting a UTF-8 character, as PostgreSQL's
// pg_mbcliplen cuts names.
std::string_view clip_utf8(std::string_view text, std::size_t max_bytes);

// The whole file at PATH, byte for byte. Throws a usage error "cannot read WHAT PATH".
std::string read_whole_file(const std::filesystem::path& path, const std::string& what);

}  // namespace pgdeploy

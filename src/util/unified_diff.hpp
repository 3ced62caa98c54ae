#pragma once

#include <string>
#include <string_view>

namespace pgdeploy {

// A unified diff as `diff -u` prints it: "--- OLD_LABEL", "+++ NEW_LABEL", then "@@ -a,b +c,d @@"
// hunks with CONTEXT lines of context (negative counts as 0) and lines prefixed ' ', '-', '+';
// empty when the texts are equal. Texts are split on '\n'; a missing final newline is shown as
// "\ No newline at end of file", as diff does. Pure.
std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         const std::string& old_label, const std::string& new_label,
                         int context = 3);

}  // namespace pgdeploy

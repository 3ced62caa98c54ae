# Turns a shell script of src/ into C++: a header holding its text as a std::string_view, with
# every @NAME@ in it replaced by the C++ constant `name` of the CONSTANTS headers, so that the
# script and the C++ code that talks to it share one definition of each:
#   inline constexpr std::string_view name = "text";   (text without quotes, $, ` or \)
#   name = number,                                       (an enumerator)
# A placeholder that names no such constant stops the build.
#
# cmake -DSCRIPT=in.sh -DNAME=name -DHEADER=out.hpp -DFILLED=out.sh -DCONSTANTS="a.hpp;b.hpp"
#       -P embed-script.cmake
# FILLED receives the script with its placeholders filled in, as it runs (for shellcheck).

foreach(constants IN LISTS CONSTANTS)
  file(READ ${constants} content)
  # The header lines begin with ";", which would split a CMake list.
  string(REPLACE ";" "<semicolon>" content "${content}")
  string(REGEX MATCHALL
         "\ninline constexpr std::string_view [a-z_]+ = \"[^\"$`\\\n]*\"<semicolon>|\n +[a-z_]+ = [0-9]+,"
         found "${content}")
  foreach(item IN LISTS found)
    if(item MATCHES "std::string_view ([a-z_]+) = \"(.*)\"<semicolon>$")
      string(REPLACE "<semicolon>" ";" value "${CMAKE_MATCH_2}")
    else()
      string(REGEX MATCH "([a-z_]+) = ([0-9]+)" item "${item}")
      set(value "${CMAKE_MATCH_2}")
    endif()
    string(TOUPPER "${CMAKE_MATCH_1}" key)
    set(value_${key} "${value}")
  endforeach()
endforeach()

file(READ ${SCRIPT} text)
string(REGEX MATCHALL "@[A-Z_]+@" placeholders "${text}")
list(REMOVE_DUPLICATES placeholders)
foreach(placeholder IN LISTS placeholders)
  string(REGEX REPLACE "^@(.*)@$" "\\1" key ${placeholder})
  if(NOT DEFINED value_${key})
    message(FATAL_ERROR "${SCRIPT}: ${placeholder} names no constant of ${CONSTANTS}")
  endif()
  string(REPLACE ${placeholder} "${value_${key}}" text "${text}")
endforeach()
if(text MATCHES "\\)pgdeploy\"")
  message(FATAL_ERROR "${SCRIPT} holds the raw string's delimiter )pgdeploy\"")
endif()
file(WRITE ${FILLED} "${text}")

# The #! line only serves the file: the script runs as the text of a command.
string(REGEX REPLACE "^#![^\n]*\n" "" text "${text}")
file(RELATIVE_PATH source ${CMAKE_CURRENT_LIST_DIR}/.. ${SCRIPT})
file(WRITE ${HEADER} "// Generated from ${source} by cmake/embed-script.cmake: edit that file.
#pragma once

#include <string_view>

namespace pgdeploy {

inline constexpr std::string_view ${NAME} = R\"pgdeploy(${text})pgdeploy\";

}  // namespace pgdeploy
")

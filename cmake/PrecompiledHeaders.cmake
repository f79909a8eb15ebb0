# SPDX-License-Identifier: MIT
# Asio, nlohmann/json and GoogleTest are most of what a file of ours parses:
# a test file is about 200,000 lines once preprocessed, a few hundred of
# them its own. Precompiling them once per target instead of parsing them
# once per file took the sanitizer build (clang, -O0) from 754 to 623 CPU
# seconds, which CI spends on longer fuzzing instead (README, "What CI
# costs").
#
# Only third-party headers (and asio_compat.hpp, Asio's one door, whose
# include order and pragma Asio needs): a change to one of ours never
# rebuilds a precompiled header. A file still includes what it uses:
# clang-tidy parses every product source without them, and
# -DREACHBACK_PCH=OFF builds everything without them.
option(REACHBACK_PCH "Precompile the third-party headers, once per target" ON)

# reachback_precompile_headers(TARGET [ASIO] [JSON] [GTEST] [TOML])
#
# clang only: g++ 12 reports -Warray-bounds inside libstdc++'s own string
# code when it comes from a precompiled header (a false positive it does not
# report otherwise), and the g++ and mingw-w64 builds keep warnings as errors.
function(reachback_precompile_headers target)
  if(NOT REACHBACK_PCH OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 use "ASIO;JSON;GTEST;TOML" "" "")
  set(headers <string> <vector> <optional> <variant>)
  if(use_ASIO)
    list(APPEND headers ${PROJECT_SOURCE_DIR}/common/asio_compat.hpp)
  endif()
  if(use_JSON)
    list(APPEND headers <nlohmann/json.hpp>)
  endif()
  if(use_TOML)
    list(APPEND headers <toml++/toml.h>)
  endif()
  if(use_GTEST)
    list(APPEND headers <gtest/gtest.h>)
  endif()
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()

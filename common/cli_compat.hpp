// SPDX-License-Identifier: MIT
#pragma once
// CLI11 through one door. g++ 12 at -O2 reports -Wnull-dereference in
// libstdc++ code inlined from CLI11 2.1.2's string splitting: a false
// positive in system headers, silenced for CLI11's lines only.

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop

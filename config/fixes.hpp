// SPDX-License-Identifier: MIT
#pragma once
// The fix book: the verdict engine's fixes that depend on the host OS
// (config/fixes.toml, compiled into the binaries), checked against the
// fixes the engine asks for.

#include <string_view>
#include <vector>

#include "common/fix_book.hpp"

namespace reachback::config {

/// Parses TOML text: one table per fix id, each with `linux`, `windows` and
/// `macos` arrays of steps. Every fix in `catalogue` must be there and no
/// other, and a step may use only its fix's placeholders. `source` names the
/// text in errors. Throws config_error.
[[nodiscard]] fix_book parse_fixes(std::string_view toml_text, std::string_view source,
                                   const std::vector<fix_spec>& catalogue);

/// The book shipped in config/fixes.toml, parsed once against the engine's
/// fix_catalogue().
[[nodiscard]] const fix_book& builtin_fixes();

}  // namespace reachback::config

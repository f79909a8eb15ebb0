// SPDX-License-Identifier: MIT
#pragma once
// Internal to reachback::config: the text of config/fixes.toml, compiled in
// (generated from fixes_text.cpp.in) so no file is needed at run time.

#include <string_view>

namespace reachback::config::detail {

/// The contents of config/fixes.toml as it was at build time.
[[nodiscard]] std::string_view builtin_fixes_toml() noexcept;

}  // namespace reachback::config::detail

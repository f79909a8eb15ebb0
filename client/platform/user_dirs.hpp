// SPDX-License-Identifier: MIT
#pragma once
// Where a user's files live: the config directory for client.toml and the
// state directory for what --fix changed.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace reachback::client::platform {

/// Looks up an environment variable; injectable for tests. nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(const char* name)>;

/// The environment of this process.
[[nodiscard]] std::optional<std::string> process_env(const char* name);

/// reachback's directory for user configuration: on Linux
/// $XDG_CONFIG_HOME/reachback (an unset, empty or relative value is ignored,
/// as the XDG spec says), else $HOME/.config/reachback; on Windows
/// %APPDATA%\reachback. nullopt when the environment names none.
[[nodiscard]] std::optional<std::filesystem::path> user_config_dir(const env_lookup& env = process_env);

/// reachback's directory for state kept between runs (the mappings --fix
/// made): on Linux $XDG_STATE_HOME/reachback (an unset, empty or relative
/// value is ignored), else $HOME/.local/state/reachback; on Windows
/// %LOCALAPPDATA%\reachback. nullopt when the environment names none.
[[nodiscard]] std::optional<std::filesystem::path> user_state_dir(const env_lookup& env = process_env);

}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
#include "client/platform/user_dirs.hpp"

#include <cstdlib>

namespace reachback::client::platform {

namespace {

// An unset or empty variable counts as absent, as the XDG spec says.
std::optional<std::filesystem::path> env_path(const env_lookup& env, const char* name) {
  auto value = env(name);
  if (!value || value->empty()) return std::nullopt;
  return std::filesystem::path(*value);
}

}  // namespace

std::optional<std::string> process_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::filesystem::path> user_config_dir(const env_lookup& env) {
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  if (auto xdg = env_path(env, "XDG_CONFIG_HOME"); xdg && xdg->is_absolute()) {
    return *xdg / "reachback";
  }
  if (auto home = env_path(env, "HOME")) return *home / ".config" / "reachback";
  return std::nullopt;
}

std::optional<std::filesystem::path> user_state_dir(const env_lookup& env) {
  if (auto xdg = env_path(env, "XDG_STATE_HOME"); xdg && xdg->is_absolute()) return *xdg / "reachback";
  if (auto home = env_path(env, "HOME")) return *home / ".local" / "state" / "reachback";
  return std::nullopt;
}

}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
#include "client/platform/user_dirs.hpp"

#include <cstdlib>

#include "client/platform/wide_text_windows.hpp"

namespace reachback::client::platform {

// getenv() would give the value in the ANSI code page, which cannot spell
// every user name (C:\Users\Zoë on a Japanese system); the wide environment
// can, and reachback keeps its strings in UTF-8.
std::optional<std::string> process_env(const char* name) {
  const wchar_t* value = ::_wgetenv(widen(name).c_str());
  if (value == nullptr) return std::nullopt;
  return narrow(value);
}

std::optional<std::filesystem::path> user_config_dir(const env_lookup& env) {
  const auto app_data = env("APPDATA");
  if (!app_data || app_data->empty()) return std::nullopt;
  // From UTF-16: a path built from a std::string would be decoded with the
  // ANSI code page and mangle the same names.
  std::filesystem::path dir(widen(*app_data));
  // A relative APPDATA would put the config wherever the user happens to be.
  if (!dir.is_absolute()) return std::nullopt;
  return dir / L"reachback";
}

std::optional<std::filesystem::path> user_state_dir(const env_lookup& env) {
  const auto local_app_data = env("LOCALAPPDATA");
  if (!local_app_data || local_app_data->empty()) return std::nullopt;
  std::filesystem::path dir(widen(*local_app_data));
  if (!dir.is_absolute()) return std::nullopt;
  return dir / L"reachback";
}

}  // namespace reachback::client::platform

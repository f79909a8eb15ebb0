// SPDX-License-Identifier: MIT
#pragma once
// probe-client's settings: defaults < client.toml < environment < flags.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace reachback::config {

struct client_config {
  std::optional<std::string> relay;  ///< HOST[:PORT]
  std::chrono::milliseconds timeout{10'000};
  std::optional<std::string> token;
  bool operator==(const client_config&) const = default;
};

/// Parses TOML text onto `base`; `source` names it in errors. Throws config_error.
[[nodiscard]] client_config parse_client_config(std::string_view toml_text, std::string_view source,
                                                client_config base = {});
/// Reads a file onto `base`. Throws config_error.
[[nodiscard]] client_config load_client_config(const std::filesystem::path& file,
                                               client_config base = {});

}  // namespace reachback::config

// SPDX-License-Identifier: MIT
#pragma once
// Known port squatters: processes that hold a port the user wants for their
// own server (config/squatters.toml, compiled into the binaries).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/evidence.hpp"

namespace reachback::config {

struct squatter {
  std::string id;                          ///< table key, e.g. "iphlpsvc"
  std::vector<std::string> process_names;  ///< matched against port_owner::name, case-insensitive
  std::vector<std::string> units;          ///< or against port_owner::unit, or its services when unit is unknown
  std::vector<std::uint16_t> ports;        ///< empty: any port
  transport protocol = transport::tcp;     ///< the transport whose port it holds
  std::optional<int> pid;                  ///< e.g. 4 for http.sys (System)
  std::string description;
  std::vector<std::string> fix;            ///< "{port}" is replaced by the port
  bool operator==(const squatter&) const = default;
};

using squatter_table = std::vector<squatter>;

/// Parses TOML text; `source` names it in errors. Throws config_error.
[[nodiscard]] squatter_table parse_squatters(std::string_view toml_text, std::string_view source);
/// The table shipped in config/squatters.toml, parsed once.
[[nodiscard]] const squatter_table& builtin_squatters();

/// The first squatter of `protocol` that matches one of the owners on `port`.
[[nodiscard]] std::optional<squatter_match> match_squatter(const squatter_table& table,
                                                          const std::vector<port_owner>& owners,
                                                          std::uint16_t port,
                                                          transport protocol = transport::tcp);

}  // namespace reachback::config

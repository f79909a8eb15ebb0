// SPDX-License-Identifier: MIT
#pragma once
// The record of the mappings `--fix` made, which `--unfix` reads to remove
// exactly those: one JSON document (schema "reachback.fix-state/1") in the
// user's state directory, rewritten whole and atomically (temp file, then
// rename) so a crash leaves the old file or the new one, never half of one.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "client/fix_plan.hpp"
#include "client/platform/user_dirs.hpp"

namespace reachback::client {

/// The schema name the state file carries.
inline constexpr std::string_view fix_state_schema = "reachback.fix-state/1";

/// One mapping --fix made, and when.
struct recorded_mapping {
  mapping_spec mapping;
  std::string created;  ///< UTC, "2026-12-01T05:30:00Z"
  bool operator==(const recorded_mapping&) const = default;
};

/// Every mapping recorded, oldest first.
struct fix_state {
  std::vector<recorded_mapping> mappings;
  bool operator==(const fix_state&) const = default;
};

/// Why a state file could not be read or written: one line.
struct fix_state_error {
  std::string message;
};

/// The document, pretty-printed, ending in a newline.
[[nodiscard]] std::string to_json_text(const fix_state& state);

/// Parses a document: a state, or one line saying what is wrong with it
/// (not JSON, cut short, another schema, a mapping missing a field).
[[nodiscard]] std::variant<fix_state, fix_state_error> parse_fix_state(std::string_view text);

/// Adds `m`, replacing a record of the same kind, router, port and protocol.
void record(fix_state& state, recorded_mapping m);

/// "2026-12-01T05:30:00Z" for `t`.
[[nodiscard]] std::string utc_timestamp(std::chrono::system_clock::time_point t);

/// The time utc_timestamp() wrote, or nullopt for any other text.
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text);

/// Whether `r`'s lease has run out by `now`, so the router has dropped it by
/// itself. A permanent lease (0) never runs out; nor does a record whose
/// time cannot be read.
[[nodiscard]] bool lease_ran_out(const recorded_mapping& r, std::chrono::system_clock::time_point now);

/// The state file: <user_state_dir>/fix-state.json; nullopt when the
/// environment names no state directory.
[[nodiscard]] std::optional<std::filesystem::path> fix_state_path(const platform::env_lookup& env = platform::process_env);

/// Reads the state file; a missing file is an empty state. An unreadable or
/// corrupt file is an error and is left as it is.
[[nodiscard]] std::variant<fix_state, fix_state_error> load_fix_state(const std::filesystem::path& path);

/// Writes the state file atomically, creating its directory; nullopt on success.
/// `path` as UTF-8 text, for messages and the JSON document.
[[nodiscard]] std::string display(const std::filesystem::path& path);

[[nodiscard]] std::optional<fix_state_error> save_fix_state(const std::filesystem::path& path, const fix_state& state);

}  // namespace reachback::client

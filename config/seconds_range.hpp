// SPDX-License-Identifier: MIT
#pragma once
// A setting given in seconds, whole or fractional, and kept as milliseconds:
// one rule for its bounds and its rounding, whichever layer (flag,
// environment, TOML) it comes from.

#include <chrono>
#include <optional>
#include <string>

namespace reachback::config {

/// Inclusive bounds, in seconds, for a setting kept as milliseconds.
struct seconds_range {
  double min = 0;
  double max = 0;

  /// `seconds` rounded to the nearest millisecond (0.57 is 570 ms, not the
  /// 569 that truncating 569.999... gives), or nullopt when it is outside the
  /// bounds; nan is outside too.
  [[nodiscard]] std::optional<std::chrono::milliseconds> to_milliseconds(double seconds) const noexcept;

  /// "0.1-600", for help texts and messages.
  [[nodiscard]] std::string text() const;
  /// "between 0.1 and 600", for messages.
  [[nodiscard]] std::string between() const;
};

/// A number in its shortest form that reads back the same: "0.1", "600", "2.5".
[[nodiscard]] std::string number_text(double value);

/// probe-client's timeout, however it is given: --timeout, REACHBACK_TIMEOUT
/// or timeout_seconds in client.toml.
inline constexpr seconds_range client_timeout_range{0.1, 600};

}  // namespace reachback::config

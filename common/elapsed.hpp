// SPDX-License-Identifier: MIT
#pragma once
// How the evidence records a duration: fractional milliseconds of the
// steady clock, so a changed wall clock never makes one negative.

#include <chrono>

namespace reachback {

/// Milliseconds from `start` to now.
[[nodiscard]] inline double ms_since(std::chrono::steady_clock::time_point start) noexcept {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace reachback

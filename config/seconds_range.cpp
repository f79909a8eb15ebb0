// SPDX-License-Identifier: MIT
#include "seconds_range.hpp"

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace reachback::config {

std::optional<std::chrono::milliseconds> seconds_range::to_milliseconds(double seconds) const noexcept {
  // Written as "not inside" so that nan fails too.
  if (!(seconds >= min && seconds <= max)) return std::nullopt;
  return std::chrono::milliseconds(std::llround(seconds * 1000.0));
}

std::string seconds_range::text() const { return number_text(min) + '-' + number_text(max); }

std::string seconds_range::between() const { return "between " + number_text(min) + " and " + number_text(max); }

std::string number_text(double value) {
  std::ostringstream out;
  out << std::setprecision(std::numeric_limits<double>::max_digits10 - 2) << value;
  return out.str();
}

}  // namespace reachback::config

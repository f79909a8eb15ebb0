// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

namespace reachback::config {

/// A config file that is missing, unreadable, malformed or of the wrong
/// shape. what() is one line naming the file, and the line and column
/// where the file has them: "relay.toml:3:7: expected a string for 'token'".
class config_error : public std::runtime_error {
 public:
  explicit config_error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace reachback::config

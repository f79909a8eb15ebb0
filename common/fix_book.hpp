// SPDX-License-Identifier: MIT
#pragma once
// Fix templates per OS, keyed by id: the steps the verdict engine gives, in
// the host OS's own commands (systemctl, PowerShell, launchctl). The text is
// data (config/fixes.toml, parsed by reachback::config into this type); the
// engine only picks the OS and fills in the placeholders. A placeholder is
// "{name}", name made of lowercase letters, digits and '_'.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "evidence.hpp"

namespace reachback {

/// One fix's steps on each OS, placeholders not yet filled in.
struct os_steps {
  std::vector<std::string> linux_steps;
  std::vector<std::string> windows_steps;
  std::vector<std::string> macos_steps;

  /// The steps for `os`.
  [[nodiscard]] const std::vector<std::string>& on(host_os os) const noexcept {
    switch (os) {
      case host_os::windows_host: return windows_steps;
      case host_os::macos_host: return macos_steps;
      case host_os::linux_host: break;
    }
    return linux_steps;
  }
  bool operator==(const os_steps&) const = default;
};

/// Every fix the engine can give, by id ("firewall_allow", "portproxy_delete").
struct fix_book {
  std::map<std::string, os_steps, std::less<>> fixes;
  bool operator==(const fix_book&) const = default;
};

/// A fix the engine asks for and the placeholders it fills in: a fix book
/// must have exactly these ids, and its text may use only these names.
struct fix_spec {
  std::string id;
  std::vector<std::string> placeholders;
  bool operator==(const fix_spec&) const = default;
};

}  // namespace reachback

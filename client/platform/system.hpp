// SPDX-License-Identifier: MIT
#pragma once
// Which operating system this client was built for, and which program it is.

#include <string>

#include "common/evidence.hpp"

namespace reachback::client::platform {

/// The OS this binary runs on, for the evidence: fixes use its commands.
[[nodiscard]] host_os this_host_os() noexcept;

/// The full path of this executable, as the OS knows it ("" if it will not
/// say): a host firewall rule for the agent must name this program.
[[nodiscard]] std::string this_executable_path();

}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
#pragma once
// With --service, a portproxy rule on the port means the user's "server" is
// the proxy (typically in front of a server inside WSL2). The relay can only
// reach the proxy, so this host checks the proxy's own target.

#include <chrono>
#include <optional>

#include "common/evidence.hpp"

namespace reachback::client {

/// Whether the first portproxy rule's target (connect address and port)
/// accepts a TCP connection from this host within `timeout`. nullopt when
/// there is nothing to check: not --service, or no rule on the port.
[[nodiscard]] std::optional<bool> proxy_target_accepts(const local_port_evidence& local, probe_mode mode,
                                                       std::chrono::milliseconds timeout);

}  // namespace reachback::client

// SPDX-License-Identifier: MIT
#pragma once
// The host firewall's own answer: would an inbound TCP SYN from the internet
// reach the program that listens on the port? Windows reads Windows Defender
// Firewall (INetFwPolicy2) and its log; on Linux the packet capture answers
// the same question from the packets themselves, so there is nothing to read.

#include <cstdint>
#include <optional>
#include <string>

#include "common/evidence.hpp"

namespace reachback::client::platform {

/// Evaluates the active firewall policy for an inbound SYN from
/// `relay_address` to TCP `port` and the program at `program_path` (the
/// agent: this executable; --service: the owner's image). nullopt where the
/// OS offers no firewall to read; an evidence with available=false and the
/// reason when reading fails (COM, access).
[[nodiscard]] std::optional<host_firewall_evidence> evaluate_host_firewall(std::uint16_t port,
                                                                          const std::string& program_path,
                                                                          const std::string& relay_address);

/// After the probe: looks in the firewall log (when dropped packets are
/// logged) for a DROP of a TCP SYN from `relay_address` to `port`, and fills
/// in log_shows_drop or log_unavailable_reason.
void read_firewall_log(host_firewall_evidence& firewall, const std::string& relay_address, std::uint16_t port);

}  // namespace reachback::client::platform

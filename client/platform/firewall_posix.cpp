// SPDX-License-Identifier: MIT
#include "client/platform/firewall.hpp"

namespace reachback::client::platform {

// Linux and macOS firewalls (nftables, iptables, ufw, pf) keep no per-program
// rule set that one call can evaluate, and the packet capture already sees
// whether the relay's SYN arrived and what answered it, which is the same
// question asked of the packets themselves.
std::optional<host_firewall_evidence> evaluate_host_firewall(std::uint16_t /*port*/,
                                                            const std::string& /*program_path*/,
                                                            const std::string& /*relay_address*/) {
  return std::nullopt;
}

void read_firewall_log(host_firewall_evidence& /*firewall*/, const std::string& /*relay_address*/,
                       std::uint16_t /*port*/) {}

}  // namespace reachback::client::platform

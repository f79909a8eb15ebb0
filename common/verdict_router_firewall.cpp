// SPDX-License-Identifier: MIT
// An IPv6 home's router that stops the port: nothing is translated, so no
// forward is missing; its inbound filter lets replies in and drops (or
// rejects) new connections, as home routers do by default.
#include "verdict_parts.hpp"

#include <string>

namespace reachback::verdict_parts {

finding router_firewall_blocks(const evidence& ev, const layout& home, std::size_t index, const std::string& how) {
  const auto router = hop_label(home.hops[index]);
  const auto p = port_text(ev.port);
  const auto& host = home.hops.back();
  const auto target = host.address ? *host.address : std::string("this host's IPv6 address");
  return {cause::router_firewall, index,
          "The " + router + "'s IPv6 firewall stops port " + p + ": " + how +
              ". Home routers let replies in and drop new inbound IPv6 connections unless a rule allows them.",
          {router + ": allow inbound " + protocol_word(ev) + " " + p + " to " + target +
               " in its IPv6 firewall (called a pinhole, \"IPv6 port opening\" or \"allow incoming IPv6 "
               "connections\" in router settings). If the router offers UPnP IGD:2 pinholes, `probe-client --fix` "
               "opens one for you, and `--unfix` closes it.",
           "Open it for this host's stable address, not a temporary (privacy) one: those change every day or so, "
           "and `ip -6 addr` marks them \"temporary\"."}};
}

}  // namespace reachback::verdict_parts

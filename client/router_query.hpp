// SPDX-License-Identifier: MIT
#pragma once
// Asks the routers on this host's path about themselves and the port, while
// the relay works: UPnP IGD (SSDP by unicast to each router and by multicast
// on the LAN, the device description, SOAP), NAT-PMP and PCP. A unicast
// search to the outer router crosses the inner router's NAT and comes back,
// so the ISP hub is asked from behind the room router too.
//
// Read-only: it never adds, changes or deletes a mapping. Bounded: a few
// datagrams per router (each resent once), a handful of HTTP requests, only
// to the routers' own addresses, all before one deadline.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/platform/path.hpp"
#include "common/evidence.hpp"

namespace reachback::client {

/// The routers worth asking, innermost first, each once: this host's default
/// gateway, then every private or carrier-NAT hop of the path before the
/// first public one. At most max_routers_asked. While the trace still runs
/// (`trace_done` false) a TTL not heard yet may turn out public, so the hops
/// beyond it wait for the trace's end.
[[nodiscard]] std::vector<std::string> routers_to_ask(const path_evidence& path, bool trace_done = true);

inline constexpr std::size_t max_routers_asked = 4;

/// How long the routers get once the relay's last result is in: they answer
/// within a LAN round trip or not at all (Tailscale's portmapper waits as long).
inline constexpr std::chrono::milliseconds router_budget{250};

/// The whole query never runs longer than this, whatever the relay does.
inline constexpr std::chrono::milliseconds router_query_cap{4'000};

/// One query, in a thread of its own: it asks the default gateway and each
/// private hop of the path as soon as the trace toward the relay hears them
/// (a LAN router answers within milliseconds, long before the relay does),
/// and the rest that routers_to_ask() names when the trace ends. A router's
/// mapping is that of the probed `protocol` (TCP or UDP) for the port.
class router_query {
 public:
  router_query(std::uint16_t port, transport protocol, std::string relay_address, platform::first_hop first);
  router_query(const router_query&) = delete;
  router_query& operator=(const router_query&) = delete;
  ~router_query();

  /// From the trace's thread: a router answered one of its probes.
  void hear(const platform::probe_reply& reply);

  /// From the trace's thread: the trace has ended. Until then the query
  /// waits for it (never past router_query_cap).
  void path_traced(const path_evidence& path);

  /// What the routers said by `deadline`; a question still open then is
  /// named as missing evidence.
  [[nodiscard]] std::vector<router_evidence> finish(std::chrono::steady_clock::time_point deadline);

  /// Every answer the routers give, waiting for each question to end (at
  /// most router_query_cap from the start): for acting on them (--fix).
  [[nodiscard]] std::vector<router_evidence> complete();

 private:
  struct state;
  std::unique_ptr<state> state_;
  std::thread worker_;
};

}  // namespace reachback::client

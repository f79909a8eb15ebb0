// SPDX-License-Identifier: MIT
#pragma once
// The trace_path checks that hold on every OS. Probes go to loopback only:
// the relay is this host, so a walk ends at once, answered by the relay
// itself. Each OS's test file runs these and adds the checks of its own
// (time limit, default gateway).

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "client/platform/path.hpp"
#include "common/address.hpp"

namespace reachback::client::platform::test {

/// Traces to `loopback` (127.0.0.1 or ::1) and expects the walk to end at
/// once: relay reached, no hop, `loopback` itself as the source, in less than
/// `limit`. Returns how long the walk took.
inline std::chrono::milliseconds expect_loopback_reached_at_once(const std::string& loopback,
                                                                 std::chrono::milliseconds limit) {
  const auto start = std::chrono::steady_clock::now();
  const auto evidence = trace_path(loopback);
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  EXPECT_TRUE(evidence.reached_relay);
  EXPECT_TRUE(evidence.hops.empty());
  EXPECT_EQ(evidence.source_address, loopback);
  EXPECT_LT(took, limit);
  return took;
}

/// Expects ::ffff:127.0.0.1 to be walked as IPv4: reached, from 127.0.0.1.
inline void expect_mapped_address_walks_as_ipv4() {
  const auto evidence = trace_path("::ffff:127.0.0.1");
  EXPECT_TRUE(evidence.reached_relay);
  EXPECT_EQ(evidence.source_address, "127.0.0.1");
}

/// Expects none of `host_addresses` to be loopback or link-local (fe80:).
inline void expect_no_loopback_or_link_local(const std::vector<std::string>& host_addresses) {
  for (const auto& address : host_addresses) {
    EXPECT_NE(classify_address(address), address_class::loopback) << address;
    EXPECT_FALSE(address.starts_with("fe80:")) << address;
  }
}

/// The first hop toward loopback: this host's loopback address, from the
/// routing table, with nothing sent; and nothing at all for a name.
inline void expect_first_hop_from_the_routing_table() {
  EXPECT_EQ(first_hop_toward("127.0.0.1").source_address, "127.0.0.1");
  EXPECT_EQ(first_hop_toward("::ffff:127.0.0.1").source_address, "127.0.0.1");
  const auto named = first_hop_toward("relay.example");
  EXPECT_FALSE(named.gateway.has_value());
  EXPECT_TRUE(named.source_address.empty());
}

/// Traces to a name, which is not an address, and expects no walk: not
/// reached, no hop, no source. Returns the evidence for further checks.
inline path_evidence expect_a_name_is_not_walked() {
  auto evidence = trace_path("relay.example");
  EXPECT_FALSE(evidence.reached_relay);
  EXPECT_TRUE(evidence.hops.empty());
  EXPECT_TRUE(evidence.source_address.empty());
  return evidence;
}

}  // namespace reachback::client::platform::test

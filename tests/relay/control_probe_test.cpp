// SPDX-License-Identifier: MIT
#include "relay/control_probe.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <set>

namespace reachback::relay {
namespace {

bool in_dynamic_range(std::uint16_t port) {
  return port >= control_port_first && port <= control_port_last;
}

TEST(ControlPort, IsInTheDynamicRangeAndNeverTheAskedPort) {
  // Asked ports inside and outside the range, at its edges, and every
  // random value that maps to a distinct port for each.
  for (const std::uint16_t asked : {std::uint16_t{1}, std::uint16_t{3000}, std::uint16_t{49151},
                                    std::uint16_t{49152}, std::uint16_t{50000},
                                    std::uint16_t{65534}, std::uint16_t{65535}}) {
    std::set<std::uint16_t> seen;
    for (std::uint32_t random = 0; random < 2 * 16384; ++random) {
      const auto port = pick_control_port(asked, random);
      ASSERT_TRUE(in_dynamic_range(port)) << "asked " << asked << ", random " << random;
      ASSERT_NE(port, asked) << "random " << random;
      seen.insert(port);
    }
    // Every other port of the range can be picked.
    EXPECT_EQ(seen.size(), in_dynamic_range(asked) ? 16383U : 16384U) << "asked " << asked;
  }
}

TEST(ControlPort, ExtremeRandomValuesStayInRange) {
  for (const std::uint32_t random : {std::uint32_t{0}, std::numeric_limits<std::uint32_t>::max(),
                                     std::uint32_t{16383}, std::uint32_t{16384}}) {
    for (std::uint32_t asked = 0; asked <= 65535; asked += 7) {
      const auto port = pick_control_port(static_cast<std::uint16_t>(asked), random);
      EXPECT_TRUE(in_dynamic_range(port));
      EXPECT_NE(port, asked);
    }
  }
}

TEST(ControlPort, RandomPicksAreNotTheAskedPort) {
  for (int i = 0; i < 1000; ++i) {
    const auto port = random_control_port(50000);
    EXPECT_TRUE(in_dynamic_range(port));
    EXPECT_NE(port, 50000);
  }
}

}  // namespace
}  // namespace reachback::relay

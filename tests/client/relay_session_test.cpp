// SPDX-License-Identifier: MIT
// What the relay must offer before a probe is asked of it.
#include "client/relay_session.hpp"

#include <gtest/gtest.h>

namespace reachback::client {
namespace {

protocol::welcome welcome_with(std::vector<std::string> capabilities) {
  protocol::welcome w;
  w.observed_address = "198.51.100.2";
  w.relay_version = "0.9.0";
  w.capabilities = std::move(capabilities);
  return w;
}

protocol::probe_request request_for(std::string_view transport_name) {
  protocol::probe_request r;
  r.protocol = std::string(transport_name);
  r.port = 51820;
  return r;
}

TEST(missing_capability, udp_needs_udp_probe) {
  const auto why = missing_capability(request_for(protocol::protocol_udp),
                                      welcome_with({"connect_back", "ttl_sweep", "syn_ttl"}));
  ASSERT_TRUE(why);
  EXPECT_EQ(*why,
            "cannot probe UDP ports (its welcome lacks \"udp_probe\"; relay version 0.9.0): upgrade probe-relay "
            "there, or use a relay that has it");
  EXPECT_EQ(why->find('\n'), std::string::npos);
}

TEST(missing_capability, udp_with_udp_probe_is_fine) {
  EXPECT_FALSE(missing_capability(request_for(protocol::protocol_udp),
                                  welcome_with({"connect_back", "udp_probe", "ttl_sweep"})));
}

TEST(missing_capability, tcp_needs_nothing_announced) {
  EXPECT_FALSE(missing_capability(request_for(protocol::protocol_tcp), welcome_with({})));
}

}  // namespace
}  // namespace reachback::client

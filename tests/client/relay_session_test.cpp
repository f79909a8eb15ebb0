// SPDX-License-Identifier: MIT
// What the relay must offer before a probe is asked of it, and the line
// each error frame from the relay becomes.
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

TEST(relay_error_line, internal_says_the_relay_is_overloaded_with_its_reason) {
  const protocol::error e{protocol::wire_error::internal,
                          "the relay failed: sweep TTL 3: out of file descriptors (EMFILE)"};
  EXPECT_EQ(relay_error_line(e),
            "the relay is overloaded; try again (the relay failed: sweep TTL 3: out of file descriptors (EMFILE))");
}

TEST(relay_error_line, a_refusal_keeps_its_code_and_text) {
  const protocol::error e{protocol::wire_error::rate_limited, "more than 20 probe requests a minute"};
  EXPECT_EQ(relay_error_line(e), "refused the request: rate_limited: more than 20 probe requests a minute");
}

TEST(relay_error_line, a_version_mismatch_names_both_versions) {
  const protocol::error e{protocol::wire_error::unsupported_version, "this relay speaks version 9"};
  EXPECT_EQ(relay_error_line(e), "protocol version mismatch: this relay speaks version 9 (this probe-client speaks version " +
                                     std::to_string(protocol::version) + ")");
}

}  // namespace
}  // namespace reachback::client

// SPDX-License-Identifier: MIT
#include "common/messages.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace reachback::protocol {
namespace {

TEST(WireError, NamesRoundTrip) {
  const std::pair<wire_error, std::string_view> names[] = {
      {wire_error::unsupported_version, "unsupported_version"},
      {wire_error::unauthorized, "unauthorized"},
      {wire_error::rate_limited, "rate_limited"},
      {wire_error::too_many_sessions, "too_many_sessions"},
      {wire_error::bad_request, "bad_request"},
      {wire_error::frame_too_large, "frame_too_large"},
      {wire_error::idle_timeout, "idle_timeout"},
      {wire_error::internal, "internal"},
  };
  for (const auto& [code, name] : names) {
    EXPECT_EQ(to_string(code), name);
    EXPECT_EQ(wire_error_from_string(name), code) << name;
  }
}

TEST(WireError, UnknownNameIsNullopt) {
  EXPECT_EQ(wire_error_from_string(""), std::nullopt);
  EXPECT_EQ(wire_error_from_string("Internal"), std::nullopt);
  EXPECT_EQ(wire_error_from_string("no_such_error"), std::nullopt);
}

struct payload_case {
  std::string name;
  std::string (*build)(std::string_view nonce);
  std::string expected;
  friend void PrintTo(const payload_case& c, std::ostream* os) { *os << c.name; }
};

class PayloadLine : public testing::TestWithParam<payload_case> {};

TEST_P(PayloadLine, IsThePrefixTheNonceAndTheEnd) {
  EXPECT_EQ(GetParam().build("00ff"), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Builders, PayloadLine,
    testing::Values(payload_case{"agent_proof", proof_line, "REACHBACK-PROOF 00ff\n"},
                    payload_case{"tcp_greeting", greeting_line, "REACHBACK-PROBE 00ff\r\n\r\n"},
                    payload_case{"udp_probe", udp_probe_line, "REACHBACK-UDP-PROBE 00ff\n"}),
    [](const auto& p) { return p.param.name; });

TEST(PayloadLine, TheUdpProbeIsNotTheProof) {
  // An echo server returns the probe: that must never pass as the proof.
  EXPECT_FALSE(udp_probe_line("00ff").starts_with(proof_prefix));
}

}  // namespace
}  // namespace reachback::protocol

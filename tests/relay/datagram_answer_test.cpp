// SPDX-License-Identifier: MIT
#include "relay/datagram_answer.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "common/messages.hpp"
#include "relay/proof.hpp"

namespace reachback::relay {
namespace {

using asio::ip::udp;

const std::string nonce = "0123456789abcdef0123456789abcdef";
const udp::endpoint dialed(asio::ip::make_address("203.0.113.7"), 19132);

struct datagram_case {
  std::string name;
  udp::endpoint sender;
  std::string payload;
  std::optional<datagram_answer> expected;
  friend void PrintTo(const datagram_case& c, std::ostream* os) { *os << c.name; }
};

datagram_answer foreign(std::string banner) {
  return {.outcome = connect_outcome::foreign, .banner = std::move(banner)};
}

const datagram_answer verified{.outcome = connect_outcome::verified, .banner = {}};

class JudgeDatagram : public testing::TestWithParam<datagram_case> {};

TEST_P(JudgeDatagram, FromTheTargetOnly) {
  const auto& c = GetParam();
  EXPECT_EQ(judge_datagram(c.sender, dialed, c.payload, nonce), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, JudgeDatagram,
    testing::Values(
        datagram_case{"proof_verifies", dialed, protocol::proof_line(nonce), verified},
        datagram_case{"echoed_probe_is_foreign", dialed, protocol::udp_probe_line(nonce),
                      foreign(protocol::udp_probe_line(nonce))},
        datagram_case{"proof_for_another_nonce_is_foreign", dialed,
                      protocol::proof_line("ffff"), foreign(protocol::proof_line("ffff"))},
        datagram_case{"other_bytes_are_foreign", dialed, std::string("\x01\x02version", 9),
                      foreign(std::string("\x01\x02version", 9))},
        datagram_case{"empty_datagram_is_foreign", dialed, "", foreign("")},
        datagram_case{"long_datagram_keeps_the_banner_limit", dialed, std::string(1000, 'x'),
                      foreign(std::string(max_banner, 'x'))},
        datagram_case{"proof_from_another_port_is_ignored",
                      udp::endpoint(dialed.address(), 19133), protocol::proof_line(nonce),
                      std::nullopt},
        datagram_case{"proof_from_another_address_is_ignored",
                      udp::endpoint(asio::ip::make_address("203.0.113.8"), 19132),
                      protocol::proof_line(nonce), std::nullopt},
        datagram_case{"other_bytes_from_another_port_are_ignored",
                      udp::endpoint(dialed.address(), 4750), "hello", std::nullopt}),
    [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace reachback::relay

// SPDX-License-Identifier: MIT
// The mapper's pure parts: which PCP answer belongs to a MAP request (the
// nonce, protocol and internal port it carries back), and fresh nonces.
// The exchanges themselves run against miniupnpd in the lab (lab.fix.*).
#include "client/port_mapper.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace reachback::client {
namespace {

const router::pcp_nonce ours{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/// Our PCP mapping of `protocol` 3000.
mapping_spec our_mapping(transport protocol) {
  mapping_spec m;
  m.method = map_method::pcp;
  m.protocol = protocol;
  m.external_port = 3000;
  m.internal_client = "192.168.1.23";
  m.internal_port = 3000;
  m.nonce = ours;
  return m;
}

/// A successful answer to our MAP of `protocol` 3000.
router::pcp_response map_answer(transport protocol) {
  router::pcp_response r;
  r.opcode = static_cast<std::uint8_t>(router::pcp_opcode::map);
  r.lifetime_seconds = 7200;
  r.map = router::pcp_map_fields{ours, router::pcp_protocol_of(protocol), 3000, 3000, "11.22.33.44"};
  return r;
}

struct answer_case {
  std::string name;
  std::function<void(router::pcp_response&)> change;
  bool answers;
  transport asked = transport::tcp;
  friend void PrintTo(const answer_case& c, std::ostream* os) { *os << c.name; }
};

const std::vector<answer_case> answer_cases = {
    {"success_with_our_nonce", [](router::pcp_response&) {}, true},
    {"another_nonce_is_another_clients_mapping", [](router::pcp_response& r) { r.map->nonce[11] ^= 1; }, false},
    {"another_protocol", [](router::pcp_response& r) { r.map->protocol = router::pcp_protocol_udp; }, false},
    {"udp_success_with_our_nonce", [](router::pcp_response&) {}, true, transport::udp},
    {"tcp_answer_to_a_udp_map", [](router::pcp_response& r) { r.map->protocol = router::pcp_protocol_tcp; }, false,
     transport::udp},
    {"another_internal_port", [](router::pcp_response& r) { r.map->internal_port = 3001; }, false},
    {"peer_answer", [](router::pcp_response& r) { r.opcode = static_cast<std::uint8_t>(router::pcp_opcode::peer); },
     false},
    {"announce_answer",
     [](router::pcp_response& r) {
       r.opcode = static_cast<std::uint8_t>(router::pcp_opcode::announce);
       r.map.reset();
     },
     false},
    {"error_carrying_our_fields_back",
     [](router::pcp_response& r) { r.result_code = static_cast<std::uint8_t>(router::pcp_result::not_authorized); },
     true},
    {"error_carrying_another_nonce",
     [](router::pcp_response& r) {
       r.result_code = static_cast<std::uint8_t>(router::pcp_result::not_authorized);
       r.map->nonce = {};
     },
     false},
    {"error_too_short_to_carry_fields",
     [](router::pcp_response& r) {
       r.result_code = static_cast<std::uint8_t>(router::pcp_result::malformed_request);
       r.map.reset();
     },
     true},
    {"unsupported_version_from_a_version_1_server",
     [](router::pcp_response& r) {
       r.version = 1;
       r.result_code = static_cast<std::uint8_t>(router::pcp_result::unsupp_version);
       r.map.reset();
     },
     true},
    {"success_without_fields_is_no_mapping", [](router::pcp_response& r) { r.map.reset(); }, false},
};

class pcp_answer_table : public testing::TestWithParam<answer_case> {};

TEST_P(pcp_answer_table, matches) {
  const auto& c = GetParam();
  auto answer = map_answer(c.asked);
  c.change(answer);
  EXPECT_EQ(answers_pcp_map(answer, our_mapping(c.asked)), c.answers);
}

INSTANTIATE_TEST_SUITE_P(cases, pcp_answer_table, testing::ValuesIn(answer_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(random_pcp_nonce, two_draws_differ_and_fill_all_96_bits) {
  const auto a = random_pcp_nonce();
  const auto b = random_pcp_nonce();
  EXPECT_NE(a, b);
  // Each of the 12 bytes is set by some draw: none is left as the zero it starts as.
  std::array<std::uint8_t, 12> seen{};
  for (int i = 0; i < 64; ++i) {
    const auto n = random_pcp_nonce();
    for (std::size_t k = 0; k < n.size(); ++k) seen[k] |= n[k];
  }
  for (std::size_t k = 0; k < seen.size(); ++k) EXPECT_NE(seen[k], 0) << "byte " << k;
}

}  // namespace
}  // namespace reachback::client

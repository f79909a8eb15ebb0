// SPDX-License-Identifier: MIT
#include "client/router/natpmp.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace reachback::router {
namespace {

using bytes = std::vector<std::uint8_t>;

TEST(natpmp, external_address_request_is_version_0_opcode_0) {
  EXPECT_EQ(natpmp_external_address_request(), (std::array<std::uint8_t, 2>{0, 0}));
}

TEST(natpmp, tcp_map_request) {
  EXPECT_EQ(natpmp_map_request(natpmp_protocol::tcp, 3000, 3000, 7200),
            (std::array<std::uint8_t, 12>{0, 2, 0, 0, 0x0b, 0xb8, 0x0b, 0xb8, 0, 0, 0x1c, 0x20}));
}

TEST(natpmp, map_request_for_a_udp_probe_is_opcode_1) {
  EXPECT_EQ(natpmp_protocol_of(transport::udp), natpmp_protocol::udp);
  EXPECT_EQ(natpmp_protocol_of(transport::tcp), natpmp_protocol::tcp);
  EXPECT_EQ(natpmp_map_request(natpmp_protocol_of(transport::udp), 3000, 3000, 7200),
            (std::array<std::uint8_t, 12>{0, 1, 0, 0, 0x0b, 0xb8, 0x0b, 0xb8, 0, 0, 0x1c, 0x20}));
  EXPECT_EQ(natpmp_map_request(natpmp_protocol_of(transport::tcp), 3000, 3000, 7200)[1], 2);
}

TEST(natpmp, udp_delete_request) {
  EXPECT_EQ(natpmp_map_request(natpmp_protocol::udp, 51413, 0, 0),
            (std::array<std::uint8_t, 12>{0, 1, 0, 0, 0xc8, 0xd5, 0, 0, 0, 0, 0, 0}));
}

// miniupnpd's answer: epoch 0x0001e240 (123456 s), address 203.0.113.7.
const bytes external_address_answer = {0, 128, 0, 0, 0, 0x01, 0xe2, 0x40, 203, 0, 113, 7};

TEST(natpmp, external_address_answer) {
  const auto response = parse_natpmp_external_address_response(external_address_answer);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_code, 0);
  EXPECT_EQ(response->epoch_seconds, 123456U);
  EXPECT_EQ(response->external_address, "203.0.113.7");
}

TEST(natpmp, external_address_zero_when_the_wan_is_down) {
  const auto response = parse_natpmp_external_address_response(bytes{0, 128, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->external_address, "0.0.0.0");
}

TEST(natpmp, refused_answer_is_only_a_header) {
  const auto response = parse_natpmp_external_address_response(bytes{0, 128, 0, 2, 0, 0, 0, 5});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_code, 2);
  EXPECT_EQ(natpmp_result_name(response->result_code), "NOT_AUTHORIZED");
  EXPECT_EQ(response->epoch_seconds, 5U);
  EXPECT_EQ(response->external_address, "");
}

TEST(natpmp, extra_bytes_are_ignored) {
  auto padded = external_address_answer;
  padded.resize(16, 0xff);
  const auto response = parse_natpmp_external_address_response(padded);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->external_address, "203.0.113.7");
}

const bytes tcp_map_answer = {0, 130, 0, 0, 0, 0x01, 0xe2, 0x41, 0x0b, 0xb8, 0x0b, 0xb9, 0, 0, 0x1c, 0x20};

TEST(natpmp, tcp_map_answer) {
  const auto response = parse_natpmp_map_response(tcp_map_answer);
  ASSERT_TRUE(response);
  natpmp_map_response expected;
  expected.protocol = natpmp_protocol::tcp;
  expected.epoch_seconds = 123457;
  expected.internal_port = 3000;
  expected.external_port = 3001;
  expected.lifetime_seconds = 7200;
  EXPECT_EQ(*response, expected);
}

TEST(natpmp, udp_map_error_answer) {
  const auto response = parse_natpmp_map_response(bytes{0, 129, 0, 4, 0, 0, 0, 1});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->protocol, natpmp_protocol::udp);
  EXPECT_EQ(response->result_code, 4);
  EXPECT_EQ(response->external_port, 0);
}

TEST(natpmp, answers_do_not_cross) {
  EXPECT_FALSE(parse_natpmp_map_response(external_address_answer));
  EXPECT_FALSE(parse_natpmp_external_address_response(tcp_map_answer));
}

struct rejected_case {
  std::string name;
  bytes datagram;
  friend void PrintTo(const rejected_case& c, std::ostream* os) { *os << c.name; }
};

const rejected_case rejected[] = {
    {"empty", {}},
    {"our_request", {0, 0}},
    {"version_1", {1, 128, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}},
    {"pcp_answer", {2, 0x81, 0, 0, 0, 0, 0x1c, 0x20, 0, 0, 0, 1}},
    {"request_opcode_2", {0, 2, 0, 0, 0x0b, 0xb8, 0x0b, 0xb8, 0, 0, 0x1c, 0x20}},
    {"opcode_131", {0, 131, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
};

class natpmp_rejected : public testing::TestWithParam<rejected_case> {};

TEST_P(natpmp_rejected, by_both_parsers) {
  EXPECT_FALSE(parse_natpmp_external_address_response(GetParam().datagram));
  EXPECT_FALSE(parse_natpmp_map_response(GetParam().datagram));
}

INSTANTIATE_TEST_SUITE_P(samples, natpmp_rejected, testing::ValuesIn(rejected),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(natpmp, truncated_success_answers_are_refused) {
  for (std::size_t size = 0; size < external_address_answer.size(); ++size) {
    EXPECT_FALSE(parse_natpmp_external_address_response(
        std::span<const std::uint8_t>(external_address_answer).first(size)))
        << "at " << size;
  }
  for (std::size_t size = 0; size < tcp_map_answer.size(); ++size) {
    EXPECT_FALSE(parse_natpmp_map_response(std::span<const std::uint8_t>(tcp_map_answer).first(size)))
        << "at " << size;
  }
}

struct result_case {
  std::uint16_t code;
  std::string name;
  friend void PrintTo(const result_case& c, std::ostream* os) { *os << c.code; }
};

const result_case results[] = {
    {0, "SUCCESS"},          {1, "UNSUPPORTED_VERSION"}, {2, "NOT_AUTHORIZED"},
    {3, "NETWORK_FAILURE"},  {4, "OUT_OF_RESOURCES"},    {5, "UNSUPPORTED_OPCODE"},
    {6, "result 6"},         {65535, "result 65535"},
};

class natpmp_result_names : public testing::TestWithParam<result_case> {};

TEST_P(natpmp_result_names, are_the_rfc_names) {
  EXPECT_EQ(natpmp_result_name(GetParam().code), GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(codes, natpmp_result_names, testing::ValuesIn(results),
                         [](const auto& test_info) { return "code_" + std::to_string(test_info.param.code); });

}  // namespace
}  // namespace reachback::router

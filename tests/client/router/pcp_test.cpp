// SPDX-License-Identifier: MIT
#include "client/router/pcp.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace reachback::router::pcp_test {
namespace {

using bytes = std::vector<std::uint8_t>;

const pcp_nonce nonce = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b};

bytes v4_mapped(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}

bytes concat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

template <std::size_t N>
bytes to_bytes(const std::array<std::uint8_t, N>& array) {
  return bytes(array.begin(), array.end());
}

TEST(pcp, announce_request) {
  const auto request = pcp_announce_request("192.168.1.23");
  ASSERT_TRUE(request);
  EXPECT_EQ(to_bytes(*request), concat({{2, 0, 0, 0, 0, 0, 0, 0}, v4_mapped(192, 168, 1, 23)}));
}

TEST(pcp, map_request_for_tcp_3000_without_preference) {
  pcp_map_request_args args;
  args.client_address = "192.168.1.23";
  args.nonce = nonce;
  args.internal_port = 3000;
  args.suggested_external_port = 3000;
  const auto request = pcp_map_request(args);
  ASSERT_TRUE(request);
  EXPECT_EQ(to_bytes(*request),
            concat({{2, 1, 0, 0, 0, 0, 0x1c, 0x20},
                    v4_mapped(192, 168, 1, 23),
                    bytes(nonce.begin(), nonce.end()),
                    {6, 0, 0, 0, 0x0b, 0xb8, 0x0b, 0xb8},
                    v4_mapped(0, 0, 0, 0)}));
}

TEST(pcp, map_request_for_a_udp_probe_is_protocol_17) {
  EXPECT_EQ(pcp_protocol_of(transport::udp), 17);
  EXPECT_EQ(pcp_protocol_of(transport::tcp), 6);
  pcp_map_request_args args;
  args.client_address = "192.168.1.23";
  args.nonce = nonce;
  args.protocol = pcp_protocol_of(transport::udp);
  args.internal_port = 3000;
  args.suggested_external_port = 3000;
  const auto request = pcp_map_request(args);
  ASSERT_TRUE(request);
  EXPECT_EQ(to_bytes(*request),
            concat({{2, 1, 0, 0, 0, 0, 0x1c, 0x20},
                    v4_mapped(192, 168, 1, 23),
                    bytes(nonce.begin(), nonce.end()),
                    {17, 0, 0, 0, 0x0b, 0xb8, 0x0b, 0xb8},
                    v4_mapped(0, 0, 0, 0)}));
}

TEST(pcp, map_request_with_suggested_address_and_udp) {
  pcp_map_request_args args;
  args.client_address = "10.0.0.5";
  args.nonce = nonce;
  args.protocol = pcp_protocol_udp;
  args.internal_port = 51413;
  args.suggested_external_address = "203.0.113.7";
  args.lifetime_seconds = 0;
  const auto request = pcp_map_request(args);
  ASSERT_TRUE(request);
  const auto b = to_bytes(*request);
  EXPECT_EQ(b[1], 1);
  EXPECT_EQ(bytes(b.begin() + 4, b.begin() + 8), (bytes{0, 0, 0, 0}));
  EXPECT_EQ(b[36], pcp_protocol_udp);
  EXPECT_EQ(bytes(b.begin() + 40, b.begin() + 44), (bytes{0xc8, 0xd5, 0, 0}));
  EXPECT_EQ(bytes(b.begin() + 44, b.end()), v4_mapped(203, 0, 113, 7));
}

TEST(pcp, map_request_from_an_ipv6_client) {
  pcp_map_request_args args;
  args.client_address = "2001:db8::23";
  args.nonce = nonce;
  args.internal_port = 3000;
  const auto request = pcp_map_request(args);
  ASSERT_TRUE(request);
  const auto b = to_bytes(*request);
  EXPECT_EQ(bytes(b.begin() + 8, b.begin() + 24),
            (bytes{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23}));
  EXPECT_EQ(bytes(b.begin() + 44, b.end()), bytes(16, 0)) << "no preference for IPv6 is ::";
}

TEST(pcp, requests_refuse_what_is_no_ip_literal) {
  EXPECT_FALSE(pcp_announce_request("router.lan"));
  EXPECT_FALSE(pcp_announce_request(""));
  pcp_map_request_args args;
  args.client_address = "192.168.1.300";
  EXPECT_FALSE(pcp_map_request(args));
  args.client_address = "192.168.1.23";
  args.suggested_external_address = "any";
  EXPECT_FALSE(pcp_map_request(args));
}

// miniupnpd's MAP answer: lifetime 7200, epoch 1000, port 3000 -> 3001 on 203.0.113.7.
const bytes map_answer = concat({{2, 0x81, 0, 0, 0, 0, 0x1c, 0x20, 0, 0, 0x03, 0xe8},
                                 bytes(12, 0),
                                 bytes(nonce.begin(), nonce.end()),
                                 {6, 0, 0, 0, 0x0b, 0xb8, 0x0b, 0xb9},
                                 v4_mapped(203, 0, 113, 7)});

TEST(pcp, map_answer) {
  const auto response = parse_pcp_response(map_answer);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->version, 2);
  EXPECT_EQ(response->opcode, static_cast<std::uint8_t>(pcp_opcode::map));
  EXPECT_EQ(response->result_code, 0);
  EXPECT_EQ(response->lifetime_seconds, 7200U);
  EXPECT_EQ(response->epoch_seconds, 1000U);
  ASSERT_TRUE(response->map);
  EXPECT_EQ(response->map->nonce, nonce);
  EXPECT_EQ(response->map->protocol, pcp_protocol_tcp);
  EXPECT_EQ(response->map->internal_port, 3000);
  EXPECT_EQ(response->map->external_port, 3001);
  EXPECT_EQ(response->map->external_address, "203.0.113.7");
}

TEST(pcp, map_answer_with_ipv6_external_address) {
  auto answer = map_answer;
  const bytes v6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07};
  std::copy(v6.begin(), v6.end(), answer.begin() + 44);
  const auto response = parse_pcp_response(answer);
  ASSERT_TRUE(response && response->map);
  EXPECT_EQ(response->map->external_address, "2001:db8::7");
}

TEST(pcp, not_authorized_answer_carries_the_request_fields_back) {
  auto answer = map_answer;
  answer[3] = static_cast<std::uint8_t>(pcp_result::not_authorized);
  const auto response = parse_pcp_response(answer);
  ASSERT_TRUE(response);
  EXPECT_EQ(pcp_result_name(response->result_code), "NOT_AUTHORIZED");
  ASSERT_TRUE(response->map);
  EXPECT_EQ(response->map->nonce, nonce);
}

TEST(pcp, announce_answer_has_no_map_fields) {
  const auto response = parse_pcp_response(concat({{2, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42}, bytes(12, 0)}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->opcode, 0);
  EXPECT_EQ(response->epoch_seconds, 42U);
  EXPECT_FALSE(response->map);
}

TEST(pcp, unsupported_version_answer_names_the_servers_version) {
  const auto response = parse_pcp_response(concat({{1, 0x81, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7}, bytes(12, 0)}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->version, 1);
  EXPECT_EQ(response->result_code, static_cast<std::uint8_t>(pcp_result::unsupp_version));
  EXPECT_FALSE(response->map);
}

TEST(pcp, a_natpmp_only_router_answers_in_natpmp) {
  // RFC 6886's "unsupported version" answer to our version-2 MAP (opcode 1).
  const bytes natpmp = {0, 129, 0, 1, 0, 0, 0x12, 0x34};
  EXPECT_FALSE(parse_pcp_response(natpmp));
  EXPECT_TRUE(is_natpmp_answer(natpmp));
  EXPECT_FALSE(is_natpmp_answer(map_answer));
  EXPECT_FALSE(is_natpmp_answer(bytes{0, 0}));
}

struct rejected_case {
  std::string name;
  bytes datagram;
  friend void PrintTo(const rejected_case& c, std::ostream* os) { *os << c.name; }
};

const rejected_case rejected[] = {
    {"empty", {}},
    {"request_without_r_bit", concat({{2, 1, 0, 0, 0, 0, 0x1c, 0x20}, v4_mapped(192, 168, 1, 23)})},
    {"version_0", concat({{0, 0x81, 0, 0}, bytes(20, 0)})},
    {"too_long", concat({{2, 0x81, 0, 0}, bytes(max_pcp_message - 3, 0)})},
};

class pcp_rejected : public testing::TestWithParam<rejected_case> {};

TEST_P(pcp_rejected, is_no_answer) { EXPECT_FALSE(parse_pcp_response(GetParam().datagram)); }

INSTANTIATE_TEST_SUITE_P(samples, pcp_rejected, testing::ValuesIn(rejected),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(pcp, truncated_answers) {
  for (std::size_t size = 0; size < pcp_header_size; ++size)
    EXPECT_FALSE(parse_pcp_response(std::span<const std::uint8_t>(map_answer).first(size))) << "at " << size;
  for (std::size_t size = pcp_header_size; size < map_answer.size(); ++size) {
    const auto response = parse_pcp_response(std::span<const std::uint8_t>(map_answer).first(size));
    ASSERT_TRUE(response) << "at " << size;
    EXPECT_FALSE(response->map) << "a cut MAP answer has no MAP fields, at " << size;
  }
}

TEST(pcp, our_request_round_trips_through_the_parser_once_marked_as_answer) {
  pcp_map_request_args args;
  args.client_address = "192.168.1.23";
  args.nonce = nonce;
  args.internal_port = 3000;
  args.suggested_external_port = 3000;
  auto request = to_bytes(*pcp_map_request(args));
  EXPECT_FALSE(parse_pcp_response(request));
  request[1] |= 0x80;
  const auto response = parse_pcp_response(request);
  ASSERT_TRUE(response && response->map);
  EXPECT_EQ(response->map->internal_port, 3000);
  EXPECT_EQ(response->map->external_address, "0.0.0.0");
}

struct result_case {
  std::uint8_t code;
  std::string name;
  friend void PrintTo(const result_case& c, std::ostream* os) { *os << int{c.code}; }
};

const result_case results[] = {
    {0, "SUCCESS"},
    {1, "UNSUPP_VERSION"},
    {2, "NOT_AUTHORIZED"},
    {3, "MALFORMED_REQUEST"},
    {4, "UNSUPP_OPCODE"},
    {5, "UNSUPP_OPTION"},
    {6, "MALFORMED_OPTION"},
    {7, "NETWORK_FAILURE"},
    {8, "NO_RESOURCES"},
    {9, "UNSUPP_PROTOCOL"},
    {10, "USER_EX_QUOTA"},
    {11, "CANNOT_PROVIDE_EXTERNAL"},
    {12, "ADDRESS_MISMATCH"},
    {13, "EXCESSIVE_REMOTE_PEERS"},
    {14, "result 14"},
    {255, "result 255"},
};

class pcp_result_names : public testing::TestWithParam<result_case> {};

TEST_P(pcp_result_names, are_the_rfc_names) { EXPECT_EQ(pcp_result_name(GetParam().code), GetParam().name); }

INSTANTIATE_TEST_SUITE_P(codes, pcp_result_names, testing::ValuesIn(results),
                         [](const auto& test_info) { return "code_" + std::to_string(test_info.param.code); });

}  // namespace
}  // namespace reachback::router::pcp_test

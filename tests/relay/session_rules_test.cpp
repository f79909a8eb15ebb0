// SPDX-License-Identifier: MIT
#include "relay/session_rules.hpp"

#include <gtest/gtest.h>

#include "common/protocol_error.hpp"
#include "version.hpp"

namespace reachback::relay {
namespace {

using protocol::errc;
using protocol::wire_error;

std::span<const char> bytes(std::string_view text) { return {text.data(), text.size()}; }

TEST(DecodeFailure, NamesBothVersions) {
  const std::string header("RB\x02\x01\x00\x00\x00\x02", 8);
  const auto e = error_for_decode_failure(errc::unsupported_version, bytes(header));
  EXPECT_EQ(e.code, wire_error::unsupported_version);
  EXPECT_EQ(e.text, "relay speaks protocol 1, got 2");
}

TEST(DecodeFailure, MapsEveryDecodeError) {
  EXPECT_EQ(error_for_decode_failure(errc::frame_too_large, {}).code, wire_error::frame_too_large);
  EXPECT_EQ(error_for_decode_failure(errc::bad_magic, bytes("GET /")).code,
            wire_error::bad_request);
  EXPECT_EQ(error_for_decode_failure(errc::malformed_payload, {}).code, wire_error::bad_request);
  EXPECT_EQ(error_for_decode_failure(errc::unknown_message_type, {}).code,
            wire_error::bad_request);
}

TEST(CheckHello, AnOpenRelayTakesAnyone) {
  EXPECT_EQ(check_hello({.client_version = "0.2.0", .token = std::nullopt}, {}), std::nullopt);
  EXPECT_EQ(check_hello({.client_version = "0.2.0", .token = "whatever"}, {}), std::nullopt);
}

TEST(CheckHello, ATokenRelayWantsOneOfItsTokens) {
  const std::vector<std::string> tokens = {"first-secret", "second-secret"};
  EXPECT_EQ(check_hello({.client_version = "0.2.0", .token = "second-secret"}, tokens),
            std::nullopt);
  const auto wrong = check_hello({.client_version = "0.2.0", .token = "second-secreT"}, tokens);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->code, wire_error::unauthorized);
  const auto prefix = check_hello({.client_version = "0.2.0", .token = "first"}, tokens);
  ASSERT_TRUE(prefix);
  const auto missing = check_hello({.client_version = "0.2.0", .token = std::nullopt}, tokens);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->code, wire_error::unauthorized);
}

TEST(CheckProbeRequest, AcceptsAWellFormedRequest) {
  EXPECT_EQ(check_probe_request({.protocol = "tcp",
                                 .port = 3000,
                                 .nonce = "0123456789abcdef0123456789abcdef",
                                 .sweep = true}),
            std::nullopt);
}

TEST(CheckProbeRequest, AcceptsUdp) {
  EXPECT_EQ(check_probe_request({.protocol = "udp",
                                 .port = 19132,
                                 .nonce = "0123456789abcdef0123456789abcdef",
                                 .sweep = true}),
            std::nullopt);
}

TEST(CheckProbeRequest, RejectsWhatTheProofCannotCarry) {
  const protocol::probe_request good{
      .protocol = "tcp", .port = 3000, .nonce = "0123456789abcdef0123456789abcdef", .sweep = true};
  ASSERT_EQ(check_probe_request(good), std::nullopt);
  auto sctp = good;
  sctp.protocol = "sctp";
  auto no_port = good;
  no_port.port = 0;
  auto newline = good;
  newline.nonce = "00ff\nREACHBACK-PROOF 00ff";
  auto empty = good;
  empty.nonce = "";
  // The codec's rule, exactly: these passed the relay's own looser copy once.
  auto shorter = good;
  shorter.nonce = "00ff";
  auto longer = good;
  longer.nonce = std::string(33, 'a');
  auto uppercase = good;
  uppercase.nonce = "0123456789ABCDEF0123456789ABCDEF";
  for (const auto& bad : {sctp, no_port, newline, empty, shorter, longer, uppercase}) {
    const auto e = check_probe_request(bad);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, wire_error::bad_request);
  }
  EXPECT_EQ(check_probe_request(uppercase)->text, "the nonce must be 32 lowercase hex digits");
}

TEST(MakeWelcome, ReportsTheClientAsSeen) {
  const asio::ip::tcp::endpoint peer(asio::ip::make_address("::ffff:192.0.2.7"), 51234);
  const auto w = make_welcome(peer, 7, {.ttl_sweep = true, .syn_ttl = true});
  EXPECT_EQ(w.observed_address, "192.0.2.7");
  EXPECT_EQ(w.observed_port, 51234);
  EXPECT_EQ(w.relay_version, project_version);
  EXPECT_EQ(w.capabilities, (std::vector<std::string>{"connect_back", "udp_probe", "ttl_sweep", "syn_ttl"}));
  EXPECT_EQ(w.client_hops, 7);
}

TEST(MakeWelcome, ListsOnlyWhatIsAvailable) {
  const asio::ip::tcp::endpoint peer(asio::ip::make_address("2001:db8::7"), 40000);
  const auto w = make_welcome(peer, std::nullopt, {.ttl_sweep = false, .syn_ttl = false});
  EXPECT_EQ(w.observed_address, "2001:db8::7");
  EXPECT_EQ(w.capabilities, (std::vector<std::string>{"connect_back", "udp_probe"}));
  EXPECT_EQ(w.client_hops, std::nullopt);
}

TEST(SessionRules, NamesMessagesAndOutcomes) {
  EXPECT_EQ(message_name(protocol::probe_result{}), "probe_result");
  EXPECT_EQ(message_name(protocol::hello{}), "hello");
  EXPECT_EQ(error_outcome(wire_error::rate_limited), "error:rate_limited");
}

}  // namespace
}  // namespace reachback::relay

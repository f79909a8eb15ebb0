// SPDX-License-Identifier: MIT
// UDP probes against an in-process relay on loopback: each outcome of the
// probe datagrams, the UDP sweep, and that only the probed port's answer
// counts. Every wait ends on an event or the relay's own deadlines.
#include "loopback_harness.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/messages.hpp"
#include "relay/sweep_plan.hpp"
#include "relay/udp_probe.hpp"

namespace reachback::relay::test::udp_probe_loopback_test {
namespace {

const std::string proof = protocol::proof_line(test_nonce);
const std::string probe = protocol::udp_probe_line(test_nonce);

udp_replies proof_from_target(int /*n*/, const std::string& /*payload*/) {
  return {.from_target = proof, .from_other_port = std::nullopt};
}

udp_replies echo(int /*n*/, const std::string& payload) {
  return {.from_target = payload, .from_other_port = std::nullopt};
}

udp_replies nothing(int /*n*/, const std::string& /*payload*/) { return {}; }

// hello, then one UDP probe: the one reply to it, which must be a result.
std::optional<protocol::probe_result> udp_probe_once(loopback_relay& relay, std::uint16_t port,
                                                     bool sweep) {
  transcript t;
  if (!relay.run(talk(relay.endpoint(), {hello_frame(), udp_probe_frame(port, sweep)}, t))) {
    return std::nullopt;
  }
  if (t.replies.size() != 2 || as<protocol::probe_result>(t.replies[1]) == nullptr) {
    return std::nullopt;
  }
  return *as<protocol::probe_result>(t.replies[1]);
}

TEST(RelayUdpProbe, TheAgentsProofVerifies) {
  loopback_relay relay;
  udp_target agent(relay.context(), proof_from_target);
  const auto result = udp_probe_once(relay, agent.port(), false);
  ASSERT_TRUE(result);
  const auto& cb = result->connect_back;
  EXPECT_EQ(cb.outcome, connect_outcome::verified);
  EXPECT_EQ(cb.dialed_address, "127.0.0.1");
  EXPECT_EQ(cb.port, agent.port());
  EXPECT_EQ(cb.attempts, 1);
  EXPECT_GT(cb.connect_ms, 0.0);
  EXPECT_EQ(cb.total_ms, cb.connect_ms);
  EXPECT_EQ(result->control, std::nullopt) << "UDP has no control probe";
  EXPECT_EQ(result->sweep, std::nullopt) << "no sweep was asked for";
  ASSERT_EQ(agent.heard(), std::vector<std::string>{probe});
  EXPECT_EQ(agent.senders()[0].port(), cb.source_port);
  EXPECT_NE(cb.source_port, relay.endpoint().port()) << "never from the listening port";
}

TEST(RelayUdpProbe, AnEchoIsForeignWithTheProbeAsItsBanner) {
  loopback_relay relay;
  udp_target echo_server(relay.context(), echo);
  const auto result = udp_probe_once(relay, echo_server.port(), false);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->connect_back.outcome, connect_outcome::foreign);
  EXPECT_EQ(result->connect_back.banner, probe);
  EXPECT_EQ(result->connect_back.attempts, 1);
}

TEST(RelayUdpProbe, AClosedPortIsUnreachableByTheHostsIcmp) {
  loopback_relay relay;
  const closed_udp_port closed(relay.context());
  const auto result = udp_probe_once(relay, closed.number(), false);
  ASSERT_TRUE(result);
  const auto& cb = result->connect_back;
  EXPECT_EQ(cb.outcome, connect_outcome::unreachable);
  EXPECT_EQ(cb.icmp, (icmp_info{.type = 3, .code = 3, .from = "127.0.0.1"}));
  ASSERT_TRUE(cb.reply_ttl) << "the ICMP's own TTL places the hop";
  EXPECT_GT(*cb.reply_ttl, 0);
  EXPECT_EQ(cb.attempts, 1);
}

TEST(RelayUdpProbe, SilenceIsATimeoutAfterThreeDatagramsFromOnePort) {
  loopback_relay relay;
  udp_target silent(relay.context(), nothing);
  const auto result = udp_probe_once(relay, silent.port(), false);
  ASSERT_TRUE(result);
  const auto& cb = result->connect_back;
  EXPECT_EQ(cb.outcome, connect_outcome::timeout);
  EXPECT_EQ(cb.attempts, udp_probe_datagrams);
  EXPECT_EQ(cb.icmp, std::nullopt);
  ASSERT_TRUE(relay.run_until([&] { return silent.heard().size() == 3; }));
  for (std::size_t i = 0; i < silent.heard().size(); ++i) {
    EXPECT_EQ(silent.heard()[i], probe) << "datagram " << i;
    EXPECT_EQ(silent.senders()[i].port(), cb.source_port) << "datagram " << i;
  }
}

TEST(RelayUdpProbe, AnAnswerFromAnotherPortIsIgnored) {
  loopback_relay relay;
  // The proof comes from another port first, then from the probed port
  // for the second datagram: only the second may count.
  udp_target target(relay.context(), [](int n, const std::string& /*payload*/) {
    return n == 1 ? udp_replies{.from_target = std::nullopt, .from_other_port = proof}
                  : udp_replies{.from_target = proof, .from_other_port = std::nullopt};
  });
  const auto result = udp_probe_once(relay, target.port(), false);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->connect_back.outcome, connect_outcome::verified);
  EXPECT_EQ(result->connect_back.attempts, 2) << "the first answer came from the wrong port";
}

TEST(RelayUdpProbe, TheSweepGetsAUdpReplyAtTtlOne) {
  loopback_relay relay;
  udp_target agent(relay.context(), proof_from_target);
  const auto result = udp_probe_once(relay, agent.port(), true);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->connect_back.outcome, connect_outcome::verified);
  ASSERT_TRUE(result->sweep);
  ASSERT_EQ(result->sweep->hops.size(), 1U) << "TTLs past the first answer say nothing more";
  const auto& hop = result->sweep->hops[0];
  EXPECT_EQ(hop.reply, sweep_reply::udp_reply);
  EXPECT_EQ(hop.from, "127.0.0.1");
  EXPECT_EQ(result->sweep->public_distance, 1);
  EXPECT_EQ(std::ranges::count(agent.heard(), probe), static_cast<long>(agent.heard().size()))
      << "every sweep datagram carries the probe line";
}

TEST(RelayUdpProbe, TheSweepMeetsPortUnreachableAtTtlOne) {
  loopback_relay relay;
  const closed_udp_port closed(relay.context());
  const auto result = udp_probe_once(relay, closed.number(), true);
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->sweep);
  ASSERT_EQ(result->sweep->hops.size(), 1U);
  const auto& hop = result->sweep->hops[0];
  EXPECT_EQ(hop.reply, sweep_reply::unreachable);
  EXPECT_EQ(hop.icmp, (icmp_info{.type = 3, .code = 3, .from = "127.0.0.1"}));
  EXPECT_TRUE(hop.reply_ttl);
  EXPECT_EQ(result->sweep->public_distance, 1);
}

TEST(RelayUdpProbe, TheSweepStopsAFewTtlsPastTheClient) {
  loopback_relay relay;  // sweep.max_ttl 4
  udp_target silent(relay.context(), nothing);
  const auto result = udp_probe_once(relay, silent.port(), true);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->connect_back.outcome, connect_outcome::timeout);
  ASSERT_TRUE(result->sweep);
  // Loopback: the client's SYN passed no router, so it is at TTL 1.
  EXPECT_EQ(result->sweep->hops.size(), static_cast<std::size_t>(1 + path_asymmetry_slack));
  EXPECT_EQ(std::ranges::count(silent.heard(), probe),
            udp_probe_datagrams + 2 * (1 + path_asymmetry_slack))
      << "3 datagrams from the probe, then each swept TTL twice (it was silent)";
}

}  // namespace
}  // namespace reachback::relay::test::udp_probe_loopback_test

// SPDX-License-Identifier: MIT
// The control probe and the RTT-derived waits on loopback: run_probe with
// an injected control port and RTT, the probe clock's refinement, and a
// whole session through the in-process relay.
#include "loopback_harness.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "common/codec.hpp"
#include "common/evidence_json.hpp"
#include "relay/control_probe.hpp"
#include "relay/probe.hpp"
#include "relay/probe_clock.hpp"

namespace reachback::relay::test {
namespace {

using std::chrono::microseconds;

const tcp::endpoint control_peer(asio::ip::make_address("127.0.0.1"), 40000);

protocol::probe_request control_request(std::uint16_t port) {
  return {.protocol = "tcp", .port = port, .nonce = test_nonce, .sweep = false, .control = true};
}

probe_settings settings_picking(std::uint16_t control_port, std::uint16_t* asked = nullptr) {
  auto settings = probe_settings_from(loopback_config());
  settings.pick_control_port = [control_port, asked](std::uint16_t port) {
    if (asked != nullptr) *asked = port;
    return control_port;
  };
  return settings;
}

rtt_reader fixed_rtt(std::optional<microseconds> rtt) {
  return [rtt] { return rtt; };
}

asio::awaitable<void> probe_into(protocol::probe_request request, probe_settings settings,
                                 rtt_reader rtt, std::optional<probe_run>& out) {
  auto run = co_await run_probe(control_peer, asio::ip::address(), std::move(request),
                                std::move(settings), std::move(rtt), std::nullopt);
  out = std::move(run);
}

TEST(ControlProbe, IsRefusedWhenNothingListensOnThePickedPort) {
  loopback_relay relay;
  closed_port asked(relay.context());
  closed_port control(relay.context());
  std::uint16_t picked_for = 0;
  std::optional<probe_run> run;
  ASSERT_TRUE(relay.run(probe_into(control_request(asked.number()),
                                   settings_picking(control.number(), &picked_for),
                                   fixed_rtt(80ms), run)));
  ASSERT_TRUE(run);
  EXPECT_EQ(picked_for, asked.number()) << "the picker is told the asked port";
  EXPECT_EQ(run->result.connect_back.outcome, connect_outcome::refused);
  ASSERT_TRUE(run->result.control);
  const auto& c = *run->result.control;
  EXPECT_EQ(c.port, control.number());
  EXPECT_EQ(c.outcome, connect_outcome::refused);
  EXPECT_EQ(c.icmp, std::nullopt);
  EXPECT_EQ(c.attempts, 1);
  EXPECT_LT(c.connect_ms, 500);
  ASSERT_TRUE(run->result.rtt_ms);
  EXPECT_DOUBLE_EQ(*run->result.rtt_ms, 80.0);
}

TEST(ControlProbe, ConnectsAndSendsNothingWhenSomethingListens) {
  loopback_relay relay;
  closed_port asked(relay.context());
  target_listener listener(relay.context(), "");
  std::optional<probe_run> run;
  ASSERT_TRUE(relay.run(probe_into(control_request(asked.number()),
                                   settings_picking(listener.port()), fixed_rtt(1ms), run)));
  ASSERT_TRUE(run && run->result.control);
  EXPECT_EQ(run->result.control->outcome, connect_outcome::connected);
  EXPECT_EQ(run->result.control->port, listener.port());
  EXPECT_EQ(run->result.control->attempts, 1);
  EXPECT_TRUE(relay.run_until([&] { return listener.accepted() == 1; }));
  // Give the listener a moment to read anything the relay might have sent.
  (void)relay.run_until([] { return false; }, 100ms);
  EXPECT_EQ(listener.heard(), "") << "the control probe sends nothing";
  EXPECT_EQ(listener.accepted(), 1) << "one connection, no second attempt";
}

/// A loopback port that never answers a SYN: a listener with a backlog of
/// 0 whose one queued connection is never accepted. Linux drops SYNs to a
/// full accept queue without a word.
class silent_port {
 public:
  explicit silent_port(asio::io_context& ctx) : listener_(ctx), filler_(ctx) {
    const tcp::endpoint any(asio::ip::make_address("127.0.0.1"), 0);
    listener_.open(any.protocol());
    listener_.bind(any);
    listener_.listen(0);
    filler_.connect(listener_.local_endpoint());
  }
  [[nodiscard]] std::uint16_t number() const { return listener_.local_endpoint().port(); }

 private:
  tcp::acceptor listener_;
  tcp::socket filler_;
};

TEST(ControlProbe, IsNotAwaitedOnceSomethingAcceptsTheConnectBack) {
  loopback_relay relay;
  target_listener asked(relay.context(), "");
  silent_port control(relay.context());
  std::optional<probe_run> run;
  ASSERT_TRUE(relay.run(probe_into(control_request(asked.port()), settings_picking(control.number()),
                                   fixed_rtt(1ms), run)));
  ASSERT_TRUE(run);
  EXPECT_EQ(run->result.connect_back.outcome, connect_outcome::connected);
  EXPECT_EQ(run->result.control, std::nullopt)
      << "a silent control port would only have run into its deadline: "
      << (run->result.control ? to_string(run->result.control->outcome) : std::string_view());
}

TEST(ControlProbe, IsNotRunWhenTheRequestDoesNotAskForIt) {
  loopback_relay relay;
  closed_port asked(relay.context());
  target_listener listener(relay.context(), "");
  auto request = control_request(asked.number());
  request.control = false;
  std::optional<probe_run> run;
  ASSERT_TRUE(relay.run(probe_into(request, settings_picking(listener.port()), fixed_rtt(1ms), run)));
  ASSERT_TRUE(run);
  EXPECT_EQ(run->result.control, std::nullopt);
  (void)relay.run_until([] { return false; }, 100ms);
  EXPECT_EQ(listener.accepted(), 0);
}

TEST(ControlProbe, WithoutAnRttTheResultSaysNone) {
  loopback_relay relay;
  closed_port asked(relay.context());
  closed_port control(relay.context());
  std::optional<probe_run> run;
  ASSERT_TRUE(relay.run(probe_into(control_request(asked.number()),
                                   settings_picking(control.number()), fixed_rtt(std::nullopt),
                                   run)));
  ASSERT_TRUE(run && run->result.control);
  EXPECT_EQ(run->result.rtt_ms, std::nullopt);
  EXPECT_EQ(run->result.control->outcome, connect_outcome::refused);
}

// How long a connect wait of `clock` lasts.
asio::awaitable<void> time_connect_wait(probe_clock& clock, std::chrono::milliseconds& took) {
  const auto start = steady_clock::now();
  co_await clock.wait_until(start, &deadlines::connect);
  took = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start);
}

// An RTT that the kernel "measures" `after` the clock starts, as with Fast Open.
rtt_reader rtt_arriving_after(std::chrono::milliseconds after, microseconds rtt) {
  const auto known_at = steady_clock::now() + after;
  return [known_at, rtt]() -> std::optional<microseconds> {
    if (steady_clock::now() < known_at) return std::nullopt;
    return rtt;
  };
}

TEST(ProbeClock, ALateRttShortensARunningWait) {
  loopback_relay relay;
  probe_clock clock({.connect_unknown = 3'000ms, .connect_floor = 300ms, .connect_cap = 300ms},
                    rtt_arriving_after(60ms, 1ms));
  EXPECT_EQ(clock.current().connect, 3'000ms) << "unknown at first";
  std::chrono::milliseconds took{0};
  ASSERT_TRUE(relay.run(time_connect_wait(clock, took)));
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 1'000ms) << "the wait followed the RTT, not the unknown value";
  EXPECT_EQ(clock.rtt(), microseconds(1ms));
}

TEST(ProbeClock, ALateRttLengthensARunningWait) {
  loopback_relay relay;
  probe_clock clock({.connect_unknown = 100ms, .connect_floor = 600ms, .connect_cap = 600ms},
                    rtt_arriving_after(30ms, 1ms));
  std::chrono::milliseconds took{0};
  ASSERT_TRUE(relay.run(time_connect_wait(clock, took)));
  EXPECT_GE(took, 600ms);
}

TEST(ProbeClock, FixedWaitsNeverAsk) {
  loopback_relay relay;
  probe_clock clock(deadlines{.connect = 150ms, .hop = 50ms});
  std::chrono::milliseconds took{0};
  ASSERT_TRUE(relay.run(time_connect_wait(clock, took)));
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 1'000ms);
  EXPECT_EQ(clock.rtt(), std::nullopt);
}

TEST(ProbeClock, ReadsTheRttOfAnEstablishedLoopbackConnection) {
  loopback_relay relay;
  std::optional<microseconds> rtt;
  auto body = [](tcp::endpoint at, std::optional<microseconds>& out) -> asio::awaitable<void> {
    auto socket = co_await connect_to(at);
    out = smoothed_rtt(socket);
  };
  ASSERT_TRUE(relay.run(body(relay.endpoint(), rtt)));
  ASSERT_TRUE(rtt) << "the handshake gave the kernel a sample";
  EXPECT_GT(rtt->count(), 0);
  EXPECT_LT(*rtt, microseconds(100ms));
}

TEST(ControlProbeSession, AResultCarriesTheControlProbeAndTheRtt) {
  loopback_relay relay;
  closed_port asked(relay.context());
  transcript t;
  const auto request = protocol::encode(control_request(asked.number()));
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame(), request}, t)));
  ASSERT_EQ(t.replies.size(), 2U);
  const auto* result = as<protocol::probe_result>(t.replies[1]);
  ASSERT_NE(result, nullptr);
  ASSERT_TRUE(result->control);
  const auto& c = *result->control;
  EXPECT_GE(c.port, control_port_first);
  EXPECT_NE(c.port, asked.number());
  // Whatever the port is on this machine, loopback answers at once.
  EXPECT_TRUE(c.outcome == connect_outcome::refused || c.outcome == connect_outcome::connected)
      << reachback::to_string(c.outcome);
  ASSERT_TRUE(result->rtt_ms) << "a plain handshake gives the kernel an RTT sample";
  EXPECT_GT(*result->rtt_ms, 0);
  EXPECT_LT(*result->rtt_ms, 100);
}

TEST(ControlProbeSession, AnOldClientGetsNoControlProbe) {
  loopback_relay relay;
  closed_port asked(relay.context());
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame(), probe_frame(asked.number(), false)}, t)));
  ASSERT_EQ(t.replies.size(), 2U);
  const auto* result = as<protocol::probe_result>(t.replies[1]);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->control, std::nullopt);
}

}  // namespace
}  // namespace reachback::relay::test

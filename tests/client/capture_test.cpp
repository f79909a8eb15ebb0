// SPDX-License-Identifier: MIT
#include "client/platform/capture.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>

#include "test_sockets.hpp"
#include "unprivileged.hpp"

namespace reachback::client::platform {
namespace {

using namespace std::chrono_literals;

// The "relay" is a loopback address of its own, so loopback traffic of
// other tests running at the same time cannot match the capture filter.
std::string private_loopback() {
  const auto pid = static_cast<unsigned>(::getpid());
  return "127.83." + std::to_string((pid >> 8) & 0xff) + "." + std::to_string(1 + pid % 250);
}

// The capture needs CAP_NET_RAW. Tests run as root here and in CI, so each
// test asserts `available`: a missing capability fails, it never skips.

TEST(packet_capture, syn_answered_with_syn_ack) {
  const auto relay = private_loopback();
  const auto server = test::listen_on("127.0.0.1");
  packet_capture capture;
  capture.start(relay);
  std::error_code ec;
  const auto client = test::connect_to("127.0.0.1", server.port, ec, relay);
  ASSERT_FALSE(ec) << ec.message();
  const auto start = std::chrono::steady_clock::now();
  const auto evidence = capture.finish(server.port);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 200ms);  // woken, not polled
  ASSERT_TRUE(evidence.available) << evidence.unavailable_reason;
  EXPECT_TRUE(evidence.probe_seen);
  EXPECT_EQ(evidence.probe_count, 1);
  EXPECT_EQ(evidence.arrived_port, server.port);
  EXPECT_EQ(evidence.answer, host_answer::syn_ack);
}

TEST(packet_capture, peek_sees_what_arrived_so_far_and_the_capture_goes_on) {
  const auto relay = private_loopback();
  const auto server = test::listen_on("127.0.0.1");
  const auto other = test::listen_on("127.0.0.1");
  packet_capture capture;
  capture.start(relay);
  EXPECT_FALSE(capture.peek(server.port).probe_seen);
  std::error_code ec;
  const auto first = test::connect_to("127.0.0.1", other.port, ec, relay);
  ASSERT_FALSE(ec) << ec.message();
  // connect() returned, so the SYN was queued to the capture: peek must
  // see it without waiting for the reader thread.
  const auto so_far = capture.peek(server.port);
  ASSERT_TRUE(so_far.available) << so_far.unavailable_reason;
  EXPECT_TRUE(so_far.probe_seen);
  EXPECT_EQ(so_far.arrived_port, other.port);
  const auto second = test::connect_to("127.0.0.1", server.port, ec, relay);
  ASSERT_FALSE(ec) << ec.message();
  const auto evidence = capture.finish(server.port);
  EXPECT_EQ(evidence.probe_count, 2);
  EXPECT_EQ(evidence.arrived_port, server.port);
}

TEST(packet_capture, closed_port_answers_rst) {
  const auto relay = private_loopback();
  const auto port = test::free_port();
  packet_capture capture;
  capture.start(relay);
  std::error_code ec;
  const auto client = test::connect_to("127.0.0.1", port, ec, relay);
  ASSERT_EQ(ec, std::errc::connection_refused);
  const auto evidence = capture.finish(port);
  ASSERT_TRUE(evidence.available) << evidence.unavailable_reason;
  EXPECT_TRUE(evidence.probe_seen);
  EXPECT_EQ(evidence.arrived_port, port);
  EXPECT_EQ(evidence.answer, host_answer::rst);
}

TEST(packet_capture, ipv6_syn_answered_with_syn_ack) {
  const auto server = test::listen_on("::1");
  packet_capture capture;
  capture.start("::1");
  std::error_code ec;
  const auto client = test::connect_to("::1", server.port, ec);
  ASSERT_FALSE(ec) << ec.message();
  const auto evidence = capture.finish(server.port);
  ASSERT_TRUE(evidence.available) << evidence.unavailable_reason;
  EXPECT_TRUE(evidence.probe_seen);
  EXPECT_EQ(evidence.arrived_port, server.port);
  EXPECT_EQ(evidence.answer, host_answer::syn_ack);
}

TEST(packet_capture, silent_when_nothing_arrives) {
  packet_capture capture;
  capture.start(private_loopback());
  const auto evidence = capture.finish(3000);
  ASSERT_TRUE(evidence.available) << evidence.unavailable_reason;
  EXPECT_FALSE(evidence.probe_seen);
  EXPECT_EQ(evidence.probe_count, 0);
  EXPECT_FALSE(evidence.arrived_port);
  EXPECT_EQ(evidence.answer, host_answer::none);
}

TEST(packet_capture, without_cap_net_raw_says_how_to_get_it) {
  const auto reason = test::run_unprivileged([] {
    packet_capture capture;
    capture.start("127.0.0.1");
    const auto evidence = capture.finish(3000);
    return evidence.available ? std::string("available") : evidence.unavailable_reason;
  });
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("CAP_NET_RAW"), std::string::npos) << *reason;
  EXPECT_NE(reason->find("setcap cap_net_raw+ep"), std::string::npos) << *reason;
}

TEST(packet_capture, unavailable_unless_started_or_for_a_name) {
  packet_capture never_started;
  EXPECT_FALSE(never_started.finish(3000).available);
  packet_capture by_name;
  by_name.start("relay.example");
  const auto evidence = by_name.finish(3000);
  EXPECT_FALSE(evidence.available);
  EXPECT_FALSE(evidence.unavailable_reason.empty());
}

}  // namespace
}  // namespace reachback::client::platform

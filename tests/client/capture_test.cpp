// SPDX-License-Identifier: MIT
#include "client/platform/capture.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

#include <gtest/gtest.h>

#include "test_sockets.hpp"
#include "unprivileged.hpp"

namespace reachback::client::platform {
namespace {

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
  const auto evidence = capture.finish(server.port);
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
  const test::reserved_tcp_port reserved;
  const auto port = reserved.number();
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


// --- UDP: the relay's datagram, this host's datagram back, or its ICMP refusal ---

/// A UDP socket bound to the "relay" address, connected to 127.0.0.1:`port`,
/// that reads with a one-second timeout.
unique_fd relay_datagram_socket(const std::string& relay, std::uint16_t port) {
  auto bound = test::bind_udp(relay);
  const timeval second{1, 0};
  EXPECT_EQ(::setsockopt(bound.fd.get(), SOL_SOCKET, SO_RCVTIMEO, &second, sizeof second), 0);
  const auto peer = make_socket_address(*parse_ip("127.0.0.1"), port);
  EXPECT_EQ(::connect(bound.fd.get(), peer.get(), peer.length), 0);
  return std::move(bound.fd);
}

TEST(packet_capture, udp_probe_answered_with_a_datagram) {
  const auto relay = private_loopback();
  const auto server = test::bind_udp("127.0.0.1");
  packet_capture capture;
  capture.start(relay, transport::udp);
  const auto probe = relay_datagram_socket(relay, server.port);
  ASSERT_EQ(::send(probe.get(), "probe", 5, 0), 5);
  // The server answers to the datagram's source.
  char buffer[64];
  sockaddr_storage from{};
  socklen_t from_length = sizeof from;
  ASSERT_EQ(::recvfrom(server.fd.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_length), 5);
  ASSERT_EQ(::sendto(server.fd.get(), "pong", 4, 0, reinterpret_cast<sockaddr*>(&from), from_length), 4);
  ASSERT_EQ(::recv(probe.get(), buffer, sizeof buffer, 0), 4);  // it reached the relay
  const auto evidence = capture.finish(server.port);
  ASSERT_TRUE(evidence.available) << evidence.unavailable_reason;
  EXPECT_TRUE(evidence.probe_seen);
  EXPECT_EQ(evidence.probe_count, 1);
  EXPECT_EQ(evidence.arrived_port, server.port);
  EXPECT_EQ(evidence.answer, host_answer::udp_reply);
}

TEST(packet_capture, udp_probe_to_a_closed_port_answers_port_unreachable) {
  const auto relay = private_loopback();
  const test::reserved_udp_port reserved;
  const auto port = reserved.number();
  packet_capture capture;
  capture.start(relay, transport::udp);
  const auto probe = relay_datagram_socket(relay, port);
  ASSERT_EQ(::send(probe.get(), "probe", 5, 0), 5);
  char buffer[64];
  // The ICMP error reached the relay's socket: the kernel reports it here.
  ASSERT_EQ(::recv(probe.get(), buffer, sizeof buffer, 0), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  const auto evidence = capture.finish(port);
  ASSERT_TRUE(evidence.available) << evidence.unavailable_reason;
  EXPECT_TRUE(evidence.probe_seen);
  EXPECT_EQ(evidence.arrived_port, port);
  EXPECT_EQ(evidence.answer, host_answer::port_unreachable);
}

TEST(packet_capture, udp_capture_ignores_tcp) {
  const auto relay = private_loopback();
  const auto server = test::listen_on("127.0.0.1");
  packet_capture capture;
  capture.start(relay, transport::udp);
  std::error_code ec;
  const auto client = test::connect_to("127.0.0.1", server.port, ec, relay);
  ASSERT_FALSE(ec) << ec.message();
  const auto evidence = capture.finish(server.port);
  ASSERT_TRUE(evidence.available) << evidence.unavailable_reason;
  EXPECT_FALSE(evidence.probe_seen);
}

}  // namespace
}  // namespace reachback::client::platform

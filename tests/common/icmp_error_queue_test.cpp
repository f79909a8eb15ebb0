// SPDX-License-Identifier: MIT
#include "common/icmp_error_queue.hpp"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace reachback {
namespace {

struct cmsg_spec {
  int level = 0;
  int type = 0;
  std::vector<std::byte> data;
};

template <typename T>
void append(std::vector<std::byte>& out, const T& value) {
  const auto at = out.size();
  out.resize(at + sizeof value);
  std::memcpy(out.data() + at, &value, sizeof value);
}

// Lays the control messages out as recvmsg(MSG_ERRQUEUE) would.
std::vector<std::byte> control_buffer(const std::vector<cmsg_spec>& specs) {
  std::size_t space = 0;
  for (const auto& spec : specs) {
    space += CMSG_SPACE(spec.data.size());
  }
  std::vector<std::byte> buffer(space);
  msghdr msg{};
  msg.msg_control = buffer.data();
  msg.msg_controllen = buffer.size();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  for (const auto& spec : specs) {
    c->cmsg_level = spec.level;
    c->cmsg_type = spec.type;
    c->cmsg_len = CMSG_LEN(spec.data.size());
    std::memcpy(CMSG_DATA(c), spec.data.data(), spec.data.size());
    c = CMSG_NXTHDR(&msg, c);
  }
  return buffer;
}

sock_extended_err extended_error(int origin, int type, int code, int error) {
  sock_extended_err ee{};
  ee.ee_errno = static_cast<std::uint32_t>(error);
  ee.ee_origin = static_cast<std::uint8_t>(origin);
  ee.ee_type = static_cast<std::uint8_t>(type);
  ee.ee_code = static_cast<std::uint8_t>(code);
  return ee;
}

// The extended error followed by its SO_EE_OFFENDER address, as the kernel
// lays them out.
template <typename Sockaddr>
std::vector<std::byte> with_offender(const sock_extended_err& ee, const Sockaddr& offender) {
  std::vector<std::byte> data;
  append(data, ee);
  append(data, offender);
  return data;
}

std::vector<std::byte> with_v4_offender(const sock_extended_err& ee, const char* address) {
  sockaddr_in offender{};
  offender.sin_family = AF_INET;
  EXPECT_EQ(::inet_pton(AF_INET, address, &offender.sin_addr), 1);
  return with_offender(ee, offender);
}

std::vector<std::byte> with_v6_offender(const sock_extended_err& ee, const char* address) {
  sockaddr_in6 offender{};
  offender.sin6_family = AF_INET6;
  EXPECT_EQ(::inet_pton(AF_INET6, address, &offender.sin6_addr), 1);
  return with_offender(ee, offender);
}

std::vector<std::byte> int_data(int value) {
  std::vector<std::byte> data;
  append(data, value);
  return data;
}

TEST(DecodeErrorQueue, ReadsAnIpv4TimeExceededWithItsArrivalTtl) {
  const auto control = control_buffer(
      {{SOL_IP, IP_RECVERR,
        with_v4_offender(extended_error(SO_EE_ORIGIN_ICMP, 11, 0, EHOSTUNREACH), "192.0.2.1")},
       {SOL_IP, IP_TTL, int_data(253)}});
  const auto entry = decode_error_queue(control);
  ASSERT_TRUE(entry);
  EXPECT_TRUE(entry->from_icmp());
  EXPECT_FALSE(entry->is_icmp6());
  EXPECT_EQ(entry->error, EHOSTUNREACH);
  EXPECT_EQ(entry->type, 11);
  EXPECT_EQ(entry->code, 0);
  EXPECT_EQ(entry->offender, "192.0.2.1");
  EXPECT_EQ(entry->arrival_ttl, 253);
}

TEST(DecodeErrorQueue, TakesTheTtlWhicheverComesFirst) {
  const auto control = control_buffer(
      {{SOL_IP, IP_TTL, int_data(61)},
       {SOL_IP, IP_RECVERR,
        with_v4_offender(extended_error(SO_EE_ORIGIN_ICMP, 3, 13, EHOSTUNREACH), "203.0.113.9")}});
  const auto entry = decode_error_queue(control);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->type, 3);
  EXPECT_EQ(entry->code, 13);
  EXPECT_EQ(entry->offender, "203.0.113.9");
  EXPECT_EQ(entry->arrival_ttl, 61);
}

TEST(DecodeErrorQueue, ReadsAnIcmpv6ErrorAndItsHopLimit) {
  const auto control = control_buffer(
      {{SOL_IPV6, IPV6_RECVERR,
        with_v6_offender(extended_error(SO_EE_ORIGIN_ICMP6, 3, 0, EHOSTUNREACH), "2001:db8::1")},
       {SOL_IPV6, IPV6_HOPLIMIT, int_data(60)}});
  const auto entry = decode_error_queue(control);
  ASSERT_TRUE(entry);
  EXPECT_TRUE(entry->is_icmp6());
  EXPECT_EQ(entry->offender, "2001:db8::1");
  EXPECT_EQ(entry->arrival_ttl, 60);
}

TEST(DecodeErrorQueue, UnmapsAnIpv4MappedOffender) {
  const auto control = control_buffer(
      {{SOL_IPV6, IPV6_RECVERR,
        with_v6_offender(extended_error(SO_EE_ORIGIN_ICMP, 11, 0, EHOSTUNREACH),
                         "::ffff:198.51.100.4")}});
  const auto entry = decode_error_queue(control);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->offender, "198.51.100.4");
}

TEST(DecodeErrorQueue, ALocalErrorHasNoOffenderNorArrivalTtl) {
  std::vector<std::byte> data;
  append(data, extended_error(SO_EE_ORIGIN_LOCAL, 0, 0, EMSGSIZE));
  const auto control =
      control_buffer({{SOL_IP, IP_RECVERR, data}, {SOL_IP, IP_TTL, int_data(64)}});
  const auto entry = decode_error_queue(control);
  ASSERT_TRUE(entry);
  EXPECT_FALSE(entry->from_icmp());
  EXPECT_EQ(entry->error, EMSGSIZE);
  EXPECT_EQ(entry->offender, "");
  EXPECT_EQ(entry->arrival_ttl, std::nullopt);
}

TEST(DecodeErrorQueue, NothingWithoutAnExtendedError) {
  EXPECT_EQ(decode_error_queue({}), std::nullopt);
  EXPECT_EQ(decode_error_queue(control_buffer({{SOL_IP, IP_TTL, int_data(64)}})), std::nullopt);
}

TEST(DecodeErrorQueue, SurvivesTruncatedInput) {
  const auto control = control_buffer(
      {{SOL_IP, IP_RECVERR,
        with_v4_offender(extended_error(SO_EE_ORIGIN_ICMP, 11, 0, EHOSTUNREACH), "192.0.2.1")}});
  for (std::size_t size = 0; size < control.size(); ++size) {
    const auto entry = decode_error_queue(std::span(control).first(size));
    if (entry) {
      EXPECT_EQ(entry->type, 11) << "size " << size;
    }
  }
}

// The read itself, against the kernel: loopback only, no privileges.
struct udp_socket {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  udp_socket() = default;
  udp_socket(const udp_socket&) = delete;
  udp_socket& operator=(const udp_socket&) = delete;
  ~udp_socket() { ::close(fd); }
};

sockaddr_in loopback(std::uint16_t port_network_order) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = port_network_order;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port nobody listens on: bind one, note it, let it go.
std::uint16_t closed_udp_port() {
  const udp_socket holder;
  auto address = loopback(0);
  socklen_t length = sizeof address;
  EXPECT_EQ(::bind(holder.fd, reinterpret_cast<const sockaddr*>(&address), length), 0);
  EXPECT_EQ(::getsockname(holder.fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  return address.sin_port;
}

TEST(ReadErrorQueue, AnEmptyQueueReadsNothing) {
  const udp_socket socket;
  ASSERT_GE(socket.fd, 0);
  const auto read = read_error_queue(socket.fd);
  EXPECT_FALSE(read.received);
  EXPECT_EQ(read.entry, std::nullopt);
}

TEST(ReadErrorQueue, ReadsAPortUnreachableFromLoopback) {
  const udp_socket socket;
  ASSERT_GE(socket.fd, 0);
  const int on = 1;
  ASSERT_EQ(::setsockopt(socket.fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on), 0);
  ASSERT_EQ(::setsockopt(socket.fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on), 0);
  const auto target = loopback(closed_udp_port());
  ASSERT_EQ(::sendto(socket.fd, "x", 1, 0, reinterpret_cast<const sockaddr*>(&target),
                     sizeof target),
            1);
  pollfd waiting{socket.fd, 0, 0};  // POLLERR is always reported
  ASSERT_EQ(::poll(&waiting, 1, 2000), 1);
  const auto read = read_error_queue(socket.fd);
  ASSERT_TRUE(read.received);
  ASSERT_TRUE(read.entry);
  EXPECT_TRUE(read.entry->from_icmp());
  EXPECT_FALSE(read.entry->is_icmp6());
  EXPECT_EQ(read.entry->error, ECONNREFUSED);
  EXPECT_EQ(read.entry->type, 3);  // destination unreachable
  EXPECT_EQ(read.entry->code, 3);  // port unreachable
  EXPECT_EQ(read.entry->offender, "127.0.0.1");
  EXPECT_GT(read.entry->arrival_ttl.value_or(0), 0);
  EXPECT_FALSE(read_error_queue(socket.fd).received);
}

}  // namespace
}  // namespace reachback

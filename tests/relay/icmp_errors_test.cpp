// SPDX-License-Identifier: MIT
#include "relay/icmp_errors.hpp"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace reachback::relay {
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

std::vector<std::byte> with_v4_offender(const sock_extended_err& ee, const char* address) {
  std::vector<std::byte> data;
  append(data, ee);
  sockaddr_in offender{};
  offender.sin_family = AF_INET;
  EXPECT_EQ(::inet_pton(AF_INET, address, &offender.sin_addr), 1);
  append(data, offender);
  return data;
}

std::vector<std::byte> with_v6_offender(const sock_extended_err& ee, const char* address) {
  std::vector<std::byte> data;
  append(data, ee);
  sockaddr_in6 offender{};
  offender.sin6_family = AF_INET6;
  EXPECT_EQ(::inet_pton(AF_INET6, address, &offender.sin6_addr), 1);
  append(data, offender);
  return data;
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

}  // namespace
}  // namespace reachback::relay

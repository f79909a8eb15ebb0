// SPDX-License-Identifier: MIT
#include "relay/listen_address.hpp"

#include <gtest/gtest.h>

namespace reachback::relay {
namespace {

using asio::ip::make_address;
using asio::ip::tcp;

TEST(ParseListenEndpoint, TakesNumericAddressesWithAPort) {
  EXPECT_EQ(parse_listen_endpoint("0.0.0.0:4750"), tcp::endpoint(make_address("0.0.0.0"), 4750));
  EXPECT_EQ(parse_listen_endpoint("[::]:4750"), tcp::endpoint(make_address("::"), 4750));
  EXPECT_EQ(parse_listen_endpoint("127.0.0.1:0"), tcp::endpoint(make_address("127.0.0.1"), 0))
      << "port 0 lets the kernel choose";
  EXPECT_EQ(parse_listen_endpoint("[2001:db8::1]:65535"),
            tcp::endpoint(make_address("2001:db8::1"), 65535));
}

TEST(ParseListenEndpoint, RejectsEverythingElse) {
  for (const char* bad : {"", "4750", "0.0.0.0", "0.0.0.0:", "0.0.0.0:65536", "0.0.0.0:-1",
                          "0.0.0.0:47a", "localhost:4750", "::1:4750", "[::1]4750",
                          "[1.2.3.4]:80", "1.2.3:80", "[::1]:"}) {
    EXPECT_EQ(parse_listen_endpoint(bad), std::nullopt) << bad;
  }
}

TEST(EndpointText, PrintsAsClientsWriteThem) {
  EXPECT_EQ(endpoint_text(tcp::endpoint(make_address("203.0.113.7"), 51234)),
            "203.0.113.7:51234");
  EXPECT_EQ(endpoint_text(tcp::endpoint(make_address("2001:db8::7"), 80)), "[2001:db8::7]:80");
  EXPECT_EQ(endpoint_text(tcp::endpoint(make_address("::ffff:192.0.2.7"), 80)), "192.0.2.7:80");
}

TEST(DialTarget, IsTheControlPeerWithTheRequestedPort) {
  const tcp::endpoint peer(make_address("203.0.113.7"), 51234);
  EXPECT_EQ(dial_target(peer, 3000), tcp::endpoint(make_address("203.0.113.7"), 3000));
  const tcp::endpoint mapped(make_address("::ffff:192.0.2.7"), 51234);
  const auto target = dial_target(mapped, 22);
  EXPECT_TRUE(target.address().is_v4()) << "so that an IPv4 socket dials it";
  EXPECT_EQ(target, tcp::endpoint(make_address("192.0.2.7"), 22));
}

}  // namespace
}  // namespace reachback::relay

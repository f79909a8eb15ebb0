// SPDX-License-Identifier: MIT
#include "common/protocol_error.hpp"

#include <gtest/gtest.h>

#include <iterator>
#include <set>
#include <string>

namespace reachback::protocol {
namespace {

TEST(ProtocolError, CategoryIsNamed) {
  EXPECT_STREQ(protocol_category().name(), "reachback.protocol");
}

TEST(ProtocolError, EnumConvertsToErrorCode) {
  const std::error_code ec = errc::bad_magic;
  EXPECT_EQ(ec.category(), protocol_category());
  EXPECT_EQ(ec, make_error_code(errc::bad_magic));
  EXPECT_NE(ec, make_error_code(errc::unsupported_version));
  EXPECT_TRUE(ec);
}

TEST(ProtocolError, BadMagicSaysWhatThePeerIsNot) {
  EXPECT_EQ(make_error_code(errc::bad_magic).message(), "peer is not a reachback relay or client");
}

TEST(ProtocolError, EveryCodeHasItsOwnMessage) {
  const errc all[] = {errc::bad_magic,
                      errc::unsupported_version,
                      errc::frame_too_large,
                      errc::unknown_message_type,
                      errc::malformed_payload};
  std::set<std::string> messages;
  for (const auto e : all) messages.insert(make_error_code(e).message());
  EXPECT_EQ(messages.size(), std::size(all));
  EXPECT_EQ(messages.count(std::error_code(99, protocol_category()).message()), 0U);
}

}  // namespace
}  // namespace reachback::protocol

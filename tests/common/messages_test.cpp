// SPDX-License-Identifier: MIT
#include "common/messages.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <utility>

namespace reachback::protocol {
namespace {

TEST(WireError, NamesRoundTrip) {
  const std::pair<wire_error, std::string_view> names[] = {
      {wire_error::unsupported_version, "unsupported_version"},
      {wire_error::unauthorized, "unauthorized"},
      {wire_error::rate_limited, "rate_limited"},
      {wire_error::too_many_sessions, "too_many_sessions"},
      {wire_error::bad_request, "bad_request"},
      {wire_error::frame_too_large, "frame_too_large"},
      {wire_error::idle_timeout, "idle_timeout"},
      {wire_error::internal, "internal"},
  };
  for (const auto& [code, name] : names) {
    EXPECT_EQ(to_string(code), name);
    EXPECT_EQ(wire_error_from_string(name), code) << name;
  }
}

TEST(WireError, UnknownNameIsNullopt) {
  EXPECT_EQ(wire_error_from_string(""), std::nullopt);
  EXPECT_EQ(wire_error_from_string("Internal"), std::nullopt);
  EXPECT_EQ(wire_error_from_string("no_such_error"), std::nullopt);
}

}  // namespace
}  // namespace reachback::protocol

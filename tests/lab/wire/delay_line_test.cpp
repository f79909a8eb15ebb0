// SPDX-License-Identifier: MIT
#include "delay_line.hpp"

#include <gtest/gtest.h>

#include <array>

namespace reachback::lab {
namespace {

using namespace std::chrono_literals;
using lab_clock = delay_line::clock;

std::array<std::byte, 3> packet(std::byte tag) { return {tag, std::byte{1}, std::byte{2}}; }

TEST(DelayLine, HoldsEachPacketForTheDelay) {
  delay_line line{40ms};
  const lab_clock::time_point t0{};
  ASSERT_TRUE(line.push(packet(std::byte{7}), t0));
  EXPECT_EQ(line.next_due(), t0 + 40ms);
  EXPECT_FALSE(line.pop_due(t0 + 39ms).has_value());
  const auto out = line.pop_due(t0 + 40ms);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->front(), std::byte{7});
  EXPECT_EQ(line.size(), 0U);
  EXPECT_EQ(line.bytes(), 0U);
}

TEST(DelayLine, DeliversInArrivalOrder) {
  delay_line line{10ms};
  const lab_clock::time_point t0{};
  ASSERT_TRUE(line.push(packet(std::byte{1}), t0));
  ASSERT_TRUE(line.push(packet(std::byte{2}), t0 + 1ms));
  EXPECT_EQ(line.pop_due(t0 + 20ms)->front(), std::byte{1});
  EXPECT_EQ(line.pop_due(t0 + 20ms)->front(), std::byte{2});
  EXPECT_FALSE(line.next_due().has_value());
}

TEST(DelayLine, ZeroDelayIsDueAtOnce) {
  delay_line line{0ms};
  const lab_clock::time_point t0{};
  ASSERT_TRUE(line.push(packet(std::byte{1}), t0));
  EXPECT_TRUE(line.pop_due(t0).has_value());
}

TEST(DelayLine, RefusesPastThePacketLimit) {
  delay_line line{1s, delay_limits{2, 1024}};
  const lab_clock::time_point t0{};
  EXPECT_TRUE(line.push(packet(std::byte{1}), t0));
  EXPECT_TRUE(line.push(packet(std::byte{2}), t0));
  EXPECT_FALSE(line.push(packet(std::byte{3}), t0));
  EXPECT_EQ(line.counters().overflow, 1U);
  EXPECT_EQ(line.counters().queued, 2U);
}

TEST(DelayLine, RefusesPastTheByteLimit) {
  delay_line line{1s, delay_limits{100, 5}};
  const lab_clock::time_point t0{};
  EXPECT_TRUE(line.push(packet(std::byte{1}), t0));
  EXPECT_FALSE(line.push(packet(std::byte{2}), t0));
  EXPECT_EQ(line.bytes(), 3U);
  (void)line.pop_due(t0 + 1s);
  EXPECT_TRUE(line.push(packet(std::byte{3}), t0 + 1s));
  EXPECT_EQ(line.counters().delivered, 1U);
}

}  // namespace
}  // namespace reachback::lab

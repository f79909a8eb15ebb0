// SPDX-License-Identifier: MIT
#include "client/platform/capture.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace reachback::client::platform {
namespace {

TEST(packet_capture_windows, is_unavailable_and_says_what_stands_in) {
  packet_capture capture;
  capture.start("127.0.0.1");
  const auto seen = capture.peek(3000);
  EXPECT_FALSE(seen.available);
  EXPECT_NE(seen.unavailable_reason.find("Windows Defender Firewall"), std::string::npos);
  EXPECT_FALSE(seen.probe_seen);
  EXPECT_EQ(capture.finish(3000), seen);
}

TEST(packet_capture_windows, unavailable_before_start_and_from_any_thread) {
  packet_capture capture;
  capture_evidence from_thread;
  std::thread other([&] { from_thread = capture.peek(3000); });
  other.join();
  EXPECT_FALSE(from_thread.available);
  EXPECT_EQ(capture.finish(3000), from_thread);
}

}  // namespace
}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
#include "relay/nonce_memory.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace reachback::relay::nonce_memory_test {
namespace {

using namespace std::chrono_literals;
using clock_type = nonce_memory::clock;

const clock_type::time_point t0 = clock_type::time_point{} + 1000h;

// The n-th of many distinct valid nonces.
std::string nonce(unsigned n) {
  char text[33];
  std::snprintf(text, sizeof text, "%032x", n);
  return text;
}

TEST(NonceMemory, ANonceIsRefusedTheSecondTime) {
  nonce_memory memory;
  EXPECT_TRUE(memory.first_use(nonce(1), t0));
  EXPECT_FALSE(memory.first_use(nonce(1), t0 + 1s));
  EXPECT_TRUE(memory.first_use(nonce(2), t0 + 1s));
}

TEST(NonceMemory, ANonceIsFreshAgainAfterTheWindow) {
  nonce_memory memory(16, 10min);
  ASSERT_TRUE(memory.first_use(nonce(1), t0));
  EXPECT_FALSE(memory.first_use(nonce(1), t0 + 10min - 1s));
  EXPECT_TRUE(memory.first_use(nonce(1), t0 + 10min));
}

TEST(NonceMemory, ARefusedNonceDoesNotRestartItsWindow) {
  nonce_memory memory(16, 10min);
  ASSERT_TRUE(memory.first_use(nonce(1), t0));
  ASSERT_FALSE(memory.first_use(nonce(1), t0 + 9min));
  EXPECT_TRUE(memory.first_use(nonce(1), t0 + 10min));
}

TEST(NonceMemory, HoldsNoMoreThanItsCapacityForgettingTheOldest) {
  constexpr std::size_t capacity = 64;
  nonce_memory memory(capacity, 10min);
  for (unsigned i = 0; i < 10 * capacity; ++i) {
    ASSERT_TRUE(memory.first_use(nonce(i), t0 + std::chrono::milliseconds(i)));
    ASSERT_LE(memory.size(), capacity);
  }
  EXPECT_EQ(memory.size(), capacity);
  const auto later = t0 + 1s;
  EXPECT_FALSE(memory.first_use(nonce(10 * capacity - 1), later)) << "the newest is kept";
  EXPECT_FALSE(memory.first_use(nonce(9 * capacity), later)) << "the oldest kept one too";
  EXPECT_TRUE(memory.first_use(nonce(9 * capacity - 1), later)) << "one before was forgotten";
}

TEST(NonceMemory, ExpiredNoncesLeaveMemory) {
  nonce_memory memory(64, 1min);
  for (unsigned i = 0; i < 10; ++i) {
    ASSERT_TRUE(memory.first_use(nonce(i), t0));
  }
  ASSERT_TRUE(memory.first_use(nonce(100), t0 + 2min));
  EXPECT_EQ(memory.size(), 1U);
}

TEST(NonceMemory, OnlyProtocolNoncesAreEverFresh) {
  nonce_memory memory;
  EXPECT_FALSE(memory.first_use("00ff", t0));
  EXPECT_FALSE(memory.first_use("0123456789ABCDEF0123456789ABCDEF", t0));
  EXPECT_EQ(memory.size(), 0U);
}

}  // namespace
}  // namespace reachback::relay::nonce_memory_test

// SPDX-License-Identifier: MIT
// Codec fuzz target: decode must never crash, and whatever it accepts must
// survive encode and decode unchanged. Built for libFuzzer with clang, and
// driven by fuzz_replay.cpp otherwise.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <stdexcept>
#include <string>

#include "common/codec.hpp"

namespace {

using namespace reachback::protocol;

[[noreturn]] void fail(const char* what, std::span<const char> input) {
  std::fprintf(stderr, "codec_fuzz: %s; input (%zu bytes):", what, input.size());
  for (const char c : input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fputc('\n', stderr);
  std::abort();
}

void check_round_trip(const decoded& d, std::span<const char> input) {
  if (d.consumed < header_size || d.consumed > input.size()) fail("consumed out of range", input);
  if (!std::holds_alternative<need_more>(decode(input.first(d.consumed - 1))))
    fail("a frame's prefix did not need more", input);
  std::string frame;
  try {
    frame = encode(d.msg);
  } catch (const std::length_error&) {
    return;  // re-encoding may grow past max_payload ("1e9" -> "1000000000.0")
  }
  const auto again = decode(frame);
  const auto* d2 = std::get_if<decoded>(&again);
  if (d2 == nullptr) fail("re-encoded frame did not decode", input);
  if (d2->consumed != frame.size()) fail("re-encoded frame not wholly consumed", input);
  if (!(d2->msg == d.msg)) fail("re-encoded frame decoded differently", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The codec reads chars; the fuzzer hands out bytes of the same size.
  const std::span<const char> input(reinterpret_cast<const char*>(data), size);
  const auto result = decode(input);
  if (const auto* d = std::get_if<decoded>(&result)) check_round_trip(*d, input);
  return 0;
}

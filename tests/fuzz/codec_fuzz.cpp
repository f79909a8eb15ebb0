// SPDX-License-Identifier: MIT
// Codec fuzz target. Two checks on every input:
// - as one frame: decode must never crash, and whatever it accepts must
//   survive encode and decode unchanged;
// - as a stream of frames, the way the relay reads a control connection:
//   fed in the relay's 4096-byte reads, byte by byte (through the first
//   4 KiB) and in chunks of input-chosen sizes, every split must give the
//   same frames and the same refusal, and each refusal the session rules
//   (relay/session_rules.hpp) choose must be a frame the relay can send.
// Built for libFuzzer with clang (run with -max_len=71680: streams up to
// 70 KiB, longer than one maximal frame), and driven by fuzz_replay.cpp
// otherwise.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/codec.hpp"
#include "relay/session_rules.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::protocol;
namespace relay = reachback::relay;

// relay/session.cpp reads at most this many bytes at a time.
constexpr std::size_t relay_read_size = 4096;
// The byte-by-byte reading splits the stream at every byte of this prefix,
// then reads as the relay does. A decode call for every byte of a 70 KiB
// stream was most of the target's work: 129 inputs a second against 590
// with the prefix (ASan, parsers at -O1). The prefix holds every split of
// the hello and of the first frames; the input-chosen splits reach the rest.
constexpr std::size_t byte_by_byte_prefix = 4096;

[[noreturn]] void fail(const char* what, std::span<const char> input) {
  reachback::fuzz::fail("codec_fuzz", what, std::string_view(input.data(), input.size()));
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

// What the relay makes of a stream: the frames it reads, in order, and the
// error frame it sends when one does not decode.
struct stream_reading {
  std::vector<message> frames;
  std::optional<error> undecodable;
  bool operator==(const stream_reading&) const = default;
};

// Sizes of successive reads: single bytes first (`single_bytes` of them),
// then fixed, or drawn from the input itself so the fuzzer steers where the
// stream splits.
class read_sizes {
 public:
  read_sizes(std::size_t fixed, std::span<const char> steering, std::size_t single_bytes = 0)
      : fixed_(fixed), steering_(steering), single_bytes_(single_bytes) {}

  std::size_t next() {
    if (single_bytes_ > 0) {
      --single_bytes_;
      return 1;
    }
    if (steering_.empty()) return fixed_;
    const auto byte = static_cast<unsigned char>(steering_[position_++ % steering_.size()]);
    // Mostly short reads, sometimes a whole relay read.
    return byte < 240 ? std::size_t{1} + static_cast<std::size_t>(byte % 64) : relay_read_size;
  }

 private:
  std::size_t fixed_;
  std::span<const char> steering_;
  std::size_t single_bytes_;
  std::size_t position_ = 0;
};

// read_frame in relay/session.cpp: decode what is buffered, read more while
// the codec needs more, stop at the first frame that does not decode.
stream_reading read_stream(std::span<const char> stream, read_sizes sizes) {
  stream_reading reading;
  std::string buffered;
  std::size_t fed = 0;
  for (;;) {
    auto result = decode(std::span<const char>(buffered));
    if (auto* frame = std::get_if<decoded>(&result)) {
      reading.frames.push_back(std::move(frame->msg));
      buffered.erase(0, frame->consumed);
      continue;
    }
    if (const auto* ec = std::get_if<std::error_code>(&result)) {
      reading.undecodable = relay::error_for_decode_failure(*ec, buffered);
      return reading;
    }
    // The relay's fallback bound: the codec must have decided long before.
    if (buffered.size() > header_size + max_payload) fail("buffered past one frame", stream);
    if (fed == stream.size()) return reading;  // the client closed
    const auto n = std::min(sizes.next(), stream.size() - fed);
    buffered.append(stream.data() + fed, n);
    fed += n;
  }
}

// The refusal greet() in relay/session.cpp answers a first frame with, if any.
std::optional<error> greeting_refusal(const message& first, const std::vector<std::string>& tokens) {
  const auto* hello_frame = std::get_if<hello>(&first);
  if (hello_frame == nullptr)
    return error{wire_error::bad_request,
                 "expected hello, got " + std::string(relay::message_name(first))};
  return relay::check_hello(*hello_frame, tokens);
}

// The refusal serve() answers a frame after the hello (other than the
// client's goodbye) with, if any.
std::optional<error> request_refusal(const message& frame) {
  if (const auto* request = std::get_if<probe_request>(&frame))
    return relay::check_probe_request(*request);
  return error{wire_error::bad_request,
               "unexpected " + std::string(relay::message_name(frame)) + " after hello"};
}

// The refusal that ends a session reading these frames, if any.
std::optional<error> session_refusal(std::span<const message> frames,
                                     const std::vector<std::string>& tokens) {
  if (frames.empty()) return std::nullopt;
  if (auto refused = greeting_refusal(frames.front(), tokens)) return refused;
  for (const auto& frame : frames.subspan(1)) {
    if (std::holds_alternative<error>(frame)) break;  // the client left
    if (auto refused = request_refusal(frame)) return refused;
  }
  return std::nullopt;
}

// The relay sends every refusal as a frame: it must encode, decode back and
// log with a name.
void check_sendable(const error& refusal, std::span<const char> input) {
  if (relay::error_outcome(refusal.code).size() <= std::string_view("error:").size())
    fail("a refusal without an outcome name", input);
  std::string frame;
  try {
    frame = encode(refusal);
  } catch (const std::length_error&) {
    fail("the relay's refusal is too large to send", input);
  }
  const auto sent = decode(frame);
  const auto* d = std::get_if<decoded>(&sent);
  if (d == nullptr || !(d->msg == message{refusal})) fail("the relay's refusal does not decode", input);
}

void check_peek_version(std::span<const char> input) {
  const auto version_byte = peek_version(input);
  const bool has_magic = input.size() > 2 && input[0] == magic[0] && input[1] == magic[1];
  if (version_byte.has_value() != has_magic) fail("peek_version disagrees with the magic", input);
  if (has_magic && *version_byte != static_cast<std::uint8_t>(input[2]))
    fail("peek_version read another byte", input);
}

void check_stream(std::span<const char> input) {
  // The last 64 bytes (of long inputs) also steer the input-chosen splits.
  const auto steering = input.last(std::min<std::size_t>(input.size() / 8, 64));
  const auto in_relay_reads = read_stream(input, read_sizes(relay_read_size, {}));
  if (!(read_stream(input, read_sizes(relay_read_size, {}, byte_by_byte_prefix)) == in_relay_reads))
    fail("byte-by-byte reads gave other frames", input);
  if (!(read_stream(input, read_sizes(1, steering)) == in_relay_reads))
    fail("input-chosen reads gave other frames", input);

  if (in_relay_reads.undecodable) check_sendable(*in_relay_reads.undecodable, input);
  for (const auto& tokens : {std::vector<std::string>{}, std::vector<std::string>{"fuzz-token"}}) {
    if (auto refusal = session_refusal(in_relay_reads.frames, tokens))
      check_sendable(*refusal, input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The codec reads chars; the fuzzer hands out bytes of the same size.
  const std::span<const char> input(reinterpret_cast<const char*>(data), size);
  const auto result = decode(input);
  if (const auto* d = std::get_if<decoded>(&result)) check_round_trip(*d, input);
  check_peek_version(input);
  check_stream(input);
  return 0;
}

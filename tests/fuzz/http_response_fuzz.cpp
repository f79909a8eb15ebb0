// SPDX-License-Identifier: MIT
// Router HTTP response fuzz target: the parser must never crash and keep
// its limits; a complete response stays the same when more bytes or the
// end of the connection follow; the end of the connection always decides.
// Built for libFuzzer with clang, and driven by fuzz_replay.cpp otherwise.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "client/router/http_message.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::router;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("http_response_fuzz", what, input);
}

void check_result(const http_parse_result& result, std::string_view input) {
  if (result.status == http_parse_status::malformed) {
    if (result.error.empty() || result.error.find('\n') != std::string::npos)
      fail("a malformed result without a one-line error", input);
    return;
  }
  if (result.status != http_parse_status::complete) return;
  const auto& response = result.response;
  if (response.status < 100 || response.status > 999) fail("a status outside 100..999", input);
  if (response.headers.size() > max_http_headers) fail("too many headers", input);
  if (response.body.size() > max_http_body) fail("a body above the limit", input);
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || reachback::fuzz::has_control(name)) fail("a bad header name", input);
    for (const char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) fail("a control character in a header value", input);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto open = parse_http_response(input, false);
  const auto closed = parse_http_response(input, true);
  check_result(open, input);
  check_result(closed, input);
  if (closed.status == http_parse_status::incomplete) fail("incomplete after the connection closed", input);
  if (open.status == http_parse_status::complete &&
      (closed.status != http_parse_status::complete || !(closed.response == open.response)))
    fail("the end of the connection changed a complete response", input);
  // What was complete with half the bytes is the same with all of them.
  const auto half = parse_http_response(input.substr(0, size / 2), false);
  check_result(half, input);
  if (half.status == http_parse_status::complete &&
      (open.status != http_parse_status::complete || !(open.response == half.response)))
    fail("more bytes changed a complete response", input);
  return 0;
}

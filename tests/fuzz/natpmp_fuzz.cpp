// SPDX-License-Identifier: MIT
// NAT-PMP fuzz target: the parsers must never crash; what they accept is a
// version-0 answer of the right opcode, with fields read from the right
// bytes; a request built from the input has the RFC's layout. Built for
// libFuzzer with clang, and driven by fuzz_replay.cpp otherwise.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "client/router/natpmp.hpp"
#include "common/big_endian.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::router;
using reachback::read_be16;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("natpmp_fuzz", what, input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::span<const std::uint8_t> bytes(data, size);
  if (const auto response = parse_natpmp_external_address_response(bytes)) {
    if (size < 8 || bytes[0] != 0 || bytes[1] != 128) fail("accepted a non-answer", input);
    if (response->result_code != read_be16(bytes, 2)) fail("result code from the wrong bytes", input);
    const std::string expected = response->result_code != 0
                                     ? std::string()
                                     : std::to_string(bytes[8]) + "." + std::to_string(bytes[9]) + "." +
                                           std::to_string(bytes[10]) + "." + std::to_string(bytes[11]);
    if (response->external_address != expected) fail("external address from the wrong bytes", input);
    if (natpmp_result_name(response->result_code).empty()) fail("a result without a name", input);
  }
  if (const auto response = parse_natpmp_map_response(bytes)) {
    if (size < 8 || bytes[0] != 0 || (bytes[1] != 129 && bytes[1] != 130)) fail("accepted a non-answer", input);
    if (static_cast<std::uint8_t>(response->protocol) + 128 != bytes[1]) fail("protocol from the wrong byte", input);
    if (response->result_code == 0 && (size < 16 || response->external_port != read_be16(bytes, 10)))
      fail("external port from the wrong bytes", input);
    if (response->result_code != 0 && (response->internal_port != 0 || response->lifetime_seconds != 0))
      fail("fields of an error answer", input);
  }
  if (size >= 8) {
    const auto protocol = (data[0] & 1) != 0 ? natpmp_protocol::tcp : natpmp_protocol::udp;
    const auto request = natpmp_map_request(protocol, read_be16(bytes, 1), read_be16(bytes, 3),
                                            static_cast<std::uint32_t>(read_be16(bytes, 5)) << 8);
    if (request[0] != 0 || request[1] != static_cast<std::uint8_t>(protocol) || request[2] != 0 ||
        request[3] != 0 || read_be16(request, 4) != read_be16(bytes, 1) || read_be16(request, 6) != read_be16(bytes, 3))
      fail("a map request with another layout", input);
  }
  return 0;
}

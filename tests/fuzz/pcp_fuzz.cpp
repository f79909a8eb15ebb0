// SPDX-License-Identifier: MIT
// PCP fuzz target: the parser must never crash; what it accepts is a PCP
// answer (R bit, version not 0, 24 to 1100 bytes) and never also a NAT-PMP
// one, with an external address that is an IP literal; a MAP request built
// from the input's bytes reads back the same once marked as an answer.
// Built for libFuzzer with clang, and driven by fuzz_replay.cpp otherwise.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/platform/ip_literal.hpp"
#include "client/router/pcp.hpp"
#include "common/big_endian.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::router;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("pcp_fuzz", what, input);
}

std::string dotted(const std::uint8_t* b) {
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." + std::to_string(b[3]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::span<const std::uint8_t> bytes(data, size);
  if (const auto response = parse_pcp_response(bytes)) {
    if (size < pcp_header_size || size > max_pcp_message) fail("a size out of bounds", input);
    if (is_natpmp_answer(bytes)) fail("both a PCP and a NAT-PMP answer", input);
    if (response->version == 0 || response->opcode >= 0x80) fail("a bad version or opcode", input);
    if (response->result_code != bytes[3]) fail("result code from the wrong byte", input);
    if (pcp_result_name(response->result_code).empty()) fail("a result without a name", input);
    if (response->map) {
      if (size < pcp_map_message_size || response->opcode != 1) fail("MAP fields of a non-MAP answer", input);
      if (!reachback::client::platform::parse_ip(response->map->external_address))
        fail("an external address that is no IP literal", input);
    }
  }

  if (size >= 24) {
    pcp_map_request_args args;
    args.client_address = dotted(data);
    std::copy_n(data + 4, args.nonce.size(), args.nonce.begin());
    args.protocol = data[16];
    args.internal_port = reachback::read_be16(bytes, 17);
    args.suggested_external_port = reachback::read_be16(bytes, 19);
    args.suggested_external_address = dotted(data + 20);
    const auto request = pcp_map_request(args);
    if (!request) fail("a request from dotted addresses failed", input);
    std::vector<std::uint8_t> answer(request->begin(), request->end());
    answer[1] |= 0x80;
    const auto parsed = parse_pcp_response(answer);
    if (!parsed || !parsed->map) fail("our request does not parse as an answer", input);
    if (parsed->map->nonce != args.nonce || parsed->map->protocol != args.protocol ||
        parsed->map->internal_port != args.internal_port ||
        parsed->map->external_port != args.suggested_external_port ||
        parsed->map->external_address != args.suggested_external_address)
      fail("a MAP field changed on the way", input);
  }
  return 0;
}

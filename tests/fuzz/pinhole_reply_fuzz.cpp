// SPDX-License-Identifier: MIT
// WANIPv6FirewallControl reply fuzz target: reading a GetFirewallStatus or
// AddPinhole reply never crashes; a fault never reads as a status or an id;
// an id read is written back as the same number. Built for libFuzzer with
// clang, and driven by fuzz_replay.cpp otherwise.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/router/pinhole.hpp"
#include "client/router/soap.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::router;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("pinhole_reply_fuzz", what, input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto reply = parse_soap_reply(input);
  if (!reply) return 0;
  const auto status = firewall_status_from_reply(*reply);
  const auto id = pinhole_id_from_reply(*reply);
  if (reply->fault && (status || id)) fail("a fault read as a status or an id", input);
  if (reply->fault && pinhole_error_name(reply->error_code).empty()) fail("an error without a name", input);
  if (id) {
    const auto body = soap_request_body(wan_ipv6_firewall_control_1, "DeletePinhole", pinhole_id_arguments(*id));
    const auto echoed = parse_soap_reply(body);
    if (!echoed || pinhole_id_from_reply(*echoed) != id) fail("an id did not survive the round trip", input);
  }
  return 0;
}

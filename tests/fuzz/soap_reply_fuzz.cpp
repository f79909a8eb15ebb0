// SPDX-License-Identifier: MIT
// SOAP reply and port listing fuzz target: the parsers must never crash;
// every mapping they return has a protocol, a client and an internal port,
// and no control character in router text; a value sent in a request comes
// back the same. Built for libFuzzer with clang, and driven by
// fuzz_replay.cpp otherwise.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/router/igd_description.hpp"
#include "client/router/soap.hpp"
#include "common/ascii_text.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::router;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("soap_reply_fuzz", what, input);
}

void check_mapping(const reachback::port_mapping& mapping, std::string_view input) {
  if (mapping.protocol != "TCP" && mapping.protocol != "UDP") fail("a protocol other than TCP or UDP", input);
  if (mapping.internal_port == 0) fail("internal port 0", input);
  if (mapping.internal_client.empty()) fail("no internal client", input);
  if (reachback::fuzz::has_control(mapping.internal_client) || reachback::fuzz::has_control(mapping.description) ||
      reachback::fuzz::has_control(mapping.remote_host))
    fail("a control character in router text", input);
}

void check_listing(std::string_view listing, std::string_view input) {
  const auto mappings = parse_port_mapping_list(listing);
  if (mappings.size() > max_listed_mappings) fail("too many listed mappings", input);
  for (const auto& mapping : mappings) check_mapping(mapping, input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto reply = parse_soap_reply(input)) {
    if (reply->fault) {
      if (!reply->values.empty()) fail("a fault with values", input);
      if (reply->error_code < 0 || reply->error_code > 99999) fail("an error code out of range", input);
      if (reachback::fuzz::has_control(reply->error_description)) fail("a control character in a fault", input);
      if (upnp_error_name(reply->error_code).empty()) fail("an error without a name", input);
    }
    if (const auto mapping = mapping_from_reply(*reply, 3000, "TCP")) check_mapping(*mapping, input);
    for (const auto& [name, value] : reply->values) check_listing(value, input);
  }
  check_listing(input, input);

  // A value written into a request reads back as it was, but for XML's
  // blanks at either end.
  const auto value = input.substr(0, 256);
  const auto body = soap_request_body(wan_ip_connection_2, "AddPortMapping",
                                      {{"NewPortMappingDescription", std::string(value)}});
  const auto echoed = parse_soap_reply(body);
  if (!echoed) fail("our own request does not parse", input);
  if (echoed->value("NewPortMappingDescription") != std::string(reachback::trim(value, " \t\r\n")))
    fail("a value did not survive the round trip", input);
  return 0;
}

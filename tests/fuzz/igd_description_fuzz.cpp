// SPDX-License-Identifier: MIT
// IGD description fuzz target: the parser must never crash; every WAN
// service it returns is of a known type, in preference order, with a
// control URL that makes one clean POST. The XML reader itself is checked
// on the way: its views lie inside the input and its limits hold. Built for
// libFuzzer with clang, and driven by fuzz_replay.cpp otherwise.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/router/http_message.hpp"
#include "client/router/igd_description.hpp"
#include "client/router/soap.hpp"
#include "client/router/xml_text.hpp"
#include "common/ascii_text.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::router;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("igd_description_fuzz", what, input);
}

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void check_xml(std::string_view input) {
  const auto doc = parse_xml(input);
  if (!doc) return;
  if (doc->elements.empty() || doc->elements.size() > max_xml_elements) fail("element count out of bounds", input);
  for (std::size_t i = 0; i < doc->elements.size(); ++i) {
    const auto& element = doc->elements[i];
    if (!inside(element.name, input) || !inside(element.inner, input)) fail("a view outside the input", input);
    if (element.depth >= max_xml_depth) fail("too deep", input);
    if (element.depth == 0 ? element.parent != xml_no_parent
                           : (element.parent >= i || doc->elements[element.parent].depth + 1 != element.depth))
      fail("a parent that does not enclose its child", input);
  }
}

int preference(std::string_view type) {
  if (reachback::iequals(type, wan_ip_connection_2)) return 0;
  if (reachback::iequals(type, wan_ip_connection_1)) return 1;
  if (reachback::iequals(type, wan_ppp_connection_1)) return 2;
  return -1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_xml(input);
  const http_url location{"10.20.0.1", 5000, "/rootDesc.xml"};
  const auto description = parse_igd_description(input, location);
  if (!description) return 0;
  int last = 0;
  for (const auto& service : description->wan_services) {
    const int rank = preference(service.service_type);
    if (rank < last) fail("a service of an unknown type or out of order", input);
    last = rank;
    const auto& url = service.control_url;
    if (url.host.empty() || url.port == 0 || url.path.empty() || url.path[0] != '/')
      fail("an unusable control URL", input);
    const auto body = soap_request_body(service.service_type, "GetExternalIPAddress", {});
    const auto post = http_post_request(url, soap_content_type,
                                        soap_action_header(service.service_type, "GetExternalIPAddress"), body);
    const auto head_end = post.find("\r\n\r\n");
    if (head_end == std::string::npos || post.substr(head_end + 4) != body) fail("a POST with a broken head", input);
    std::size_t lines = 0;
    for (std::size_t at = post.find("\r\n"); at < head_end; at = post.find("\r\n", at + 2)) ++lines;
    if (lines != 5) fail("a POST with another number of header lines", input);
  }
  return 0;
}

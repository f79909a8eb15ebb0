// SPDX-License-Identifier: MIT
// SSDP and URL fuzz target: an accepted answer has an http:// LOCATION and
// no line breaks in its fields, and parses the same once written out again;
// an M-SEARCH built from the input stays one request and is no answer; URLs
// parse back from their own text and resolve to a clean request target.
// Built for libFuzzer with clang, and driven by fuzz_replay.cpp otherwise.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/router/http_url.hpp"
#include "client/router/ssdp.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::router;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("ssdp_fuzz", what, input);
}

void check_url(const http_url& url, std::string_view input) {
  if (url.host.empty() || url.port == 0) fail("a URL without host or port", input);
  if (url.path.empty() || url.path[0] != '/') fail("a request target not starting with '/'", input);
  for (const char c : url.path) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      fail("a blank, control or non-ASCII byte in a request target", input);
  }
  if (reachback::fuzz::has_control(url.host)) fail("a control character in a host", input);
  const auto again = parse_http_url(to_string(url));
  if (!again || !(*again == url)) fail("a URL does not parse back from its text", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto reply = parse_ssdp_response(input)) {
    const auto location = parse_http_url(reply->location);
    if (!location) fail("an answer whose LOCATION is no http:// URL", input);
    check_url(*location, input);
    for (const auto* field : {&reply->location, &reply->st, &reply->usn, &reply->server}) {
      for (const char c : *field) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) fail("a control character in a field", input);
      }
    }
    const std::string written = "HTTP/1.1 200 OK\r\nLOCATION: " + reply->location + "\r\nST: " + reply->st +
                                "\r\nUSN: " + reply->usn + "\r\nSERVER: " + reply->server + "\r\n\r\n";
    const auto again = parse_ssdp_response(written);
    if (!again || !(*again == *reply)) fail("an answer does not parse back from its fields", input);
  }

  const auto first_line = input.substr(0, std::min(input.find('\n'), input.size()));
  const auto request = msearch_request(first_line, ssdp_multicast_host, 3);
  if (request.find("\r\n\r\n") != request.size() - 4) fail("an M-SEARCH with an early empty line", input);
  if (parse_ssdp_response(request)) fail("an M-SEARCH parsed as an answer", input);

  if (const auto url = parse_http_url(first_line)) check_url(*url, input);
  const http_url base{"10.20.0.1", 5000, "/igd/rootDesc.xml"};
  if (const auto resolved = resolve_url(base, first_line)) check_url(*resolved, input);
  return 0;
}

// SPDX-License-Identifier: MIT
#include "client/router/ssdp.hpp"

#include <algorithm>

#include "client/router/http_message.hpp"
#include "client/router/http_url.hpp"

namespace reachback::router {

namespace {

std::string without_controls(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) out += c;
  }
  return out;
}

}  // namespace

std::string msearch_request(std::string_view search_target, std::string_view host, int mx_seconds) {
  std::string request = "M-SEARCH * HTTP/1.1\r\nHOST: " + without_controls(host) +
                        "\r\nMAN: \"ssdp:discover\"\r\n";
  if (mx_seconds > 0) request += "MX: " + std::to_string(std::clamp(mx_seconds, 1, 5)) + "\r\n";
  request += "ST: " + without_controls(search_target) + "\r\n\r\n";
  return request;
}

std::optional<ssdp_response> parse_ssdp_response(std::string_view datagram) {
  if (datagram.size() > max_ssdp_datagram) return std::nullopt;
  // Only the status line decides what this is: a NOTIFY or M-SEARCH starts
  // with its method and fails the HTTP parser's status line.
  if (datagram.substr(0, 5) != "HTTP/") return std::nullopt;
  // A datagram is complete as it is: whatever follows the headers is
  // ignored. Some devices leave out the empty line that ends the headers;
  // the last header must still end its line, or the datagram was cut short.
  std::string text(datagram);
  if (text.find("\n\r\n") == std::string::npos && text.find("\n\n") == std::string::npos) {
    if (text.empty() || text.back() != '\n') return std::nullopt;
    text += "\r\n";
  }
  const auto parsed = parse_http_response(text, true);
  if (parsed.status != http_parse_status::complete || parsed.response.status != 200)
    return std::nullopt;
  const auto& response = parsed.response;
  const auto location = response.header("LOCATION");
  if (!location || !parse_http_url(*location)) return std::nullopt;
  ssdp_response out;
  out.location = std::string(*location);
  out.st = std::string(response.header("ST").value_or(""));
  out.usn = std::string(response.header("USN").value_or(""));
  out.server = std::string(response.header("SERVER").value_or(""));
  return out;
}

}  // namespace reachback::router

// SPDX-License-Identifier: MIT
#pragma once
// Pure HTTP/1.x for talking to a router's UPnP web server: the GET and the
// SOAP POST it is sent, and a parser of its response that is fed all bytes
// received so far (Content-Length, chunked, or read until the router closes).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/router/http_url.hpp"

namespace reachback::router {

/// Limits of a response: the status line and headers together, one header
/// line, the number of headers, and the body (after de-chunking).
inline constexpr std::size_t max_http_header_bytes = std::size_t{16} * 1024;
inline constexpr std::size_t max_http_header_line = 4096;
inline constexpr std::size_t max_http_headers = 64;
inline constexpr std::size_t max_http_body = std::size_t{256} * 1024;
/// Input beyond which a response that is still not complete is malformed;
/// the reader can stop reading there.
inline constexpr std::size_t max_http_message_bytes = max_http_header_bytes + 2 * max_http_body;

/// A router's HTTP response.
struct http_response {
  int status = 0;  ///< 100..999
  std::string reason;
  /// In their order, names as sent, values without surrounding blanks.
  std::vector<std::pair<std::string, std::string>> headers;
  /// De-chunked.
  std::string body;

  /// The first header of that name, compared without case; the view lives
  /// as long as this response.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
  bool operator==(const http_response&) const = default;
};

/// Whether a parse is done.
enum class http_parse_status {
  complete,    ///< `response` holds the whole response
  incomplete,  ///< read more and call again with all bytes so far
  malformed    ///< give up; `error` says why
};

/// The outcome of parse_http_response.
struct http_parse_result {
  http_parse_status status = http_parse_status::incomplete;
  http_response response;  ///< meaningful when complete
  std::string error;       ///< one line naming the problem when malformed
};

/// Parses `bytes`, everything received so far; `eof` says the router has
/// closed the connection. The body ends by Transfer-Encoding: chunked (which
/// wins over Content-Length), by Content-Length, or else when the router
/// closes. Lines may end in CRLF or a bare LF; interim 1xx responses are
/// skipped; bytes after a complete response are ignored. Malformed when a
/// limit above is passed, the status line or a header is broken, two
/// Content-Lengths disagree, a chunk size is bad, or `eof` comes first.
[[nodiscard]] http_parse_result parse_http_response(std::string_view bytes, bool eof);

/// "GET <path> HTTP/1.1" with Host (always with the port) and
/// Connection: close.
[[nodiscard]] std::string http_get_request(const http_url& url);

/// A POST with Host, Content-Type, SOAPAction (written as given: pass
/// soap_action_header()'s quoted value), Content-Length and
/// Connection: close, then `body`. Control characters in the path and the
/// header values are dropped, so no input can add a header.
[[nodiscard]] std::string http_post_request(const http_url& url, std::string_view content_type,
                                            std::string_view soap_action, std::string_view body);

}  // namespace reachback::router

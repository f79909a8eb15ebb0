// SPDX-License-Identifier: MIT
#include "client/router/http_message.hpp"

#include <algorithm>

#include "common/ascii_text.hpp"

namespace reachback::router {

namespace {

constexpr std::size_t max_interim_responses = 4;
// Eight hex digits (4 GiB) are far above max_http_body and cannot overflow.
constexpr std::size_t max_chunk_size_digits = 8;

// Control characters but tab: a header value may hold none of them.
bool has_control(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

bool is_token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

http_parse_result malformed(std::string error) {
  http_parse_result result;
  result.status = http_parse_status::malformed;
  result.error = std::move(error);
  return result;
}

http_parse_result body_over_limit() {
  return malformed("the body exceeds " + std::to_string(max_http_body) + " bytes");
}

http_parse_result incomplete_or(bool eof, std::string error_at_eof) {
  if (eof) return malformed(std::move(error_at_eof));
  return {};
}

// One line from `pos`: its text without the line end, and where the next
// starts. nullopt when no '\n' has arrived yet.
struct line {
  std::string_view text;
  std::size_t next = 0;
};

std::optional<line> next_line(std::string_view bytes, std::size_t pos) {
  const auto newline = bytes.find('\n', pos);
  if (newline == std::string_view::npos) return std::nullopt;
  auto text = bytes.substr(pos, newline - pos);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return line{text, newline + 1};
}

std::optional<int> parse_status_line(std::string_view text, std::string& reason) {
  // "HTTP/1.1 200 OK"; some routers answer in HTTP/1.0 or leave out the reason.
  if (text.size() < 12 || text.substr(0, 5) != "HTTP/" || !is_digit(text[5]) || text[6] != '.' ||
      !is_digit(text[7]) || text[8] != ' ')
    return std::nullopt;
  const auto code = text.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), is_digit) || code[0] == '0') return std::nullopt;
  if (text.size() > 12 && text[12] != ' ') return std::nullopt;
  reason = std::string(trim(text.substr(std::min<std::size_t>(13, text.size()))));
  return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
}

struct head {
  http_response response;
  std::size_t body_start = 0;
};

struct head_result {
  http_parse_status status = http_parse_status::incomplete;
  head parsed;
  std::string error;
};

http_parse_result complete(http_response response) {
  http_parse_result result;
  result.status = http_parse_status::complete;
  result.response = std::move(response);
  return result;
}

// The head's limits, given its size so far and the size of its current line.
std::optional<std::string> head_limit_error(std::size_t head_bytes, std::size_t line_bytes) {
  if (head_bytes > max_http_header_bytes)
    return "the headers exceed " + std::to_string(max_http_header_bytes) + " bytes";
  if (line_bytes > max_http_header_line)
    return "a header line exceeds " + std::to_string(max_http_header_line) + " bytes";
  return std::nullopt;
}

// An obsolete folded continuation line belongs to the previous header.
std::optional<std::string> continue_header(http_response& response, std::string_view more) {
  if (response.headers.empty()) return "a continuation line before any header";
  auto& [name, value] = response.headers.back();
  if (has_control(more)) return "a control character in the header " + name;
  if (!more.empty()) value.append(value.empty() ? "" : " ").append(more);
  return std::nullopt;
}

// Adds one non-empty header line to `response`; the error when it is broken.
std::optional<std::string> add_header_line(http_response& response, std::string_view text) {
  if (text[0] == ' ' || text[0] == '\t') return continue_header(response, trim(text));
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return "a header line without ':'";
  // Some servers put blanks before the colon; the name itself is a token.
  const auto name = trim(text.substr(0, colon));
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
    return "a header with an invalid name";
  const auto value = trim(text.substr(colon + 1));
  if (has_control(value)) return "a control character in the header " + std::string(name);
  if (response.headers.size() == max_http_headers)
    return "more than " + std::to_string(max_http_headers) + " headers";
  response.headers.emplace_back(std::string(name), std::string(value));
  return std::nullopt;
}

// The head's next line from `pos` (the head began at `start`): nullopt and
// no error while it has not all arrived.
struct head_line {
  std::optional<line> got;
  std::string error;
};

head_line next_head_line(std::string_view bytes, std::size_t start, std::size_t pos, bool eof) {
  const auto got = next_line(bytes, pos);
  auto too_big = got ? head_limit_error(got->next - start, got->text.size())
                     : head_limit_error(bytes.size() - start, bytes.size() - pos);
  if (too_big) return {std::nullopt, std::move(*too_big)};
  if (!got && eof) {
    return {std::nullopt, pos == bytes.size() && pos == start ? "the connection closed without a response"
                                                              : "the connection closed inside the headers"};
  }
  return {got, {}};
}

head_result parse_head(std::string_view bytes, std::size_t pos, bool eof) {
  head_result result;
  const auto fail = [&result](std::string error) {
    result.status = http_parse_status::malformed;
    result.error = std::move(error);
    return result;
  };
  const auto start = pos;
  bool have_status = false;
  auto& response = result.parsed.response;
  while (true) {
    auto next = next_head_line(bytes, start, pos, eof);
    if (!next.error.empty()) return fail(std::move(next.error));
    if (!next.got) return result;
    pos = next.got->next;
    const auto text = next.got->text;
    if (have_status) {
      if (text.empty()) break;
      if (auto broken = add_header_line(response, text)) return fail(std::move(*broken));
    } else if (!text.empty() || pos - start > 8) {
      // Blank lines before the status line are tolerated (a stray CRLF of a keep-alive).
      const auto status = parse_status_line(text, response.reason);
      if (!status) return fail("not an HTTP status line");
      response.status = *status;
      have_status = true;
    }
  }
  result.status = http_parse_status::complete;
  result.parsed.body_start = pos;
  return result;
}

bool has_chunked_coding(std::string_view transfer_encoding) {
  // The last coding decides: "gzip, chunked" is chunked.
  const auto comma = transfer_encoding.rfind(',');
  const auto last = trim(comma == std::string_view::npos ? transfer_encoding
                                                          : transfer_encoding.substr(comma + 1));
  return reachback::iequals(last, "chunked");
}

std::optional<std::size_t> parse_size(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 12 || !std::all_of(text.begin(), text.end(), is_digit))
    return std::nullopt;
  std::size_t value = 0;
  for (const char c : text) value = value * 10 + static_cast<std::size_t>(c - '0');
  return value;
}

std::optional<std::size_t> parse_chunk_size(std::string_view text) {
  text = trim(text.substr(0, std::min(text.find(';'), text.size())));
  if (text.empty() || text.size() > max_chunk_size_digits) return std::nullopt;
  std::size_t value = 0;
  for (const char c : text) {
    std::size_t digit = 0;
    if (is_digit(c)) digit = static_cast<std::size_t>(c - '0');
    else if (c >= 'a' && c <= 'f') digit = static_cast<std::size_t>(c - 'a') + 10;
    else if (c >= 'A' && c <= 'F') digit = static_cast<std::size_t>(c - 'A') + 10;
    else return std::nullopt;
    value = value * 16 + digit;
  }
  return value;
}

// Trailer fields after the last chunk, up to an empty line: read past, not kept.
http_parse_result skip_trailers(std::string_view bytes, std::size_t pos, bool eof, http_response response) {
  for (std::size_t trailers = 0;; ++trailers) {
    if (trailers > max_http_headers) return malformed("too many trailer fields");
    const auto trailer = next_line(bytes, pos);
    if (!trailer) {
      if (bytes.size() - pos > max_http_header_line) return malformed("a trailer line is too long");
      // The last chunk has arrived; a router that closes before the final
      // empty line has still sent the whole body.
      if (eof) break;
      return {};
    }
    if (trailer->text.size() > max_http_header_line) return malformed("a trailer line is too long");
    pos = trailer->next;
    if (trailer->text.empty()) break;
  }
  return complete(std::move(response));
}

http_parse_result read_chunked(std::string_view bytes, std::size_t pos, bool eof, http_response response) {
  while (true) {
    const auto size_line = next_line(bytes, pos);
    if (!size_line) {
      if (bytes.size() - pos > max_http_header_line) return malformed("a chunk size line is too long");
      return incomplete_or(eof, "the connection closed inside the chunked body");
    }
    const auto size = parse_chunk_size(size_line->text);
    if (!size) return malformed("a bad chunk size");
    pos = size_line->next;
    if (*size > max_http_body - response.body.size())
      return body_over_limit();
    if (*size == 0) return skip_trailers(bytes, pos, eof, std::move(response));
    if (bytes.size() - pos < *size) return incomplete_or(eof, "the connection closed inside a chunk");
    response.body.append(bytes.substr(pos, *size));
    pos += *size;
    const auto end = next_line(bytes, pos);
    if (!end) {
      if (bytes.size() - pos >= 2) return malformed("chunk data longer than its size");
      return incomplete_or(eof, "the connection closed inside the chunked body");
    }
    if (!end->text.empty()) return malformed("chunk data longer than its size");
    pos = end->next;
  }
}

// The Content-Length every such header agrees on, nullopt without one; the
// error when one is bad or two disagree.
struct content_length {
  std::optional<std::size_t> bytes;
  std::string error;
};

content_length find_content_length(const http_response& response) {
  content_length found;
  for (const auto& [name, value] : response.headers) {
    if (!reachback::iequals(name, "Content-Length")) continue;
    const auto parsed = parse_size(value);
    if (!parsed) return {std::nullopt, "a bad Content-Length"};
    if (found.bytes && *found.bytes != *parsed) return {std::nullopt, "two different Content-Lengths"};
    found.bytes = parsed;
  }
  return found;
}

http_parse_result read_sized(std::string_view available, std::size_t length, bool eof, http_response response) {
  if (length > max_http_body)
    return malformed("a Content-Length above " + std::to_string(max_http_body) + " bytes");
  if (available.size() < length)
    return incomplete_or(eof, "the connection closed after " + std::to_string(available.size()) + " of " +
                                  std::to_string(length) + " body bytes");
  response.body = std::string(available.substr(0, length));
  return complete(std::move(response));
}

// Neither chunked nor sized: the body is what arrives until the router closes.
http_parse_result read_until_close(std::string_view available, bool eof, http_response response) {
  if (available.size() > max_http_body)
    return body_over_limit();
  if (!eof) return {};
  response.body = std::string(available);
  return complete(std::move(response));
}

bool has_no_body(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

http_parse_result read_body(std::string_view bytes, std::size_t pos, bool eof, http_response response) {
  if (has_no_body(response.status)) return complete(std::move(response));
  if (const auto te = response.header("Transfer-Encoding")) {
    if (has_chunked_coding(*te)) return read_chunked(bytes, pos, eof, std::move(response));
    return read_until_close(bytes.substr(pos), eof, std::move(response));
  }
  const auto length = find_content_length(response);
  if (!length.error.empty()) return malformed(length.error);
  if (length.bytes) return read_sized(bytes.substr(pos), *length.bytes, eof, std::move(response));
  return read_until_close(bytes.substr(pos), eof, std::move(response));
}

std::string without_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) out += c;
  }
  return out;
}

std::string request_line(std::string_view method, const http_url& url) {
  auto path = without_controls(url.path);
  // A space would end the request target early.
  std::string target;
  for (const char c : path) target += c == ' ' ? std::string("%20") : std::string(1, c);
  if (target.empty() || target[0] != '/') target.insert(0, "/");
  return std::string(method) + " " + target + " HTTP/1.1\r\nHost: " +
         without_controls(host_header_value(url)) + "\r\n";
}

}  // namespace

std::optional<std::string_view> http_response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (reachback::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

http_parse_result parse_http_response(std::string_view bytes, bool eof) {
  std::size_t pos = 0;
  for (std::size_t interim = 0;; ++interim) {
    auto head = parse_head(bytes, pos, eof);
    if (head.status == http_parse_status::malformed) return malformed(std::move(head.error));
    if (head.status == http_parse_status::incomplete) {
      if (bytes.size() > max_http_message_bytes) return malformed("the response exceeds the size limit");
      return {};
    }
    const int status = head.parsed.response.status;
    // 1xx are interim answers (100 Continue); the real one follows.
    if (status >= 100 && status < 200 && status != 101) {
      if (interim == max_interim_responses) return malformed("too many interim 1xx responses");
      pos = head.parsed.body_start;
      continue;
    }
    auto result = read_body(bytes, head.parsed.body_start, eof, std::move(head.parsed.response));
    if (result.status == http_parse_status::incomplete && bytes.size() > max_http_message_bytes)
      return malformed("the response exceeds the size limit");
    return result;
  }
}

std::string http_get_request(const http_url& url) {
  return request_line("GET", url) + "Connection: close\r\n\r\n";
}

std::string http_post_request(const http_url& url, std::string_view content_type,
                              std::string_view soap_action, std::string_view body) {
  return request_line("POST", url) + "Content-Type: " + without_controls(content_type) +
         "\r\nSOAPAction: " + without_controls(soap_action) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         std::string(body);
}

}  // namespace reachback::router

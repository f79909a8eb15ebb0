// SPDX-License-Identifier: MIT
#include "client/router/http_message.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace reachback::router {
namespace {

// miniupnpd 2.3 serving its description: Content-Length, CRLF.
const std::string miniupnpd_reply =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/xml; charset=\"utf-8\"\r\n"
    "Connection: close\r\n"
    "Content-Length: 22\r\n"
    "Server: OpenWRT/OpenWrt UPnP/1.1 MiniUPnPd/2.3.3\r\n"
    "Ext:\r\n"
    "\r\n"
    "<root>desc body</root>";

// A chunked reply, with a chunk extension and a trailer field.
const std::string chunked_reply =
    "HTTP/1.1 200 OK\r\n"
    "CONTENT-TYPE: text/xml\r\n"
    "TRANSFER-ENCODING: chunked\r\n"
    "\r\n"
    "6\r\n<root>\r\n"
    "a;name=value\r\n0123456789\r\n"
    "7\r\n</root>\r\n"
    "0\r\n"
    "X-Trailer: 1\r\n"
    "\r\n";

// An old embedded server: bare LF, HTTP/1.0, no length, body until close.
const std::string until_close_reply =
    "HTTP/1.0 200 OK\n"
    "content-type: text/xml\n"
    "\n"
    "<root/>\n";

TEST(http_message, content_length_reply_is_complete) {
  const auto result = parse_http_response(miniupnpd_reply, false);
  ASSERT_EQ(result.status, http_parse_status::complete) << result.error;
  EXPECT_EQ(result.response.status, 200);
  EXPECT_EQ(result.response.reason, "OK");
  EXPECT_EQ(result.response.body, "<root>desc body</root>");
  ASSERT_EQ(result.response.headers.size(), 5U);
  EXPECT_EQ(result.response.headers[3].first, "Server");
  EXPECT_EQ(result.response.headers[4], (std::pair<std::string, std::string>{"Ext", ""}));
}

TEST(http_message, header_lookup_ignores_case) {
  const auto result = parse_http_response(miniupnpd_reply, false);
  EXPECT_EQ(result.response.header("content-type"), "text/xml; charset=\"utf-8\"");
  EXPECT_EQ(result.response.header("SERVER"), "OpenWRT/OpenWrt UPnP/1.1 MiniUPnPd/2.3.3");
  EXPECT_EQ(result.response.header("ext"), "");
  EXPECT_FALSE(result.response.header("Location"));
}

TEST(http_message, chunked_reply_is_dechunked) {
  const auto result = parse_http_response(chunked_reply, false);
  ASSERT_EQ(result.status, http_parse_status::complete) << result.error;
  EXPECT_EQ(result.response.body, "<root>0123456789</root>");
}

TEST(http_message, chunked_wins_over_content_length) {
  const std::string reply =
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  const auto result = parse_http_response(reply, false);
  ASSERT_EQ(result.status, http_parse_status::complete) << result.error;
  EXPECT_EQ(result.response.body, "hello");
}

TEST(http_message, chunked_with_bare_lf_and_no_final_line_at_eof) {
  const std::string reply = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n";
  EXPECT_EQ(parse_http_response(reply, false).status, http_parse_status::incomplete);
  const auto at_eof = parse_http_response(reply, true);
  ASSERT_EQ(at_eof.status, http_parse_status::complete) << at_eof.error;
  EXPECT_EQ(at_eof.response.body, "abc");
}

TEST(http_message, body_until_close_needs_eof) {
  EXPECT_EQ(parse_http_response(until_close_reply, false).status, http_parse_status::incomplete);
  const auto result = parse_http_response(until_close_reply, true);
  ASSERT_EQ(result.status, http_parse_status::complete) << result.error;
  EXPECT_EQ(result.response.status, 200);
  EXPECT_EQ(result.response.header("Content-Type"), "text/xml");
  EXPECT_EQ(result.response.body, "<root/>\n");
}

TEST(http_message, soap_fault_status_500_is_a_complete_response) {
  const std::string reply = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\nfault";
  const auto result = parse_http_response(reply, false);
  ASSERT_EQ(result.status, http_parse_status::complete);
  EXPECT_EQ(result.response.status, 500);
  EXPECT_EQ(result.response.reason, "Internal Server Error");
  EXPECT_EQ(result.response.body, "fault");
}

TEST(http_message, trailing_bytes_after_the_body_are_ignored) {
  const auto result = parse_http_response(miniupnpd_reply + "garbage\r\n\r\n", false);
  ASSERT_EQ(result.status, http_parse_status::complete);
  EXPECT_EQ(result.response.body, "<root>desc body</root>");
  const auto chunked = parse_http_response(chunked_reply + "HTTP/1.1 200 OK\r\n", true);
  ASSERT_EQ(chunked.status, http_parse_status::complete);
  EXPECT_EQ(chunked.response.body, "<root>0123456789</root>");
}

TEST(http_message, interim_100_continue_is_skipped) {
  const auto result = parse_http_response("HTTP/1.1 100 Continue\r\n\r\n" + miniupnpd_reply, false);
  ASSERT_EQ(result.status, http_parse_status::complete) << result.error;
  EXPECT_EQ(result.response.status, 200);
  EXPECT_EQ(result.response.body, "<root>desc body</root>");
}

TEST(http_message, no_content_status_has_no_body) {
  const auto result = parse_http_response("HTTP/1.1 204 No Content\r\n\r\n", false);
  ASSERT_EQ(result.status, http_parse_status::complete);
  EXPECT_EQ(result.response.status, 204);
  EXPECT_TRUE(result.response.body.empty());
}

TEST(http_message, status_line_without_reason_and_folded_header) {
  const std::string reply = "HTTP/1.1 200\r\nServer: Linux,\r\n  UPnP/1.0\r\nContent-Length : 0\r\n\r\n";
  const auto result = parse_http_response(reply, false);
  ASSERT_EQ(result.status, http_parse_status::complete) << result.error;
  EXPECT_EQ(result.response.reason, "");
  EXPECT_EQ(result.response.header("server"), "Linux, UPnP/1.0");
  EXPECT_EQ(result.response.header("content-length"), "0");
}

struct split_case {
  std::string name;
  std::string reply;
  std::string body;
  friend void PrintTo(const split_case& c, std::ostream* os) { *os << c.name; }
};

const split_case split_cases[] = {
    {"content_length", miniupnpd_reply, "<root>desc body</root>"},
    {"chunked", chunked_reply, "<root>0123456789</root>"},
};

class http_message_split : public testing::TestWithParam<split_case> {};

// Fed as it arrives, a reply is never called complete or malformed early.
TEST_P(http_message_split, every_prefix_is_incomplete_until_the_end) {
  const auto& c = GetParam();
  for (std::size_t size = 0; size < c.reply.size(); ++size) {
    const auto result = parse_http_response(std::string_view(c.reply).substr(0, size), false);
    EXPECT_EQ(result.status, http_parse_status::incomplete) << "at " << size << ": " << result.error;
  }
  const auto full = parse_http_response(c.reply, false);
  ASSERT_EQ(full.status, http_parse_status::complete);
  EXPECT_EQ(full.response.body, c.body);
}

// A router that closes early has sent a truncated reply: malformed, not complete.
TEST_P(http_message_split, every_prefix_at_eof_is_malformed) {
  const auto& c = GetParam();
  for (std::size_t size = 0; size < c.reply.size(); ++size) {
    const auto result = parse_http_response(std::string_view(c.reply).substr(0, size), true);
    // The last chunk is in: a missing final empty line is tolerated.
    if (result.status == http_parse_status::complete) {
      EXPECT_EQ(result.response.body, c.body) << "at " << size;
      continue;
    }
    EXPECT_EQ(result.status, http_parse_status::malformed) << "at " << size;
    EXPECT_FALSE(result.error.empty());
    EXPECT_EQ(result.error.find('\n'), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(replies, http_message_split, testing::ValuesIn(split_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(http_message, truncated_body_names_the_byte_counts) {
  const auto result = parse_http_response(miniupnpd_reply.substr(0, miniupnpd_reply.size() - 2), true);
  ASSERT_EQ(result.status, http_parse_status::malformed);
  EXPECT_EQ(result.error, "the connection closed after 20 of 22 body bytes");
}

TEST(http_message, empty_input_at_eof_says_no_response) {
  const auto result = parse_http_response("", true);
  ASSERT_EQ(result.status, http_parse_status::malformed);
  EXPECT_EQ(result.error, "the connection closed without a response");
}

std::string repeated(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

struct malformed_case {
  std::string name;
  std::string reply;
  std::string error;
  friend void PrintTo(const malformed_case& c, std::ostream* os) { *os << c.name; }
};

const malformed_case malformed_cases[] = {
    {"not_http", "SSH-2.0-dropbear\r\n\r\n", "not an HTTP status line"},
    {"status_letters", "HTTP/1.1 2OO OK\r\n\r\n", "not an HTTP status line"},
    {"status_four_digits", "HTTP/1.1 2000 OK\r\n\r\n", "not an HTTP status line"},
    {"header_without_colon", "HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\n", "a header line without ':'"},
    {"header_empty_name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n", "a header with an invalid name"},
    {"header_name_with_space", "HTTP/1.1 200 OK\r\nContent Length: 5\r\n\r\n", "a header with an invalid name"},
    {"fold_before_header", "HTTP/1.1 200 OK\r\n folded\r\n\r\n", "a continuation line before any header"},
    {"control_in_value", std::string("HTTP/1.1 200 OK\r\nServer: a\x01z\r\n\r\n"), "a control character in the header Server"},
    {"two_content_lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
     "two different Content-Lengths"},
    {"negative_content_length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "a bad Content-Length"},
    {"huge_content_length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
     "a bad Content-Length"},
    {"body_over_limit", "HTTP/1.1 200 OK\r\nContent-Length: 262145\r\n\r\n",
     "a Content-Length above 262144 bytes"},
    {"bad_chunk_size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a bad chunk size"},
    {"chunk_size_overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffff\r\n",
     "a bad chunk size"},
    {"chunk_over_limit", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40001\r\n",
     "the body exceeds 262144 bytes"},
    {"chunk_longer_than_size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
     "chunk data longer than its size"},
    {"header_line_too_long", "HTTP/1.1 200 OK\r\nX: " + std::string(max_http_header_line, 'a') + "\r\n\r\n",
     "a header line exceeds 4096 bytes"},
    {"too_many_interim", repeated("HTTP/1.1 100 Continue\r\n\r\n", 5) + "HTTP/1.1 200 OK\r\n\r\n",
     "too many interim 1xx responses"},
};

class http_message_malformed : public testing::TestWithParam<malformed_case> {};

TEST_P(http_message_malformed, names_the_problem) {
  const auto result = parse_http_response(GetParam().reply, false);
  EXPECT_EQ(result.status, http_parse_status::malformed);
  EXPECT_EQ(result.error, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(samples, http_message_malformed, testing::ValuesIn(malformed_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(http_message, more_headers_than_the_limit_are_malformed) {
  std::string reply = "HTTP/1.1 200 OK\r\n";
  for (std::size_t i = 0; i <= max_http_headers; ++i) reply += "X-" + std::to_string(i) + ": v\r\n";
  reply += "\r\n";
  const auto result = parse_http_response(reply, false);
  EXPECT_EQ(result.status, http_parse_status::malformed);
  EXPECT_EQ(result.error, "more than 64 headers");
}

TEST(http_message, headers_without_end_beyond_the_limit_are_malformed) {
  std::string reply = "HTTP/1.1 200 OK\r\n";
  while (reply.size() <= max_http_header_bytes) reply += "X-Padding: " + std::string(4000, 'p') + "\r\n";
  const auto result = parse_http_response(reply, false);
  EXPECT_EQ(result.status, http_parse_status::malformed);
  EXPECT_EQ(result.error, "the headers exceed 16384 bytes");
}

TEST(http_message, body_until_close_beyond_the_limit_is_malformed) {
  const std::string reply = "HTTP/1.1 200 OK\r\n\r\n" + std::string(max_http_body + 1, 'x');
  const auto result = parse_http_response(reply, false);
  EXPECT_EQ(result.status, http_parse_status::malformed);
  EXPECT_EQ(result.error, "the body exceeds 262144 bytes");
}

TEST(http_message, body_at_the_limit_is_accepted) {
  const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 262144\r\n\r\n" + std::string(max_http_body, 'x');
  const auto result = parse_http_response(reply, false);
  ASSERT_EQ(result.status, http_parse_status::complete);
  EXPECT_EQ(result.response.body.size(), max_http_body);
}

TEST(http_message, get_request) {
  EXPECT_EQ(http_get_request(http_url{"10.20.0.1", 5000, "/rootDesc.xml"}),
            "GET /rootDesc.xml HTTP/1.1\r\n"
            "Host: 10.20.0.1:5000\r\n"
            "Connection: close\r\n"
            "\r\n");
  EXPECT_EQ(http_get_request(http_url{"fe80::1%eth0", 80, "/"}),
            "GET / HTTP/1.1\r\nHost: [fe80::1]:80\r\nConnection: close\r\n\r\n");
}

TEST(http_message, post_request) {
  EXPECT_EQ(http_post_request(http_url{"10.20.0.1", 5000, "/ctl/IPConn"}, "text/xml; charset=\"utf-8\"",
                              "\"urn:schemas-upnp-org:service:WANIPConnection:2#GetExternalIPAddress\"",
                              "<body/>"),
            "POST /ctl/IPConn HTTP/1.1\r\n"
            "Host: 10.20.0.1:5000\r\n"
            "Content-Type: text/xml; charset=\"utf-8\"\r\n"
            "SOAPAction: \"urn:schemas-upnp-org:service:WANIPConnection:2#GetExternalIPAddress\"\r\n"
            "Content-Length: 7\r\n"
            "Connection: close\r\n"
            "\r\n"
            "<body/>");
}

TEST(http_message, requests_cannot_be_given_extra_headers) {
  const http_url evil{"10.0.0.1", 80, "/a b\r\nX-Evil: 1"};
  const auto get = http_get_request(evil);
  EXPECT_EQ(get.find("\r\nX-Evil"), std::string::npos);
  EXPECT_EQ(get.substr(0, get.find("\r\n")), "GET /a%20bX-Evil:%201 HTTP/1.1");
  const auto post = http_post_request(http_url{"10.0.0.1", 80, "/"}, "text/xml\r\nX-Evil: 1",
                                      "\"a\"\nX-Evil: 2", "");
  EXPECT_EQ(post.find("\nX-Evil"), std::string::npos);
  EXPECT_NE(post.find("SOAPAction: \"a\"X-Evil: 2\r\n"), std::string::npos);
}

TEST(http_message, a_request_parses_as_no_response) {
  const auto result = parse_http_response(http_get_request(http_url{"h", 80, "/"}), false);
  EXPECT_EQ(result.status, http_parse_status::malformed);
}

}  // namespace
}  // namespace reachback::router

// SPDX-License-Identifier: MIT
#include "common/codec.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/protocol_error.hpp"

namespace reachback::protocol {

// Failures print the frame rather than a byte dump of the variant.
void PrintTo(const message& m, std::ostream* os) { *os << encode(m).substr(header_size); }

namespace {

using namespace std::string_literals;

constexpr std::string_view nonce = "0123456789abcdef0123456789abcdef";

std::string header(std::uint8_t type, std::uint32_t length, std::uint8_t ver = version) {
  std::string h = {'R', 'B', static_cast<char>(ver), static_cast<char>(type)};
  for (int shift = 24; shift >= 0; shift -= 8) h += static_cast<char>((length >> shift) & 0xff);
  return h;
}

std::string frame(std::uint8_t type, std::string_view payload) {
  return header(type, static_cast<std::uint32_t>(payload.size())) + std::string(payload);
}

const decoded* as_decoded(const decode_result& r) { return std::get_if<decoded>(&r); }
const decoded* as_decoded(const decode_result&& r) = delete;
bool is_need_more(const decode_result& r) { return std::holds_alternative<need_more>(r); }
std::error_code error_of(const decode_result& r) {
  const auto* ec = std::get_if<std::error_code>(&r);
  return ec ? *ec : std::error_code{};
}

probe_result full_result() {
  probe_result r;
  r.nonce = nonce;
  r.connect_back.outcome = connect_outcome::foreign;
  r.connect_back.dialed_address = "203.0.113.7";
  r.connect_back.port = 3000;
  r.connect_back.source_port = 40000;
  r.connect_back.connect_ms = 11.25;
  r.connect_back.total_ms = 1011.5;
  r.connect_back.attempts = 1;
  r.connect_back.banner = "HTTP/1.0 200 OK\r\n\0\xff"s;
  r.connect_back.icmp = icmp_info{3, 3, "203.0.113.7"};
  ttl_sweep s;
  s.hops.push_back({1, sweep_reply::time_exceeded, "198.51.100.1", std::nullopt, 254, 0.5, 1});
  s.hops.push_back({2, sweep_reply::rst, "203.0.113.7", std::nullopt, std::nullopt, 9.75, 2});
  s.public_distance = 2;
  r.sweep = s;
  r.control = control_probe_result{
      .port = 51234, .outcome = connect_outcome::unreachable,
      .icmp = icmp_info{3, 13, "203.0.113.7"}, .connect_ms = 80.25, .attempts = 1};
  r.rtt_ms = 80.125;
  return r;
}

probe_result udp_unreachable_result() {
  probe_result r;
  r.nonce = nonce;
  r.connect_back = {.outcome = connect_outcome::unreachable, .dialed_address = "203.0.113.7",
                    .port = 19132, .source_port = 40001, .connect_ms = 81, .total_ms = 81,
                    .attempts = 1, .banner = "", .silent = false,
                    .icmp = icmp_info{3, 3, "203.0.113.7"}, .reply_ttl = 52};
  r.sweep = ttl_sweep{{{1, sweep_reply::udp_reply, "203.0.113.7", std::nullopt, std::nullopt, 80, 1}}, 1};
  return r;
}

probe_result control_result(connect_outcome outcome) {
  probe_result r;
  r.nonce = nonce;
  r.connect_back.outcome = connect_outcome::timeout;
  r.connect_back.dialed_address = "203.0.113.7";
  r.connect_back.port = 3000;
  r.control = control_probe_result{
      .port = 49152, .outcome = outcome, .icmp = std::nullopt, .connect_ms = 0.5, .attempts = 2};
  return r;
}

// A probe_result payload with `fields` spliced in first.
std::string result_with(std::string_view fields) {
  auto payload = encode(probe_result{std::string(nonce), {}, std::nullopt, std::nullopt, std::nullopt}).substr(header_size);
  payload.insert(1, std::string(fields) + ",");
  return frame(4, payload);
}

probe_answer answer(connect_outcome outcome, std::string banner) {
  probe_answer a;
  a.nonce = nonce;
  a.connect_back.outcome = outcome;
  a.connect_back.dialed_address = "203.0.113.7";
  a.connect_back.port = 3000;
  a.connect_back.connect_ms = 80.5;
  a.connect_back.total_ms = 161;
  a.connect_back.attempts = 1;
  a.connect_back.banner = std::move(banner);
  return a;
}

std::string answer_with_outcome(std::string_view outcome) {
  auto payload = encode(answer(connect_outcome::verified, "")).substr(header_size);
  payload.replace(payload.find("\"verified\""), 10, "\"" + std::string(outcome) + "\"");
  return frame(6, payload);
}

struct sample {
  std::string name;
  message msg;
  friend void PrintTo(const sample& c, std::ostream* os) { *os << c.name; }
};

const std::vector<sample>& samples() {
  static const std::vector<sample> all = {
      {"hello", hello{"0.2.0", std::nullopt}},
      {"hello_token", hello{"0.2.0", "s3cr\"et"}},
      {"welcome", welcome{"203.0.113.7", 51000, "0.2.0", {"connect_back", "ttl_sweep"}, 11}},
      {"welcome_minimal", welcome{"::1", 1, "", {}, std::nullopt}},
      {"probe_request", probe_request{"tcp", 3000, std::string(nonce), true}},
      {"probe_request_no_sweep", probe_request{"tcp", 65535, std::string(nonce), false}},
      {"probe_request_greet_early", probe_request{"tcp", 3000, std::string(nonce), true, true, true}},
      {"probe_request_no_control",
       probe_request{"tcp", 3000, std::string(nonce), true, false, false, false}},
      {"probe_request_udp", probe_request{"udp", 19132, std::string(nonce), true}},
      {"probe_result_udp_unreachable", udp_unreachable_result()},
      {"probe_result_minimal", probe_result{std::string(nonce), {}, std::nullopt, std::nullopt, std::nullopt}},
      {"probe_result_full", full_result()},
      {"probe_result_control_refused", control_result(connect_outcome::refused)},
      {"probe_result_control_timeout", control_result(connect_outcome::timeout)},
      {"probe_result_control_connected", control_result(connect_outcome::connected)},
      {"error", error{wire_error::rate_limited, "slow down"}},
      {"error_unicode", error{wire_error::internal, "caf\xc3\xa9"}},
      {"probe_answer_verified", answer(connect_outcome::verified, "")},
      {"probe_answer_banner", answer(connect_outcome::foreign, "HTTP/1.1 400 Bad Request\r\n")},
  };
  return all;
}

class CodecSample : public testing::TestWithParam<sample> {};

TEST_P(CodecSample, RoundTrips) {
  const auto bytes = encode(GetParam().msg);
  const auto r = decode(bytes);
  const auto* d = as_decoded(r);
  ASSERT_NE(d, nullptr) << error_of(r).message();
  EXPECT_EQ(d->msg, GetParam().msg);
  EXPECT_EQ(d->consumed, bytes.size());
}

TEST_P(CodecSample, HeaderNamesTypeAndLength) {
  const auto bytes = encode(GetParam().msg);
  EXPECT_EQ(bytes.substr(0, header_size),
            header(static_cast<std::uint8_t>(GetParam().msg.index() + 1),
                   static_cast<std::uint32_t>(bytes.size() - header_size)));
  EXPECT_EQ(peek_version(bytes), version);
}

TEST_P(CodecSample, EveryPrefixNeedsMore) {
  const auto bytes = encode(GetParam().msg);
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_TRUE(is_need_more(decode(std::string_view(bytes).substr(0, n)))) << "prefix " << n;
}

// What a transport does: append each chunk, decode, drop what was consumed.
std::vector<message> feed(std::string_view stream, std::size_t chunk) {
  std::vector<message> out;
  std::string buffer;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    buffer += stream.substr(at, chunk);
    for (auto r = decode(buffer); const auto* d = as_decoded(r); r = decode(buffer)) {
      out.push_back(d->msg);
      buffer.erase(0, d->consumed);
    }
  }
  EXPECT_TRUE(buffer.empty());
  return out;
}

TEST_P(CodecSample, TwoFramesSplitAtEveryPosition) {
  const auto& m = GetParam().msg;
  const auto next = message{error{wire_error::idle_timeout, "bye"}};
  const auto stream = encode(m) + encode(next);
  const std::vector<message> expected = {m, next};
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk)
    EXPECT_EQ(feed(stream, chunk), expected) << "chunk " << chunk;
}

TEST_P(CodecSample, BackToBackDecodesFirstFrameOnly) {
  const auto first = encode(GetParam().msg);
  const auto both = first + encode(samples().front().msg);
  const auto r = decode(both);
  const auto* d = as_decoded(r);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->msg, GetParam().msg);
  EXPECT_EQ(d->consumed, first.size());
}

INSTANTIATE_TEST_SUITE_P(Messages, CodecSample, testing::ValuesIn(samples()), [](const auto& p) {
  return p.param.name;
});

struct bad_case {
  std::string name;
  std::string bytes;
  errc expected;
  friend void PrintTo(const bad_case& c, std::ostream* os) { *os << c.name; }
};

class CodecRejects : public testing::TestWithParam<bad_case> {};

TEST_P(CodecRejects, WithTheRightError) {
  EXPECT_EQ(error_of(decode(GetParam().bytes)), make_error_code(GetParam().expected));
}

std::string probe_json(std::string_view port,
                       std::string_view nonce_text = "\"" + std::string(nonce) + "\"",
                       std::string_view protocol = "\"tcp\"") {
  return frame(3,
               R"({"protocol":)" + std::string(protocol) + R"(,"port":)" + std::string(port) +
                   R"(,"nonce":)" + std::string(nonce_text) + R"(,"sweep":true})");
}

INSTANTIATE_TEST_SUITE_P(
    Table,
    CodecRejects,
    testing::Values(
        bad_case{"bad_magic_first_byte", "X", errc::bad_magic},
        bad_case{"bad_magic_second_byte", "RX", errc::bad_magic},
        bad_case{"http_first_byte", "H", errc::bad_magic},
        bad_case{"http_response", "HTTP/1.1 400 Bad Request\r\n\r\n", errc::bad_magic},
        bad_case{"ssh_banner", "SSH-2.0-OpenSSH_9.2\r\n", errc::bad_magic},
        bad_case{"lowercase_magic", header(1, 2).replace(0, 2, "rb") + "{}", errc::bad_magic},
        bad_case{"version_2", header(1, 2, 2) + "{}", errc::unsupported_version},
        bad_case{"version_0_header_only", header(1, 2, 0), errc::unsupported_version},
        bad_case{"oversize_header_only", header(1, max_payload + 1), errc::frame_too_large},
        bad_case{"huge_length_header_only", header(4, 0xffffffff), errc::frame_too_large},
        bad_case{"type_0", frame(0, "{}"), errc::unknown_message_type},
        bad_case{"type_7_header_only", header(7, 2), errc::unknown_message_type},
        bad_case{"type_255", frame(255, "{}"), errc::unknown_message_type},
        bad_case{"empty_payload", frame(1, ""), errc::malformed_payload},
        bad_case{"not_json", frame(1, "hello there"), errc::malformed_payload},
        bad_case{"truncated_json", frame(1, R"({"client_version":)"), errc::malformed_payload},
        bad_case{"json_array", frame(1, R"(["client_version"])"), errc::malformed_payload},
        bad_case{"json_string", frame(1, R"("x")"), errc::malformed_payload},
        bad_case{"json_null", frame(1, "null"), errc::malformed_payload},
        bad_case{
            "invalid_utf8", frame(1, "{\"client_version\":\"\xff\"}"), errc::malformed_payload},
        bad_case{"hello_missing_field", frame(1, "{}"), errc::malformed_payload},
        bad_case{"hello_wrong_type", frame(1, R"({"client_version":1})"), errc::malformed_payload},
        bad_case{"hello_token_wrong_type",
                 frame(1, R"({"client_version":"1","token":7})"),
                 errc::malformed_payload},
        bad_case{"welcome_capability_number",
                 frame(2,
                       R"({"observed_address":"a","observed_port":1,"relay_version":"1",)"
                       R"("capabilities":[1]})"),
                 errc::malformed_payload},
        bad_case{"port_0", probe_json("0"), errc::malformed_payload},
        bad_case{"port_65536", probe_json("65536"), errc::malformed_payload},
        bad_case{"port_negative", probe_json("-80"), errc::malformed_payload},
        bad_case{"port_float", probe_json("80.5"), errc::malformed_payload},
        bad_case{"port_string", probe_json("\"80\""), errc::malformed_payload},
        bad_case{"port_bool", probe_json("true"), errc::malformed_payload},
        bad_case{"protocol_sctp",
                 probe_json("80", "\"" + std::string(nonce) + "\"", "\"sctp\""),
                 errc::malformed_payload},
        bad_case{"nonce_short", probe_json("80", "\"0123\""), errc::malformed_payload},
        bad_case{"nonce_33_digits",
                 probe_json("80", "\"" + std::string(nonce) + "0\""),
                 errc::malformed_payload},
        bad_case{"nonce_uppercase",
                 probe_json("80", "\"0123456789ABCDEF0123456789ABCDEF\""),
                 errc::malformed_payload},
        bad_case{"nonce_not_hex",
                 probe_json("80", "\"0123456789abcdefg123456789abcdef\""),
                 errc::malformed_payload},
        bad_case{"nonce_number", probe_json("80", "12"), errc::malformed_payload},
        bad_case{"sweep_number",
                 frame(3,
                       R"({"protocol":"tcp","port":80,"nonce":")" + std::string(nonce) +
                           R"(","sweep":1})"),
                 errc::malformed_payload},
        bad_case{"result_missing_connect_back",
                 frame(4, R"({"nonce":")" + std::string(nonce) + R"("})"),
                 errc::malformed_payload},
        bad_case{"result_connect_back_array",
                 frame(4, R"({"nonce":")" + std::string(nonce) + R"(","connect_back":[]})"),
                 errc::malformed_payload},
        bad_case{
            "error_code_number", frame(5, R"({"code":5,"text":""})"), errc::malformed_payload},
        bad_case{"answer_still_connected", answer_with_outcome("connected"), errc::malformed_payload},
        bad_case{"answer_refused", answer_with_outcome("refused"), errc::malformed_payload},
        bad_case{"greet_string",
                 frame(3,
                       R"({"protocol":"tcp","port":80,"nonce":")" + std::string(nonce) +
                           R"(","sweep":true,"greet":"yes"})"),
                 errc::malformed_payload}),
    [](const auto& p) { return p.param.name; });

struct short_case {
  std::string name;
  std::string bytes;
  friend void PrintTo(const short_case& c, std::ostream* os) { *os << c.name; }
};

class CodecWaits : public testing::TestWithParam<short_case> {};

TEST_P(CodecWaits, NeedsMore) { EXPECT_TRUE(is_need_more(decode(GetParam().bytes))); }

INSTANTIATE_TEST_SUITE_P(
    Table,
    CodecWaits,
    testing::Values(short_case{"empty", ""},
                    short_case{"magic_first_byte", "R"},
                    short_case{"magic", "RB"},
                    short_case{"header_7_bytes", header(1, 2).substr(0, 7)},
                    short_case{"header_only", header(1, 2)},
                    short_case{"payload_cut", header(1, 20) + R"({"client_vers)"},
                    short_case{"max_payload_header_only", header(4, max_payload)}),
    [](const auto& p) { return p.param.name; });

TEST(Codec, ARequestWithoutTheLaterFieldsAsksForOneResultAndNoGreeting) {
  const auto r = decode(probe_json("3000"));
  const auto* d = as_decoded(r);
  ASSERT_NE(d, nullptr) << error_of(r).message();
  const auto& request = std::get<probe_request>(d->msg);
  EXPECT_FALSE(request.greet);
  EXPECT_FALSE(request.early_result);
  EXPECT_FALSE(request.control) << "a client from before the control probe asks for none";
}

TEST(Codec, ANewRequestAsksForTheControlProbe) {
  EXPECT_TRUE(probe_request{}.control);
  const auto bytes = encode(probe_request{"tcp", 3000, std::string(nonce), true});
  EXPECT_NE(bytes.find(R"("control":true)"), std::string::npos);
}

TEST(Codec, AResultFromAnOlderRelayHasNoControlProbeAndNoRtt) {
  // What a relay from before the control probe sends: no control, no rtt_ms.
  const auto r = decode(frame(4, R"({"nonce":")" + std::string(nonce) +
                                     R"(","connect_back":{"outcome":"timeout","dialed_address":)"
                                     R"("203.0.113.7","port":3000,"source_port":40000,)"
                                     R"("connect_ms":1800,"total_ms":1800,"attempts":1,)"
                                     R"("banner":"","silent":false}})"));
  const auto* d = as_decoded(r);
  ASSERT_NE(d, nullptr) << error_of(r).message();
  const auto& result = std::get<probe_result>(d->msg);
  EXPECT_EQ(result.control, std::nullopt);
  EXPECT_EQ(result.rtt_ms, std::nullopt);
}

TEST(Codec, AResultWithoutTheLaterFieldsOmitsThem) {
  const auto bytes = encode(probe_result{std::string(nonce), {}, std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(bytes.find("\"control\""), std::string::npos);
  EXPECT_EQ(bytes.find("\"rtt_ms\""), std::string::npos);
}

TEST(Codec, NullControlAndRttAreAbsent) {
  const auto r = decode(result_with(R"("control":null,"rtt_ms":null)"));
  const auto* d = as_decoded(r);
  ASSERT_NE(d, nullptr) << error_of(r).message();
  EXPECT_EQ(std::get<probe_result>(d->msg).control, std::nullopt);
  EXPECT_EQ(std::get<probe_result>(d->msg).rtt_ms, std::nullopt);
}

struct bad_result_field {
  std::string name;
  std::string fields;
  friend void PrintTo(const bad_result_field& c, std::ostream* os) { *os << c.name; }
};

class CodecRejectsResultField : public testing::TestWithParam<bad_result_field> {};

TEST_P(CodecRejectsResultField, AsMalformed) {
  EXPECT_EQ(error_of(decode(result_with(GetParam().fields))),
            make_error_code(errc::malformed_payload));
}

INSTANTIATE_TEST_SUITE_P(
    Table, CodecRejectsResultField,
    testing::Values(
        bad_result_field{"control_verified",
                         R"("control":{"port":50000,"outcome":"verified","connect_ms":1,"attempts":1})"},
        bad_result_field{"control_not_run",
                         R"("control":{"port":50000,"outcome":"not_run","connect_ms":1,"attempts":1})"},
        bad_result_field{"control_port_zero",
                         R"("control":{"port":0,"outcome":"refused","connect_ms":1,"attempts":1})"},
        bad_result_field{"control_port_too_big",
                         R"("control":{"port":65536,"outcome":"refused","connect_ms":1,"attempts":1})"},
        bad_result_field{"control_missing_outcome",
                         R"("control":{"port":50000,"connect_ms":1,"attempts":1})"},
        bad_result_field{"control_string", R"("control":"refused")"},
        bad_result_field{"rtt_string", R"("rtt_ms":"80")"},
        bad_result_field{"rtt_negative", R"("rtt_ms":-1)"},
        bad_result_field{"rtt_boolean", R"("rtt_ms":true)"}),
    [](const auto& p) { return p.param.name; });

TEST(Codec, ATcpResultIsWhatItWasBeforeUdp) {
  // A client from before UDP reads these bytes: no field may be added.
  probe_result r;
  r.nonce = nonce;
  r.connect_back = {.outcome = connect_outcome::unreachable, .dialed_address = "203.0.113.7",
                    .port = 3000, .source_port = 40000, .connect_ms = 80, .total_ms = 80,
                    .attempts = 1, .banner = "", .silent = false,
                    .icmp = icmp_info{3, 13, "198.51.100.1"}, .reply_ttl = std::nullopt};
  r.sweep = ttl_sweep{{{1, sweep_reply::rst, "203.0.113.7", std::nullopt, std::nullopt, 80, 1}}, 1};
  EXPECT_EQ(encode(r).substr(header_size),
            R"({"connect_back":{"attempts":1,"banner":"","connect_ms":80.0,)"
            R"("dialed_address":"203.0.113.7","icmp":{"code":13,"from":"198.51.100.1","type":3},)"
            R"("outcome":"unreachable","port":3000,"silent":false,"source_port":40000,)"
            R"("total_ms":80.0},"nonce":")" + std::string(nonce) +
                R"(","sweep":{"hops":[{"attempts":1,"from":"203.0.113.7","reply":"rst",)"
                R"("rtt_ms":80.0,"ttl":1}],"public_distance":1}})");
}

TEST(Codec, AUdpRequestKeepsItsProtocol) {
  const auto r = decode(probe_json("19132", "\"" + std::string(nonce) + "\"", "\"udp\""));
  const auto* d = as_decoded(r);
  ASSERT_NE(d, nullptr) << error_of(r).message();
  EXPECT_EQ(std::get<probe_request>(d->msg).protocol, "udp");
}

TEST(Codec, UnknownFieldsAreIgnored) {
  const auto bytes = frame(3,
                           R"({"protocol":"tcp","port":22,"nonce":")" + std::string(nonce) +
                               R"(","sweep":false,"address":"10.0.0.1","future":{"x":[1]}})");
  const auto r = decode(bytes);
  const auto* d = as_decoded(r);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->msg, (message{probe_request{"tcp", 22, std::string(nonce), false, false, false, false}}));
  EXPECT_EQ(encode(d->msg).find("address"), std::string::npos);
}

TEST(Codec, UnknownErrorCodeBecomesInternal) {
  const auto r = decode(frame(5, R"({"code":"solar_flare","text":"later"})"));
  const auto* d = as_decoded(r);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->msg, (message{error{wire_error::internal, "later"}}));
}

TEST(Codec, NullOptionalFieldIsAbsent) {
  const auto r = decode(frame(1, R"({"client_version":"1","token":null})"));
  const auto* d = as_decoded(r);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->msg, (message{hello{"1", std::nullopt}}));
}

TEST(Codec, EncodesCompactJson) {
  const auto bytes = encode(error{wire_error::bad_request, "x"});
  EXPECT_EQ(bytes, frame(5, R"({"code":"bad_request","text":"x"})"));
}

TEST(Codec, EncodeRefusesOversizePayload) {
  EXPECT_THROW((void)encode(error{wire_error::internal, std::string(max_payload, 'x')}),
               std::length_error);
}

TEST(Codec, ALimitRefusesALargerFrameFromItsHeader) {
  const auto hello_frame = encode(hello{"0.2.0", std::string(1000, 't')});
  ASSERT_GT(hello_frame.size() - header_size, max_payload_before_welcome);
  // The header alone decides: the payload need not have arrived.
  EXPECT_EQ(error_of(decode(std::string_view(hello_frame).substr(0, header_size),
                            max_payload_before_welcome)),
            errc::frame_too_large);
  const auto within_default = decode(hello_frame);
  EXPECT_NE(as_decoded(within_default), nullptr) << "within the default 64 KiB";
  const auto small = decode(encode(hello{"0.2.0", "token"}), max_payload_before_welcome);
  EXPECT_NE(as_decoded(small), nullptr);
  EXPECT_EQ(error_of(decode(header(1, max_payload + 1), 1U << 30)), errc::frame_too_large)
      << "a limit never raises the protocol's own";
}

std::string nested(int depth, std::string_view inner = "0") {
  return std::string(static_cast<std::size_t>(depth), '[') + std::string(inner) +
         std::string(static_cast<std::size_t>(depth), ']');
}

TEST(Codec, RefusesPayloadsNestedTooDeep) {
  const auto deep = R"({"code":"internal","text":"x","more":)" + nested(max_json_depth) + "}";
  EXPECT_EQ(error_of(decode(frame(5, deep))), errc::malformed_payload);
  const auto allowed =
      R"({"code":"internal","text":"x","more":)" + nested(max_json_depth - 1) + "}";
  const auto shallow_enough = decode(frame(5, allowed));
  EXPECT_NE(as_decoded(shallow_enough), nullptr);
}

TEST(Codec, RefusesAFloodOfOpenBracketsBeforeParsing) {
  // The junk frame of the denial-of-service test: 64 KiB of '['.
  EXPECT_EQ(error_of(decode(frame(3, std::string(max_payload, '[')))), errc::malformed_payload);
}

TEST(Codec, BracketsInsideStringsDoNotNest) {
  const auto text = std::string(100, '[') + "\\\"{{{" + std::string(100, '{');
  const auto bytes = encode(error{wire_error::internal, text});
  const auto result = decode(bytes);
  const auto* d = as_decoded(result);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(std::get<error>(d->msg).text, text);
}

TEST(Codec, ValidNonceIsExactly32LowercaseHexDigits) {
  EXPECT_TRUE(valid_nonce(nonce));
  EXPECT_FALSE(valid_nonce(nonce.substr(1)));
  EXPECT_FALSE(valid_nonce(std::string(nonce) + "0"));
  EXPECT_FALSE(valid_nonce("0123456789ABCDEF0123456789ABCDEF"));
  EXPECT_FALSE(valid_nonce("0123456789abcdef0123456789abcdeg"));
  EXPECT_FALSE(valid_nonce(""));
}

TEST(Codec, PeekVersion) {
  EXPECT_EQ(peek_version("RB\x07"s), 7);
  EXPECT_EQ(peek_version(header(1, 0, 9)), 9);
  EXPECT_EQ(peek_version("RB"s), std::nullopt);
  EXPECT_EQ(peek_version("XB\x01"s), std::nullopt);
  EXPECT_EQ(peek_version(""s), std::nullopt);
}

}  // namespace
}  // namespace reachback::protocol

// SPDX-License-Identifier: MIT
#include "config/relay_config.hpp"

#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "config_test_support.hpp"

namespace reachback::config::relay_config_test {
namespace {

using namespace std::chrono_literals;
using test::error_case;
using test::error_message;

constexpr std::string_view source = "relay.toml";

relay_config parse(std::string_view text) { return parse_relay_config(text, source); }

TEST(RelayConfig, ExampleFileHoldsTheDefaults) {
  // The example documents every key with its default; this keeps the two in step.
  EXPECT_EQ(load_relay_config(REACHBACK_CONFIG_DIR "/relay.example.toml"), relay_config{});
}

TEST(RelayConfig, EmptyTextGivesTheDefaults) { EXPECT_EQ(parse(""), relay_config{}); }

TEST(RelayConfig, AbsentKeysKeepTheirDefaults) {
  const auto config = parse("[timeouts]\nidle_ms = 5000\n[sweep]\nmax_ttl = 30\n");
  relay_config expected;
  expected.timeouts.idle = 5000ms;
  expected.sweep.max_ttl = 30;
  EXPECT_EQ(config, expected);
}

TEST(RelayConfig, ReadsEveryKey) {
  const auto config = parse(R"(
listen = ["192.0.2.1:5000", "[2001:db8::1]:5001", "127.0.0.1:0"]
tokens = ["alpha", "beta"]
log_format = "json"
[metrics]
listen = "127.0.0.1:9475"
[timeouts]
session_ms = 60000
idle_ms = 20000
hello_ms = 1500
request_ms = 2500
connect_ms = 4000
connect_min_ms = 250
connect_max_ms = 9000
banner_ms = 1500
[limits]
sessions_per_ip = 2
probes_per_minute = 10
sessions_total = 64
ipv4_prefix = 24
ipv6_prefix = 56
[sweep]
enabled = false
max_ttl = 64
hop_timeout_ms = 250
hop_timeout_min_ms = 100
hop_timeout_max_ms = 4000
retries = 0
)");
  relay_config expected;
  expected.listen = {"192.0.2.1:5000", "[2001:db8::1]:5001", "127.0.0.1:0"};
  expected.tokens = {"alpha", "beta"};
  expected.log_format = log_format::json;
  expected.metrics_listen = "127.0.0.1:9475";
  expected.timeouts = {.session = 60s,
                       .idle = 20s,
                       .hello = 1500ms,
                       .request = 2500ms,
                       .connect = 4s,
                       .connect_min = 250ms,
                       .connect_max = 9s,
                       .banner = 1500ms};
  expected.limits = {.sessions_per_ip = 2,
                     .probes_per_minute = 10,
                     .sessions_total = 64,
                     .ipv4_prefix = 24,
                     .ipv6_prefix = 56};
  expected.sweep = {.enabled = false,
                    .max_ttl = 64,
                    .hop_timeout = 250ms,
                    .hop_timeout_min = 100ms,
                    .hop_timeout_max = 4s,
                    .retries = 0};
  EXPECT_EQ(config, expected);
}

TEST(RelayConfig, LogFormatNamesRoundTripAndOthersAreRefused) {
  for (const auto format : {log_format::text, log_format::json}) {
    EXPECT_EQ(log_format_from_string(to_string(format)), format);
  }
  EXPECT_EQ(log_format_from_string("JSON"), std::nullopt);
  EXPECT_EQ(log_format_from_string(""), std::nullopt);
}

TEST(RelayConfig, MalformedTomlGivesTomlppDescriptionAtItsPosition) {
  constexpr std::string_view text = "[timeouts]\nsession_ms = \n";
  std::string expected;
  try {
    (void)toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    expected = "relay.toml:" + std::to_string(error.source().begin.line) + ":" +
               std::to_string(error.source().begin.column) + ": " +
               std::string(error.description());
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(error_message([&] { (void)parse(text); }), expected);
  EXPECT_EQ(expected.rfind("relay.toml:2:", 0), 0U) << expected;
}

TEST(RelayConfig, MissingFileNamesFileAndReason) {
  const test::scratch_dir dir;
  const auto file = dir.path() / "absent.toml";
  EXPECT_EQ(error_message([&] { (void)load_relay_config(file); }),
            "cannot open " + file.string() + ": No such file or directory");
}

// Tests run as root, and root reads a chmod 000 file anyway, so "unreadable"
// is exercised with a directory: it opens, then every read fails (EISDIR).
TEST(RelayConfig, UnreadableFileNamesFileAndReason) {
  const test::scratch_dir dir;
  EXPECT_EQ(error_message([&] { (void)load_relay_config(dir.path()); }),
            "cannot read " + dir.path().string() + ": Is a directory");
}

TEST(RelayConfig, ErrorsFromAFileNameItsPath) {
  const test::scratch_dir dir;
  const auto file = dir.write("relay.toml", "[sweep]\nmax_ttl = 99\n");
  EXPECT_EQ(error_message([&] { (void)load_relay_config(file); }),
            file.string() + ":2:11: 'sweep.max_ttl' must be between 1 and 64, got 99");
}

TEST(RelayConfig, ControlCharactersInKeysStayOnOneLine) {
  EXPECT_EQ(error_message([] { (void)parse("\"bad\\nkey\" = 1"); }),
            "relay.toml:1:1: unknown key 'bad\\nkey' (expected one of: limits, listen, log_format, "
            "metrics, sweep, timeouts, tokens)");
}

class RelayConfigError : public ::testing::TestWithParam<error_case> {};

TEST_P(RelayConfigError, NamesFileKeyLineAndColumn) {
  const auto message = error_message([] { (void)parse(GetParam().toml); });
  EXPECT_EQ(message, GetParam().message);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    WrongType, RelayConfigError,
    ::testing::Values(
        error_case{"listen_string", "listen = \"0.0.0.0:4750\"",
                   "relay.toml:1:10: expected an array for 'listen', got a string"},
        error_case{"listen_entry_integer", "listen = [4750]",
                   "relay.toml:1:11: expected a string for 'listen[0]', got an integer"},
        error_case{"tokens_string", "tokens = \"secret\"",
                   "relay.toml:1:10: expected an array for 'tokens', got a string"},
        error_case{"tokens_entry_boolean", "tokens = [\"a\", true]",
                   "relay.toml:1:16: expected a string for 'tokens[1]', got a boolean"},
        error_case{"timeouts_integer", "timeouts = 30",
                   "relay.toml:1:12: expected a table for 'timeouts', got an integer"},
        error_case{"session_ms_string", "[timeouts]\nsession_ms = \"30s\"",
                   "relay.toml:2:14: expected an integer for 'timeouts.session_ms', got a string"},
        error_case{"idle_ms_float", "[timeouts]\nidle_ms = 10.5",
                   "relay.toml:2:11: expected an integer for 'timeouts.idle_ms', got a "
                   "floating-point number"},
        error_case{"connect_ms_boolean", "[timeouts]\nconnect_ms = true",
                   "relay.toml:2:14: expected an integer for 'timeouts.connect_ms', got a boolean"},
        error_case{"banner_ms_array", "[timeouts]\nbanner_ms = [1000]",
                   "relay.toml:2:13: expected an integer for 'timeouts.banner_ms', got an array"},
        error_case{"limits_array", "limits = []",
                   "relay.toml:1:10: expected a table for 'limits', got an array"},
        error_case{"sessions_per_ip_string", "[limits]\nsessions_per_ip = \"4\"",
                   "relay.toml:2:19: expected an integer for 'limits.sessions_per_ip', got a "
                   "string"},
        error_case{"probes_per_minute_float", "[limits]\nprobes_per_minute = 20.0",
                   "relay.toml:2:21: expected an integer for 'limits.probes_per_minute', got a "
                   "floating-point number"},
        error_case{"sessions_total_boolean", "[limits]\nsessions_total = false",
                   "relay.toml:2:18: expected an integer for 'limits.sessions_total', got a "
                   "boolean"},
        error_case{"sweep_boolean", "sweep = true",
                   "relay.toml:1:9: expected a table for 'sweep', got a boolean"},
        // value<bool>() would accept 1 as true; the reader must not.
        error_case{"enabled_integer", "[sweep]\nenabled = 1",
                   "relay.toml:2:11: expected a boolean for 'sweep.enabled', got an integer"},
        error_case{"enabled_string", "[sweep]\nenabled = \"yes\"",
                   "relay.toml:2:11: expected a boolean for 'sweep.enabled', got a string"},
        error_case{"max_ttl_string", "[sweep]\nmax_ttl = \"16\"",
                   "relay.toml:2:11: expected an integer for 'sweep.max_ttl', got a string"},
        error_case{"connect_max_ms_string", "[timeouts]\nconnect_max_ms = \"5s\"",
                   "relay.toml:2:18: expected an integer for 'timeouts.connect_max_ms', got a "
                   "string"},
        error_case{"hop_timeout_min_ms_float", "[sweep]\nhop_timeout_min_ms = 0.2",
                   "relay.toml:2:22: expected an integer for 'sweep.hop_timeout_min_ms', got a "
                   "floating-point number"},
        error_case{"hop_timeout_ms_float", "[sweep]\nhop_timeout_ms = 0.7",
                   "relay.toml:2:18: expected an integer for 'sweep.hop_timeout_ms', got a "
                   "floating-point number"},
        error_case{"retries_date", "[sweep]\nretries = 1979-05-27",
                   "relay.toml:2:11: expected an integer for 'sweep.retries', got a date"},
        error_case{"log_format_unknown", "log_format = \"yaml\"",
                   "relay.toml:1:14: 'log_format' must be \"text\" or \"json\", got \"yaml\""},
        error_case{"metrics_listen_without_port", "[metrics]\nlisten = \"127.0.0.1\"",
                   "relay.toml:2:10: 'metrics.listen' must be IPV4:PORT or [IPV6]:PORT with a "
                   "numeric address and PORT 0-65535, got \"127.0.0.1\""}),
    test::case_name);

INSTANTIATE_TEST_SUITE_P(
    OutOfRange, RelayConfigError,
    ::testing::Values(
        error_case{"session_ms_negative", "[timeouts]\nsession_ms = -1",
                   "relay.toml:2:14: 'timeouts.session_ms' must be between 1 and 3600000, got -1"},
        error_case{"idle_ms_zero", "[timeouts]\nidle_ms = 0",
                   "relay.toml:2:11: 'timeouts.idle_ms' must be between 1 and 3600000, got 0"},
        error_case{"connect_ms_beyond_int", "[timeouts]\nconnect_ms = 9999999999",
                   "relay.toml:2:14: 'timeouts.connect_ms' must be between 1 and 3600000, got "
                   "9999999999"},
        error_case{"banner_ms_negative", "[timeouts]\nbanner_ms = -1000",
                   "relay.toml:2:13: 'timeouts.banner_ms' must be between 1 and 3600000, got "
                   "-1000"},
        error_case{"sessions_per_ip_zero", "[limits]\nsessions_per_ip = 0",
                   "relay.toml:2:19: 'limits.sessions_per_ip' must be between 1 and 1000000, "
                   "got 0"},
        error_case{"hello_ms_zero", "[timeouts]\nhello_ms = 0",
                   "relay.toml:2:12: 'timeouts.hello_ms' must be between 1 and 3600000, got 0"},
        error_case{"request_ms_negative", "[timeouts]\nrequest_ms = -5",
                   "relay.toml:2:14: 'timeouts.request_ms' must be between 1 and 3600000, got -5"},
        error_case{"ipv4_prefix_33", "[limits]\nipv4_prefix = 33",
                   "relay.toml:2:15: 'limits.ipv4_prefix' must be between 8 and 32, got 33"},
        error_case{"ipv4_prefix_zero", "[limits]\nipv4_prefix = 0",
                   "relay.toml:2:15: 'limits.ipv4_prefix' must be between 8 and 32, got 0"},
        error_case{"ipv6_prefix_129", "[limits]\nipv6_prefix = 129",
                   "relay.toml:2:15: 'limits.ipv6_prefix' must be between 16 and 128, got 129"},
        error_case{"ipv6_prefix_8", "[limits]\nipv6_prefix = 8",
                   "relay.toml:2:15: 'limits.ipv6_prefix' must be between 16 and 128, got 8"},
        error_case{"max_ttl_zero", "[sweep]\nmax_ttl = 0",
                   "relay.toml:2:11: 'sweep.max_ttl' must be between 1 and 64, got 0"},
        error_case{"max_ttl_65", "[sweep]\nmax_ttl = 65",
                   "relay.toml:2:11: 'sweep.max_ttl' must be between 1 and 64, got 65"},
        error_case{"hop_timeout_ms_negative", "[sweep]\nhop_timeout_ms = -700",
                   "relay.toml:2:18: 'sweep.hop_timeout_ms' must be between 1 and 60000, got -700"},
        error_case{"retries_negative", "[sweep]\nretries = -1",
                   "relay.toml:2:11: 'sweep.retries' must be between 0 and 10, got -1"},
        error_case{"connect_min_ms_zero", "[timeouts]\nconnect_min_ms = 0",
                   "relay.toml:2:18: 'timeouts.connect_min_ms' must be between 1 and 3600000, got 0"},
        error_case{"connect_max_ms_beyond_range", "[timeouts]\nconnect_max_ms = 3600001",
                   "relay.toml:2:18: 'timeouts.connect_max_ms' must be between 1 and 3600000, got "
                   "3600001"},
        error_case{"connect_min_above_max", "[timeouts]\nconnect_min_ms = 6000\nconnect_max_ms = 5000",
                   "relay.toml:2:18: 'timeouts.connect_min_ms' must not exceed "
                   "timeouts.connect_max_ms (6000 > 5000)"},
        error_case{"connect_min_above_default_max", "[timeouts]\nconnect_min_ms = 5001",
                   "relay.toml:2:18: 'timeouts.connect_min_ms' must not exceed "
                   "timeouts.connect_max_ms (5001 > 5000)"},
        error_case{"hop_timeout_min_ms_negative", "[sweep]\nhop_timeout_min_ms = -1",
                   "relay.toml:2:22: 'sweep.hop_timeout_min_ms' must be between 1 and 60000, got -1"},
        error_case{"hop_timeout_max_ms_beyond_range", "[sweep]\nhop_timeout_max_ms = 60001",
                   "relay.toml:2:22: 'sweep.hop_timeout_max_ms' must be between 1 and 60000, got "
                   "60001"},
        error_case{"hop_timeout_min_above_max",
                   "[sweep]\nhop_timeout_min_ms = 900\nhop_timeout_max_ms = 800",
                   "relay.toml:2:22: 'sweep.hop_timeout_min_ms' must not exceed "
                   "sweep.hop_timeout_max_ms (900 > 800)"},
        error_case{"listen_port_too_big", "listen = [\"0.0.0.0:4750\", \"0.0.0.0:70000\"]",
                   "relay.toml:1:27: 'listen[1]' must be IPV4:PORT or [IPV6]:PORT with a numeric address and PORT 0-65535, "
                   "got \"0.0.0.0:70000\""},
        error_case{"listen_port_name", "listen = [\"0.0.0.0:http\"]",
                   "relay.toml:1:11: 'listen[0]' must be IPV4:PORT or [IPV6]:PORT with a numeric address and PORT 0-65535, "
                   "got \"0.0.0.0:http\""},
        error_case{"listen_port_missing", "listen = [\"0.0.0.0\"]",
                   "relay.toml:1:11: 'listen[0]' must be IPV4:PORT or [IPV6]:PORT with a numeric address and PORT 0-65535, "
                   "got \"0.0.0.0\""},
        error_case{"listen_port_negative", "listen = [\"0.0.0.0:-1\"]",
                   "relay.toml:1:11: 'listen[0]' must be IPV4:PORT or [IPV6]:PORT with a numeric address and PORT 0-65535, "
                   "got \"0.0.0.0:-1\""},
        error_case{"listen_no_address", "listen = [\":4750\"]",
                   "relay.toml:1:11: 'listen[0]' must be IPV4:PORT or [IPV6]:PORT with a numeric address and PORT 0-65535, "
                   "got \":4750\""},
        error_case{"listen_host_name", "listen = [\"relay.example.net:4750\"]",
                   "relay.toml:1:11: 'listen[0]' must be IPV4:PORT or [IPV6]:PORT with a numeric address and PORT 0-65535, "
                   "got \"relay.example.net:4750\""},
        error_case{"listen_ipv6_unbracketed", "listen = [\"::1:4750\"]",
                   "relay.toml:1:11: 'listen[0]' must be IPV4:PORT or [IPV6]:PORT with a numeric address and PORT 0-65535, "
                   "got \"::1:4750\""},
        error_case{"listen_ipv4_bracketed", "listen = [\"[192.0.2.1]:4750\"]",
                   "relay.toml:1:11: 'listen[0]' must be IPV4:PORT or [IPV6]:PORT with a numeric address and PORT 0-65535, "
                   "got \"[192.0.2.1]:4750\""},
        error_case{"listen_empty_string", "listen = [\"\"]",
                   "relay.toml:1:11: 'listen[0]' must not be empty"},
        error_case{"listen_none", "listen = []",
                   "relay.toml:1:10: 'listen' must name at least one address"},
        error_case{"token_padded", "tokens = [\"secret\\n\"]",
                   "relay.toml:1:11: 'tokens[0]' must not start or end with whitespace, got "
                   "\"secret\\n\""}),
    test::case_name);

INSTANTIATE_TEST_SUITE_P(
    UnknownKey, RelayConfigError,
    ::testing::Values(
        error_case{"top_level", "listen = [\"0.0.0.0:4750\"]\nlisten_address = \"x\"",
                   "relay.toml:2:1: unknown key 'listen_address' (expected one of: limits, "
                   "listen, log_format, metrics, sweep, timeouts, tokens)"},
        error_case{"in_timeouts", "[timeouts]\nsession_ms = 1000\nsesion_ms = 1000",
                   "relay.toml:3:1: unknown key 'timeouts.sesion_ms' (expected one of: "
                   "banner_ms, connect_max_ms, connect_min_ms, connect_ms, hello_ms, idle_ms, "
                   "request_ms, session_ms)"},
        error_case{"in_limits", "[limits]\nsessions = 4",
                   "relay.toml:2:1: unknown key 'limits.sessions' (expected one of: "
                   "ipv4_prefix, ipv6_prefix, probes_per_minute, sessions_per_ip, "
                   "sessions_total)"},
        error_case{"in_sweep_dotted", "sweep.ttl = 8",
                   "relay.toml:1:7: unknown key 'sweep.ttl' (expected one of: enabled, "
                   "hop_timeout_max_ms, hop_timeout_min_ms, hop_timeout_ms, max_ttl, retries)"},
        error_case{"whole_table", "[timeout]\nsession_ms = 1000",
                   "relay.toml:1:2: unknown key 'timeout' (expected one of: limits, listen, "
                   "log_format, metrics, sweep, timeouts, tokens)"}),
    test::case_name);

}  // namespace
}  // namespace reachback::config::relay_config_test

// SPDX-License-Identifier: MIT
#include "config/client_config.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "config/seconds_range.hpp"
#include "config_test_support.hpp"

namespace reachback::config {
namespace {

using namespace std::chrono_literals;
using test::error_case;
using test::error_message;

constexpr std::string_view source = "client.toml";

client_config parse(std::string_view text, client_config base = {}) {
  return parse_client_config(text, source, std::move(base));
}

TEST(ClientConfig, ExampleFileParses) {
  const auto config = load_client_config(REACHBACK_CONFIG_DIR "/client.example.toml");
  EXPECT_EQ(config.relay, "relay.example.net:4750");
  EXPECT_EQ(config.timeout, 10s);
  EXPECT_EQ(config.token, std::nullopt);
}

TEST(ClientConfig, EmptyTextGivesTheDefaults) {
  const auto config = parse("");
  EXPECT_EQ(config, client_config{});
  EXPECT_EQ(config.relay, std::nullopt);
  EXPECT_EQ(config.timeout, 10s);
  EXPECT_EQ(config.token, std::nullopt);
}

TEST(ClientConfig, ReadsEveryKey) {
  const auto config =
      parse("relay = \"[2001:db8::1]:4800\"\ntimeout_seconds = 30\ntoken = \"s3cret\"\n");
  EXPECT_EQ(config, (client_config{"[2001:db8::1]:4800", 30s, "s3cret"}));
}

TEST(ClientConfig, TimeoutSecondsMayBeFractional) {
  EXPECT_EQ(parse("timeout_seconds = 2.5").timeout, 2500ms);
  EXPECT_EQ(parse("timeout_seconds = 0.1").timeout, 100ms);
  EXPECT_EQ(parse("timeout_seconds = 600").timeout, 600s);
}

// Truncating would make this 1000 ms: 1.001 * 1000 is 1000.999... in binary.
TEST(ClientConfig, TimeoutSecondsRoundToTheNearestMillisecond) {
  EXPECT_EQ(parse("timeout_seconds = 1.001").timeout, 1001ms);
}

/// One boundary case of the timeout rule that every layer (flag, environment, TOML) follows.
struct timeout_case {
  std::string name;
  double seconds = 0;
  std::optional<std::chrono::milliseconds> expected;  ///< nullopt: refused
  friend std::ostream& operator<<(std::ostream& out, const timeout_case& c) { return out << c.name; }
};

class ClientTimeoutRange : public ::testing::TestWithParam<timeout_case> {};

TEST_P(ClientTimeoutRange, BoundsAndRounding) {
  EXPECT_EQ(client_timeout_range.to_milliseconds(GetParam().seconds), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClientTimeoutRange,
    ::testing::Values(timeout_case{"lowest_bound_is_accepted", 0.1, 100ms},
                      timeout_case{"just_below_lowest_is_refused", 0.0999, std::nullopt},
                      timeout_case{"zero_is_refused", 0, std::nullopt},
                      timeout_case{"negative_is_refused", -1, std::nullopt},
                      timeout_case{"highest_bound_is_accepted", 600, 600s},
                      timeout_case{"just_above_highest_is_refused", 600.001, std::nullopt},
                      timeout_case{"nan_is_refused", std::nan(""), std::nullopt},
                      timeout_case{"infinity_is_refused", std::numeric_limits<double>::infinity(),
                                   std::nullopt},
                      timeout_case{"binary_fraction_below_rounds_up", 1.001, 1001ms},
                      timeout_case{"below_half_a_millisecond_rounds_down", 2.5004, 2500ms},
                      timeout_case{"above_half_a_millisecond_rounds_up", 2.5006, 2501ms}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(ClientTimeoutRange, TextsNameBothBounds) {
  EXPECT_EQ(client_timeout_range.text(), "0.1-600");
  EXPECT_EQ(client_timeout_range.between(), "between 0.1 and 600");
}

TEST(ClientConfig, RelayPortIsOptional) {
  EXPECT_EQ(parse("relay = \"relay.example.net\"").relay, "relay.example.net");
}

TEST(ClientConfig, FileOverlaysOnlyTheKeysItHas) {
  const client_config base{"base.example.net", 5s, "base-token"};
  const auto config = parse("relay = \"file.example.net:4750\"", base);
  EXPECT_EQ(config, (client_config{"file.example.net:4750", 5s, "base-token"}));
}

TEST(ClientConfig, LoadOverlaysOntoBase) {
  const test::scratch_dir dir;
  const auto file = dir.write("client.toml", "timeout_seconds = 3\n");
  const auto config = load_client_config(file, client_config{"base.example.net", 5s, "t"});
  EXPECT_EQ(config, (client_config{"base.example.net", 3s, "t"}));
}

TEST(ClientConfig, MissingFileNamesFileAndReason) {
  const test::scratch_dir dir;
  const auto file = dir.path() / "client.toml";
  EXPECT_EQ(error_message([&] { (void)load_client_config(file); }),
            "cannot open " + file.string() + ": No such file or directory");
}

// Root ignores chmod 000, so a directory stands in for an unreadable file.
TEST(ClientConfig, UnreadableFileNamesFileAndReason) {
  const test::scratch_dir dir;
  EXPECT_EQ(error_message([&] { (void)load_client_config(dir.path()); }),
            "cannot read " + dir.path().string() + ": Is a directory");
}

TEST(ClientConfig, MalformedTomlNamesFileLineAndColumn) {
  const auto message = error_message([] { (void)parse("relay = \"unterminated\n"); });
  EXPECT_EQ(message.rfind("client.toml:1:", 0), 0U) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

class ClientConfigError : public ::testing::TestWithParam<error_case> {};

TEST_P(ClientConfigError, NamesFileKeyLineAndColumn) {
  const auto message = error_message([] { (void)parse(GetParam().toml); });
  EXPECT_EQ(message, GetParam().message);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    WrongType, ClientConfigError,
    ::testing::Values(
        error_case{"relay_integer", "relay = 4750",
                   "client.toml:1:9: expected a string for 'relay', got an integer"},
        error_case{"relay_array", "relay = [\"relay.example.net\"]",
                   "client.toml:1:9: expected a string for 'relay', got an array"},
        error_case{"timeout_seconds_string", "timeout_seconds = \"10\"",
                   "client.toml:1:19: expected a number for 'timeout_seconds', got a string"},
        error_case{"timeout_seconds_boolean", "timeout_seconds = true",
                   "client.toml:1:19: expected a number for 'timeout_seconds', got a boolean"},
        error_case{"token_integer", "relay = \"r.example.net\"\ntoken = 1234",
                   "client.toml:2:9: expected a string for 'token', got an integer"},
        error_case{"token_table", "[token]\nvalue = \"x\"",
                   "client.toml:1:1: expected a string for 'token', got a table"}),
    test::case_name);

INSTANTIATE_TEST_SUITE_P(
    OutOfRange, ClientConfigError,
    ::testing::Values(
        error_case{"timeout_seconds_zero", "timeout_seconds = 0",
                   "client.toml:1:19: 'timeout_seconds' must be between 0.1 and 600, got 0"},
        error_case{"timeout_seconds_negative", "timeout_seconds = -5",
                   "client.toml:1:19: 'timeout_seconds' must be between 0.1 and 600, got -5"},
        error_case{"timeout_seconds_too_short", "timeout_seconds = 0.05",
                   "client.toml:1:19: 'timeout_seconds' must be between 0.1 and 600, got 0.05"},
        error_case{"timeout_seconds_too_long", "timeout_seconds = 601",
                   "client.toml:1:19: 'timeout_seconds' must be between 0.1 and 600, got 601"},
        error_case{"timeout_seconds_nan", "timeout_seconds = nan",
                   "client.toml:1:19: 'timeout_seconds' must be between 0.1 and 600, got nan"},
        error_case{"relay_empty", "relay = \"\"", "client.toml:1:9: 'relay' must not be empty"},
        error_case{"relay_port_too_big", "relay = \"relay.example.net:65536\"",
                   "client.toml:1:9: 'relay' must be HOST[:PORT] with PORT 1-65535, got "
                   "\"relay.example.net:65536\""},
        error_case{"relay_port_zero", "relay = \"relay.example.net:0\"",
                   "client.toml:1:9: 'relay' must be HOST[:PORT] with PORT 1-65535, got "
                   "\"relay.example.net:0\""},
        error_case{"token_padded", "token = \" s3cret\"",
                   "client.toml:1:9: 'token' must not start or end with whitespace, got "
                   "\" s3cret\""}),
    test::case_name);

INSTANTIATE_TEST_SUITE_P(
    UnknownKey, ClientConfigError,
    ::testing::Values(error_case{"timeout", "relay = \"r.example.net\"\ntimeout = 10",
                                 "client.toml:2:1: unknown key 'timeout' (expected one of: "
                                 "relay, timeout_seconds, token)"},
                      error_case{"table", "[relay_settings]\nhost = \"x\"",
                                 "client.toml:1:2: unknown key 'relay_settings' (expected one "
                                 "of: relay, timeout_seconds, token)"}),
    test::case_name);

}  // namespace
}  // namespace reachback::config

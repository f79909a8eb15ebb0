// SPDX-License-Identifier: MIT
#include "client/options.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "tests/support/scratch_dir.hpp"

namespace reachback::client {
namespace {

using namespace std::chrono_literals;

struct parse_run {
  parsed_options parsed;
  std::string out;
  std::string err;
};

parse_run parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  std::vector<const char*> argv = {"probe-client"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const env_lookup lookup = [&env](const char* name) -> std::optional<std::string> {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto parsed = parse_options(static_cast<int>(argv.size()), argv.data(), out, err, lookup);
  return {std::move(parsed), out.str(), err.str()};
}

/// A client.toml with `text`, new for each call, in a directory that the
/// test process removes when it exits.
std::string config_file(const std::string& text) {
  static const reachback::test::scratch_dir dir;
  static int written = 0;
  return dir.write("client-" + std::to_string(++written) + ".toml", text).string();
}

TEST(options, relay_default_port_and_defaults) {
  const auto r = parse({"--relay", "relay.example.net", "--port", "3000", "--config", config_file("")});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->relay, (host_port{"relay.example.net", 4750}));
  EXPECT_EQ(r.parsed.options->port, 3000);
  EXPECT_EQ(r.parsed.options->mode, probe_mode::automatic);
  EXPECT_EQ(r.parsed.options->timeout, 10s);
  EXPECT_EQ(r.parsed.options->protocol, transport::tcp);
  EXPECT_FALSE(r.parsed.options->json);
}

TEST(options, udp_probes_the_udp_port_in_any_mode) {
  const auto file = config_file("relay = \"r\"\n");
  for (const auto* mode : {"--listen", "--service"}) {
    const auto r = parse({"--port", "5353", "--config", file, "--udp", mode});
    ASSERT_TRUE(r.parsed.options) << r.err;
    EXPECT_EQ(r.parsed.options->protocol, transport::udp) << mode;
  }
}

TEST(options, help_documents_udp) {
  const auto r = parse({"--help"});
  EXPECT_NE(r.out.find("--udp"), std::string::npos);
  EXPECT_NE(r.out.find("udp_probe"), std::string::npos);
}

struct family_case {
  std::string name;
  std::vector<std::string> flags;
  family_choice families;
  friend void PrintTo(const family_case& c, std::ostream* os) { *os << c.name; }
};

class options_families : public testing::TestWithParam<family_case> {};

TEST_P(options_families, choose_the_ip_families) {
  std::vector<std::string> args = {"--relay", "r", "--port", "3000", "--config", config_file("")};
  args.insert(args.end(), GetParam().flags.begin(), GetParam().flags.end());
  const auto r = parse(args);
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->families, GetParam().families);
}

INSTANTIATE_TEST_SUITE_P(flags, options_families,
                         testing::Values(family_case{"both_by_default", {}, family_choice::both},
                                         family_case{"dash_4_is_ipv4_only", {"-4"}, family_choice::ipv4_only},
                                         family_case{"dash_6_is_ipv6_only", {"-6"}, family_choice::ipv6_only}),
                         [](const testing::TestParamInfo<family_case>& p) { return p.param.name; });

TEST(options, help_documents_dash_4_and_dash_6) {
  const auto r = parse({"--help"});
  for (const auto* text : {"\n  -4 ", "Test IPv4 only", "\n  -6 ", "Test IPv6 only"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
}

TEST(options, modes) {
  const auto file = config_file("relay = \"r\"\n");
  EXPECT_EQ(parse({"--port", "1", "--config", file, "--listen"}).parsed.options->mode, probe_mode::listen);
  EXPECT_EQ(parse({"--port", "1", "--config", file, "--service"}).parsed.options->mode, probe_mode::service);
}

TEST(options, file_then_environment_then_flags) {
  const auto file = config_file("relay = \"file.example:1\"\ntimeout_seconds = 5\ntoken = \"file-token\"\n");
  auto r = parse({"--port", "3000", "--config", file});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->relay.host, "file.example");
  EXPECT_EQ(r.parsed.options->timeout, 5s);
  EXPECT_EQ(r.parsed.options->token, "file-token");

  r = parse({"--port", "3000", "--config", file},
            {{"REACHBACK_RELAY", "env.example:2"}, {"REACHBACK_TIMEOUT", "7"}, {"REACHBACK_TOKEN", "env-token"}});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->relay, (host_port{"env.example", 2}));
  EXPECT_EQ(r.parsed.options->timeout, 7s);
  EXPECT_EQ(r.parsed.options->token, "env-token");

  r = parse({"--port", "3000", "--config", file, "--relay", "flag.example", "--timeout", "1.5", "--token", "t"},
            {{"REACHBACK_RELAY", "env.example:2"}, {"REACHBACK_TIMEOUT", "7"}});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->relay, (host_port{"flag.example", 4750}));
  EXPECT_EQ(r.parsed.options->timeout, 1500ms);
  EXPECT_EQ(r.parsed.options->token, "t");
}

// One rule for all three layers: 1.001 s is 1001 ms (truncating gave 1000).
TEST(options, flag_environment_and_file_round_the_timeout_alike) {
  const auto file = config_file("relay = \"r\"\ntimeout_seconds = 1.001\n");
  EXPECT_EQ(parse({"--port", "1", "--config", file}).parsed.options->timeout, 1001ms);
  const auto from_env = parse({"--port", "1", "--config", file}, {{"REACHBACK_TIMEOUT", "1.001"}});
  EXPECT_EQ(from_env.parsed.options->timeout, 1001ms);
  const auto from_flag = parse({"--port", "1", "--config", file, "--timeout", "1.001"});
  EXPECT_EQ(from_flag.parsed.options->timeout, 1001ms);
}

TEST(options, timeout_flag_outside_its_bounds_is_a_usage_error) {
  const auto file = config_file("relay = \"r\"\n");
  for (const auto* seconds : {"0.0999", "600.001", "nan"}) {
    const auto r = parse({"--port", "1", "--config", file, "--timeout", seconds});
    EXPECT_EQ(r.parsed.exit_code, 2) << seconds;
    EXPECT_NE(r.err.find(std::string("'") + seconds + "' is outside 0.1-600 seconds"), std::string::npos) << r.err;
  }
  const auto r = parse({"--port", "1", "--config", file}, {{"REACHBACK_TIMEOUT", "600.001"}});
  EXPECT_EQ(r.err, "probe-client: REACHBACK_TIMEOUT: expected seconds between 0.1 and 600, got '600.001'\n");
}

TEST(options, bad_environment_timeout_is_one_line_usage_error) {
  const auto r = parse({"--port", "3000", "--relay", "r", "--config", config_file("")}, {{"REACHBACK_TIMEOUT", "soon"}});
  EXPECT_FALSE(r.parsed.options);
  EXPECT_EQ(r.parsed.exit_code, 2);
  EXPECT_EQ(r.err, "probe-client: REACHBACK_TIMEOUT: expected seconds between 0.1 and 600, got 'soon'\n");
}

TEST(options, help_and_version_exit_zero_on_stdout) {
  auto r = parse({"--help"});
  EXPECT_EQ(r.parsed.exit_code, 0);
  EXPECT_NE(r.out.find("--service"), std::string::npos);
  r = parse({"--version"});
  EXPECT_EQ(r.parsed.exit_code, 0);
  EXPECT_EQ(r.out.rfind("probe-client ", 0), 0U);
  EXPECT_TRUE(r.err.empty());
}

TEST(options, fix_defaults_to_a_two_hour_lease_and_asking) {
  const auto r = parse({"--relay", "r", "--port", "3000", "--config", config_file(""), "--fix"});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->action, client_action::fix);
  EXPECT_EQ(r.parsed.options->lease_seconds, 7200u);
  EXPECT_FALSE(r.parsed.options->assume_yes);
}

TEST(options, plain_run_diagnoses) {
  const auto r = parse({"--relay", "r", "--port", "3000", "--config", config_file("")});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->action, client_action::diagnose);
}

TEST(options, fix_with_yes_and_lease) {
  auto r = parse({"--relay", "r", "--port", "3000", "--config", config_file(""), "--fix", "--yes", "--lease", "600"});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_TRUE(r.parsed.options->assume_yes);
  EXPECT_EQ(r.parsed.options->lease_seconds, 600u);
  r = parse({"--relay", "r", "--port", "3000", "--config", config_file(""), "--fix", "--lease", "0"});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->lease_seconds, 0u);
  r = parse({"--relay", "r", "--port", "3000", "--config", config_file(""), "--fix", "--lease", "604800"});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->lease_seconds, 604800u);
}

TEST(options, unfix_needs_no_relay) {
  const auto r = parse({"--port", "3000", "--config", config_file(""), "--unfix"});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->action, client_action::unfix);
  EXPECT_EQ(r.parsed.options->port, 3000);
}

/// A bad command line: no options, exit 2, one line on stderr containing `says`.
void expect_usage_error(const std::vector<std::string>& args, const std::string& says) {
  std::vector<std::string> full = {"--config", config_file("relay = \"r\"\n")};
  full.insert(full.end(), args.begin(), args.end());
  const auto r = parse(full);
  EXPECT_FALSE(r.parsed.options);
  EXPECT_EQ(r.parsed.exit_code, 2);
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
}

TEST(options, yes_without_fix_is_a_usage_error) { expect_usage_error({"--port", "3000", "--yes"}, "--fix"); }

TEST(options, lease_without_fix_is_a_usage_error) {
  expect_usage_error({"--port", "3000", "--lease", "600"}, "--fix");
}

TEST(options, yes_with_unfix_is_a_usage_error) { expect_usage_error({"--port", "3000", "--unfix", "--yes"}, "--fix"); }

TEST(options, fix_and_unfix_exclude_each_other) {
  expect_usage_error({"--port", "3000", "--fix", "--unfix"}, "excludes");
}

TEST(options, dash_4_and_dash_6_exclude_each_other) {
  for (const auto& both : std::vector<std::vector<std::string>>{{"-4", "-6"}, {"-6", "-4"}, {"-46"}}) {
    SCOPED_TRACE(testing::PrintToString(both));
    std::vector<std::string> args = {"--port", "3000"};
    args.insert(args.end(), both.begin(), both.end());
    expect_usage_error(args, "-4 excludes -6");
  }
}

TEST(options, unfix_without_port_is_a_usage_error) { expect_usage_error({"--unfix"}, "--port"); }

TEST(options, lease_that_is_not_a_number) {
  expect_usage_error({"--port", "3000", "--fix", "--lease", "soon"}, "'soon' is not a whole number of seconds");
}

TEST(options, lease_with_a_fraction) {
  expect_usage_error({"--port", "3000", "--fix", "--lease", "1.5"}, "'1.5' is not a whole number of seconds");
}

TEST(options, negative_lease) {
  expect_usage_error({"--port", "3000", "--fix", "--lease", "-1"}, "--lease");
}

TEST(options, lease_over_a_week) {
  expect_usage_error({"--port", "3000", "--fix", "--lease", "604801"}, "'604801' is outside 0-604800 seconds");
}

TEST(options, huge_lease) {
  expect_usage_error({"--port", "3000", "--fix", "--lease", "99999999999999999999"}, "is not a whole number of seconds");
}

TEST(options, help_documents_fix_and_its_exit_codes) {
  const auto r = parse({"--help"});
  for (const auto* text : {"--fix", "--unfix", "--yes", "--lease", "4  --fix made no change", "5  --fix: a mapping failed"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
}

}  // namespace
}  // namespace reachback::client

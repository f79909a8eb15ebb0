// SPDX-License-Identifier: MIT
#include "client/options.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

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

std::string config_file(const std::string& text) {
  const auto path = testing::TempDir() + "client_options_test.toml";
  std::ofstream(path) << text;
  return path;
}

TEST(options, relay_default_port_and_defaults) {
  const auto r = parse({"--relay", "relay.example.net", "--port", "3000", "--config", config_file("")});
  ASSERT_TRUE(r.parsed.options) << r.err;
  EXPECT_EQ(r.parsed.options->relay, (host_port{"relay.example.net", 4750}));
  EXPECT_EQ(r.parsed.options->port, 3000);
  EXPECT_EQ(r.parsed.options->mode, probe_mode::automatic);
  EXPECT_EQ(r.parsed.options->timeout, 10s);
  EXPECT_FALSE(r.parsed.options->json);
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

}  // namespace
}  // namespace reachback::client

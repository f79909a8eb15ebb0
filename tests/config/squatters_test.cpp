// SPDX-License-Identifier: MIT
#include "config/squatters.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config_test_support.hpp"

namespace reachback::config::squatters_test {
namespace {

using test::error_case;
using test::error_message;

constexpr std::string_view source = "squatters.toml";

port_owner owner(std::string name, int pid = 1234, std::string unit = {}) {
  port_owner result;
  result.pid = pid;
  result.name = std::move(name);
  result.unit = std::move(unit);
  return result;
}

std::optional<std::string> matched_id(const squatter_table& table,
                                      const std::vector<port_owner>& owners, std::uint16_t port,
                                      transport protocol = transport::tcp) {
  const auto match = match_squatter(table, owners, port, protocol);
  return match ? std::optional(match->id) : std::nullopt;
}

// A table of the matcher's own, so these tests don't move with the shipped data.
const squatter_table& test_table() {
  static const auto table = parse_squatters(R"(
[[squatter]]
id = "by-name"
process_names = ["Flask-Server", "com.example.long-name"]
description = "a dev server on {port}"
fix = ["stop it", "or pick another port than {port}; {port} is taken"]

[[squatter]]
id = "by-unit"
units = ["example.service"]
description = "a unit"
fix = ["systemctl stop example.service"]

[[squatter]]
id = "by-pid"
pid = 4
description = "pid four"
fix = ["look at pid 4"]

[[squatter]]
id = "by-port"
process_names = ["portsy"]
ports = [5000, 7000]
description = "only some ports"
fix = ["turn it off"]

[[squatter]]
id = "udp-only"
protocol = "udp"
process_names = ["datagrammer", "Flask-Server"]
description = "a UDP service"
fix = ["stop it"]
)",
                                            source);
  return table;
}

TEST(BuiltinSquatters, ShippedTableParsesAndValidates) {
  const auto& table = builtin_squatters();
  std::vector<std::string> ids;
  for (const auto& entry : table) ids.push_back(entry.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"iphlpsvc", "http.sys", "airplay", "docker-proxy", "mdns", "llmnr",
                                           "ssdp"}));
  for (const auto& entry : table) {
    EXPECT_FALSE(entry.description.empty()) << entry.id;
    EXPECT_FALSE(entry.fix.empty()) << entry.id;
  }
}

TEST(BuiltinSquatters, IsParsedOnce) { EXPECT_EQ(&builtin_squatters(), &builtin_squatters()); }

TEST(BuiltinSquatters, EmbeddedTextMatchesTheSourceFile) {
  // Proves the build regenerated the embedded copy after the last edit.
  std::ifstream file(REACHBACK_CONFIG_DIR "/squatters.toml", std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(parse_squatters(text.str(), source), builtin_squatters());
}

TEST(BuiltinSquatters, HttpSysMatchesPidFour) {
  EXPECT_EQ(matched_id(builtin_squatters(), {owner("System", 4)}, 80), "http.sys");
}

TEST(BuiltinSquatters, IpHelperMatchesItsServiceNotSvchost) {
  EXPECT_EQ(matched_id(builtin_squatters(), {owner("svchost.exe", 2960, "iphlpsvc")}, 8080),
            "iphlpsvc");
  EXPECT_EQ(matched_id(builtin_squatters(), {owner("svchost.exe", 2960, "Dnscache")}, 8080),
            std::nullopt);
}

TEST(BuiltinSquatters, IpHelperInASharedSvchostMatchesByItsHostedServices) {
  // Unelevated, Windows does not say which service owns the socket: the
  // process's services name it, unless the socket's own service is known.
  auto shared = owner("svchost.exe", 2960);
  shared.services = {{"Dnscache", "DNS Client"}, {"iphlpsvc", "IP Helper"}};
  EXPECT_EQ(matched_id(builtin_squatters(), {shared}, 3000), "iphlpsvc");
  shared.unit = "Dnscache";
  EXPECT_EQ(matched_id(builtin_squatters(), {shared}, 3000), std::nullopt);
}

TEST(BuiltinSquatters, AirPlayOnlyOnItsPorts) {
  EXPECT_EQ(matched_id(builtin_squatters(), {owner("ControlCenter")}, 5000), "airplay");
  EXPECT_EQ(matched_id(builtin_squatters(), {owner("ControlCenter")}, 7000), "airplay");
  EXPECT_EQ(matched_id(builtin_squatters(), {owner("ControlCenter")}, 8000), std::nullopt);
}

TEST(BuiltinSquatters, DockerProxyFixNamesThePort) {
  const auto match = match_squatter(builtin_squatters(), {owner("docker-proxy")}, 8443);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->id, "docker-proxy");
  EXPECT_TRUE(std::any_of(match->fix.begin(), match->fix.end(), [](const std::string& step) {
    return step.find("docker ps --filter publish=8443") != std::string::npos;
  }));
  for (const auto& step : match->fix) EXPECT_EQ(step.find("{port}"), std::string::npos) << step;
}

TEST(MatchSquatter, ByNameIgnoringCase) {
  EXPECT_EQ(matched_id(test_table(), {owner("flask-server")}, 8000), "by-name");
  EXPECT_EQ(matched_id(test_table(), {owner("FLASK-SERVER")}, 8000), "by-name");
}

TEST(MatchSquatter, ByLinuxCommNameCutAtFifteenCharacters) {
  EXPECT_EQ(matched_id(test_table(), {owner("com.example.lon")}, 8000), "by-name");
  // Shorter than a full comm name: a different process, not a truncation.
  EXPECT_EQ(matched_id(test_table(), {owner("com.example")}, 8000), std::nullopt);
}

TEST(MatchSquatter, ByUnit) {
  EXPECT_EQ(matched_id(test_table(), {owner("python3", 99, "example.service")}, 8000),
            "by-unit");
}

TEST(MatchSquatter, ByPid) {
  EXPECT_EQ(matched_id(test_table(), {owner("anything", 4)}, 80), "by-pid");
}

TEST(MatchSquatter, UnknownOwnerPidZeroNeverMatches) {
  EXPECT_EQ(matched_id(test_table(), {owner("", 0)}, 80), std::nullopt);
}

TEST(MatchSquatter, PortRestriction) {
  EXPECT_EQ(matched_id(test_table(), {owner("portsy")}, 5000), "by-port");
  EXPECT_EQ(matched_id(test_table(), {owner("portsy")}, 5001), std::nullopt);
}

TEST(MatchSquatter, AnyOwnerCanMatch) {
  EXPECT_EQ(matched_id(test_table(), {owner("nginx"), owner("Flask-Server")}, 8000), "by-name");
}

TEST(MatchSquatter, SubstitutesEveryPortPlaceholder) {
  const auto match = match_squatter(test_table(), {owner("Flask-Server")}, 8000);
  ASSERT_TRUE(match);
  EXPECT_EQ(*match, (squatter_match{"by-name", "a dev server on 8000",
                                    {"stop it", "or pick another port than 8000; 8000 is taken"}}));
}

TEST(MatchSquatter, EntriesDefaultToTcpAndMatchOnlyTheirProtocol) {
  EXPECT_EQ(matched_id(test_table(), {owner("datagrammer")}, 9000, transport::udp), "udp-only");
  EXPECT_EQ(matched_id(test_table(), {owner("datagrammer")}, 9000, transport::tcp), std::nullopt);
  // Listed in a TCP entry first: a UDP port skips it for the UDP one.
  EXPECT_EQ(matched_id(test_table(), {owner("Flask-Server")}, 9000, transport::udp), "udp-only");
  EXPECT_EQ(matched_id(test_table(), {owner("Flask-Server")}, 9000, transport::tcp), "by-name");
}

TEST(BuiltinSquatters, UdpServicesAreNamedOnTheirUdpPortsOnly) {
  struct expectation {
    port_owner holder;
    std::uint16_t port;
    std::string id;
  };
  port_owner svchost = owner("svchost.exe", 1460);
  svchost.services = {{"Dnscache", "DNS Client"}};
  const std::vector<expectation> cases = {
      {owner("avahi-daemon", 700, "avahi-daemon.service"), 5353, "mdns"},
      {owner("mDNSResponder", 180), 5353, "mdns"},
      {svchost, 5353, "mdns"},
      {svchost, 5355, "llmnr"},
      {owner("systemd-resolve", 640, "systemd-resolved.service"), 5355, "llmnr"},
      {owner("svchost.exe", 2200, "SSDPSRV"), 1900, "ssdp"},
      {owner("minissdpd", 900), 1900, "ssdp"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(matched_id(builtin_squatters(), {c.holder}, c.port, transport::udp), c.id) << c.holder.name;
    EXPECT_EQ(matched_id(builtin_squatters(), {c.holder}, c.port, transport::tcp), std::nullopt) << c.holder.name;
    EXPECT_EQ(matched_id(builtin_squatters(), {c.holder}, 40000, transport::udp), std::nullopt) << c.holder.name;
  }
}

TEST(MatchSquatter, NoMatch) {
  EXPECT_EQ(matched_id(test_table(), {owner("nginx", 77, "nginx.service")}, 80), std::nullopt);
  EXPECT_EQ(matched_id(test_table(), {}, 80), std::nullopt);
}

TEST(ParseSquatters, EmptyTextGivesAnEmptyTable) {
  EXPECT_TRUE(parse_squatters("", source).empty());
}

class SquattersError : public ::testing::TestWithParam<error_case> {};

TEST_P(SquattersError, NamesFileKeyLineAndColumn) {
  const auto message = error_message([] { (void)parse_squatters(GetParam().toml, source); });
  EXPECT_EQ(message, GetParam().message);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

// Holds everything an entry needs, so each case adds only its fault.
constexpr std::string_view entry = "[[squatter]]\nid = \"x\"\ndescription = \"d\"\nfix = [\"f\"]\n";

std::string with_entry(std::string_view extra) { return std::string(entry) + std::string(extra); }

INSTANTIATE_TEST_SUITE_P(
    Invalid, SquattersError,
    ::testing::Values(
        error_case{"squatter_integer", "squatter = 1",
                   "squatters.toml:1:12: expected an array for 'squatter', got an integer"},
        error_case{"squatter_entry_integer", "squatter = [1]",
                   "squatters.toml:1:13: expected a table for 'squatter[0]', got an integer"},
        error_case{"missing_id", "[[squatter]]\nprocess_names = [\"a\"]\n",
                   "squatters.toml:1:1: missing required key 'squatter[0].id'"},
        error_case{"no_criterion", with_entry(""),
                   "squatters.toml:2:6: 'squatter[0].id' needs at least one of process_names, "
                   "units or pid"},
        error_case{"duplicate_id", with_entry("pid = 4\n") + with_entry("pid = 5\n"),
                   "squatters.toml:7:6: 'squatter[1].id' repeats an earlier entry's id"},
        error_case{"pid_zero", with_entry("pid = 0\n"),
                   "squatters.toml:5:7: 'squatter[0].pid' must be between 1 and 2147483647, "
                   "got 0"},
        error_case{"pid_string", with_entry("pid = \"4\"\n"),
                   "squatters.toml:5:7: expected an integer for 'squatter[0].pid', got a string"},
        error_case{"port_zero", with_entry("pid = 4\nports = [80, 0]\n"),
                   "squatters.toml:6:14: 'squatter[0].ports[1]' must be between 1 and 65535, "
                   "got 0"},
        error_case{"port_too_big", with_entry("pid = 4\nports = [65536]\n"),
                   "squatters.toml:6:10: 'squatter[0].ports[0]' must be between 1 and 65535, "
                   "got 65536"},
        error_case{"process_names_string", with_entry("process_names = \"a\"\n"),
                   "squatters.toml:5:17: expected an array for 'squatter[0].process_names', got "
                   "a string"},
        error_case{"units_entry_empty", with_entry("units = [\"\"]\n"),
                   "squatters.toml:5:10: 'squatter[0].units[0]' must not be empty"},
        error_case{"fix_empty",
                   "[[squatter]]\nid = \"x\"\ndescription = \"d\"\nfix = []\npid = 4\n",
                   "squatters.toml:4:7: 'squatter[0].fix' must list at least one step"},
        error_case{"unknown_key", with_entry("pid = 4\nproces_names = [\"a\"]\n"),
                   "squatters.toml:6:1: unknown key 'squatter[0].proces_names' (expected one "
                   "of: description, fix, id, pid, ports, process_names, protocol, units)"},
        error_case{"protocol_unknown", with_entry("pid = 4\nprotocol = \"sctp\"\n"),
                   "squatters.toml:6:12: 'squatter[0].protocol' must be \"tcp\" or \"udp\", got \"sctp\""},
        error_case{"unknown_top_level", "[[squatters]]\nid = \"x\"\n",
                   "squatters.toml:1:3: unknown key 'squatters' (expected one of: squatter)"}),
    test::case_name);

}  // namespace
}  // namespace reachback::config::squatters_test

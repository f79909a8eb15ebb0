// SPDX-License-Identifier: MIT
#include "config/fixes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>

#include "common/verdict_engine.hpp"
#include "config_test_support.hpp"

namespace reachback::config::fixes_test {
namespace {

using test::error_case;
using test::error_message;

constexpr std::string_view source = "fixes.toml";

// A catalogue of the parser's own, so these tests don't move with the engine.
const std::vector<fix_spec> catalogue = {{"alpha", {"port", "unit"}}, {"beta", {"port"}}};

std::string fix_table(std::string_view id, std::string_view step = "s") {
  const auto quoted = "[\"" + std::string(step) + "\"]";
  return "[" + std::string(id) + "]\nlinux = " + quoted + "\nwindows = " + quoted + "\nmacos = " + quoted + "\n";
}

fix_book parse(const std::string& text) { return parse_fixes(text, source, catalogue); }

TEST(BuiltinFixes, ShippedBookHasEveryFixOfTheEngineOnEveryOs) {
  const auto& book = builtin_fixes();
  EXPECT_EQ(book.fixes.size(), fix_catalogue().size());
  for (const auto& spec : fix_catalogue()) {
    const auto found = book.fixes.find(spec.id);
    ASSERT_NE(found, book.fixes.end()) << spec.id;
    for (const auto os : {host_os::linux_host, host_os::windows_host, host_os::macos_host}) {
      EXPECT_FALSE(found->second.on(os).empty()) << spec.id;
    }
  }
}

TEST(BuiltinFixes, IsParsedOnce) { EXPECT_EQ(&builtin_fixes(), &builtin_fixes()); }

TEST(BuiltinFixes, EmbeddedTextMatchesTheSourceFile) {
  // Proves the build regenerated the embedded copy after the last edit.
  std::ifstream file(REACHBACK_CONFIG_DIR "/fixes.toml", std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(parse_fixes(text.str(), source, fix_catalogue()), builtin_fixes());
}

bool mentions_any(const std::vector<std::string>& steps, std::initializer_list<const char*> words) {
  for (const auto& step : steps)
    for (const auto* word : words)
      if (step.find(word) != std::string::npos) return true;
  return false;
}

TEST(BuiltinFixes, EachOsGetsItsOwnCommands) {
  for (const auto& [id, steps] : builtin_fixes().fixes) {
    EXPECT_FALSE(mentions_any(steps.windows_steps, {"sudo", "systemctl", "setcap", "ufw", "CAP_NET_RAW", "launchctl"}))
        << id;
    EXPECT_FALSE(mentions_any(steps.linux_steps, {"PowerShell", "netsh", "launchctl", "socketfilterfw"})) << id;
    EXPECT_FALSE(mentions_any(steps.macos_steps, {"PowerShell", "netsh", "systemctl", "setcap", "ufw"})) << id;
  }
}

TEST(BuiltinFixes, WindowsFixesCarryTheIssuesCommands) {
  const auto& book = builtin_fixes().fixes;
  EXPECT_TRUE(mentions_any(book.at("portproxy_delete").windows_steps,
                           {"netsh interface portproxy delete {kind} listenport={listen_port} "
                            "listenaddress={listen_address}"}));
  EXPECT_TRUE(mentions_any(book.at("firewall_allow").windows_steps,
                           {"New-NetFirewallRule -DisplayName \"reachback {port}\" -Direction Inbound -Protocol {protocol} "
                            "-LocalPort {port} -Action Allow -Profile Any"}));
  EXPECT_TRUE(mentions_any(book.at("stop_service").windows_steps, {"Stop-Service -Name {unit}", "sc.exe stop {unit}"}));
  EXPECT_TRUE(mentions_any(book.at("stop_process").windows_steps, {"Stop-Process -Id {pid}"}));
  EXPECT_TRUE(mentions_any(book.at("get_capture").windows_steps, {"-LogBlocked True"}));
}

TEST(ParseFixes, ReadsTheStepsOfEachOs) {
  const auto book = parse(
      "[alpha]\nlinux = [\"l1 {port}\", \"l2\"]\nwindows = [\"w {unit}\"]\nmacos = [\"m\"]\n" + fix_table("beta"));
  const os_steps alpha{{"l1 {port}", "l2"}, {"w {unit}"}, {"m"}};
  EXPECT_EQ(book.fixes.at("alpha"), alpha);
  EXPECT_EQ(book.fixes.at("alpha").on(host_os::windows_host), alpha.windows_steps);
  EXPECT_EQ(book.fixes.at("alpha").on(host_os::macos_host), alpha.macos_steps);
  EXPECT_EQ(book.fixes.at("alpha").on(host_os::linux_host), alpha.linux_steps);
  EXPECT_EQ(book.fixes.size(), 2U);
}

TEST(ParseFixes, BracesAroundOtherThanANameAreText) {
  const auto book = parse(fix_table("alpha", "Get-NetFirewallRule | Where-Object { $_.Enabled } {} {port}") +
                          fix_table("beta"));
  EXPECT_EQ(book.fixes.at("alpha").windows_steps.front(), "Get-NetFirewallRule | Where-Object { $_.Enabled } {} {port}");
}

class FixesError : public ::testing::TestWithParam<error_case> {};

TEST_P(FixesError, NamesFileKeyLineAndColumn) {
  const auto message = error_message([] { (void)parse(GetParam().toml); });
  EXPECT_EQ(message, GetParam().message);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Invalid, FixesError,
    ::testing::Values(
        error_case{"missing_fix", fix_table("alpha"), "fixes.toml:1:1: missing required key 'beta'"},
        error_case{"unknown_fix", fix_table("alpha") + fix_table("beta") + fix_table("gamma"),
                   "fixes.toml:9:2: unknown key 'gamma' (expected one of: alpha, beta)"},
        error_case{"misspelt_id_is_named_before_the_missing_one", fix_table("alpha") + fix_table("betta"),
                   "fixes.toml:5:2: unknown key 'betta' (expected one of: alpha, beta)"},
        error_case{"fix_not_a_table", "alpha = 1\n" + fix_table("beta"),
                   "fixes.toml:1:9: expected a table for 'alpha', got an integer"},
        error_case{"missing_os", "[alpha]\nlinux = [\"l\"]\nwindows = [\"w\"]\n" + fix_table("beta"),
                   "fixes.toml:1:1: missing required key 'alpha.macos'"},
        error_case{"unknown_os", fix_table("alpha") + "bsd = [\"b\"]\n" + fix_table("beta"),
                   "fixes.toml:5:1: unknown key 'alpha.bsd' (expected one of: linux, macos, windows)"},
        error_case{"no_steps", "[alpha]\nlinux = [\"l\"]\nwindows = []\nmacos = [\"m\"]\n" + fix_table("beta"),
                   "fixes.toml:3:11: 'alpha.windows' must list at least one step"},
        error_case{"empty_step", "[alpha]\nlinux = [\"l\"]\nwindows = [\"\"]\nmacos = [\"m\"]\n" + fix_table("beta"),
                   "fixes.toml:3:12: 'alpha.windows[0]' must not be empty"},
        error_case{"steps_not_an_array", "[alpha]\nlinux = \"l\"\nwindows = [\"w\"]\nmacos = [\"m\"]\n" + fix_table("beta"),
                   "fixes.toml:2:9: expected an array for 'alpha.linux', got a string"},
        error_case{"unknown_placeholder",
                   "[alpha]\nlinux = [\"ok {port}\", \"{prot}\"]\nwindows = [\"w\"]\nmacos = [\"m\"]\n" +
                       fix_table("beta"),
                   "fixes.toml:2:9: 'alpha.linux' step 2 uses {prot}, which this fix does not fill in (it fills in: "
                   "port, unit)"},
        error_case{"placeholder_of_another_fix", fix_table("alpha") + fix_table("beta", "stop {unit}"),
                   "fixes.toml:6:9: 'beta.linux' step 1 uses {unit}, which this fix does not fill in (it fills in: "
                   "port)"},
        error_case{"capitalised_placeholder", fix_table("alpha", "{Port}") + fix_table("beta"),
                   "fixes.toml:2:9: 'alpha.linux' step 1 uses {Port}, which this fix does not fill in (it fills in: "
                   "port, unit)"},
        error_case{"toml_syntax", "[alpha\n", "fixes.toml:1:7: Error while parsing table header: expected ']', saw '\\n'"}),
    test::case_name);

}  // namespace
}  // namespace reachback::config::fixes_test

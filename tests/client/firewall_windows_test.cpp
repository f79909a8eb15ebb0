// SPDX-License-Identifier: MIT
// Runs under Wine: Wine stubs Windows Defender Firewall's COM interface
// (E_NOTIMPL), so these tests check the failure report, the registry
// lookup of the logging settings and the reading of a log file. The
// evaluation itself is tested on fixtures in firewall_policy_test.cpp.
#include "client/platform/firewall.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "client/platform/wide_text_windows.hpp"
#include "windows_test_support.hpp"

namespace reachback::client::platform {
namespace {

using test::running_under_wine;

const std::string relay = "203.0.113.7";
const std::string program = "C:\\reachback\\probe-client.exe";

const std::string log_header =
    "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n"
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack "
    "tcpwin icmptype icmpcode info path\r\n\r\n";
const std::string relay_drop =
    "2026-12-01 10:00:00 DROP TCP 203.0.113.7 192.168.1.20 40000 3000 60 S 1234 0 64240 - - - RECEIVE\r\n";
const std::string other_drop =
    "2026-12-01 10:00:01 DROP UDP 192.168.1.5 255.255.255.255 68 67 328 - - - - - - - RECEIVE\r\n";

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string temp_file(const std::string& name) {
  std::wstring dir(MAX_PATH + 1, L'\0');
  dir.resize(GetTempPathW(static_cast<DWORD>(dir.size()), dir.data()));
  return narrow(dir) + name;
}

// The evidence of a firewall that logs dropped packets to `path`.
host_firewall_evidence logging_to(const std::string& path) {
  host_firewall_evidence evidence;
  evidence.logging_dropped = true;
  evidence.log_path = path;
  return evidence;
}

// A log file that exists for one test.
class log_file {
 public:
  log_file(const std::string& name, const std::string& content) : path_(temp_file(name)) {
    std::ofstream out(widen(path_).c_str(), std::ios::binary);
    out << content;
  }
  ~log_file() { DeleteFileW(widen(path_).c_str()); }
  log_file(const log_file&) = delete;
  log_file& operator=(const log_file&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Creates an HKLM key tree below `root` (which must not exist yet) and
// removes it again. Only ever used under Wine: the tests never touch a real
// machine's firewall settings.
class scoped_registry {
 public:
  explicit scoped_registry(std::wstring root) : root_(std::move(root)) {
    HKEY key = nullptr;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, root_.c_str(), 0, KEY_READ, &key) == ERROR_SUCCESS) {
      RegCloseKey(key);
      root_.clear();  // someone else's key: leave it alone
    }
  }
  ~scoped_registry() {
    if (!root_.empty()) RegDeleteTreeW(HKEY_LOCAL_MACHINE, root_.c_str());
  }
  scoped_registry(const scoped_registry&) = delete;
  scoped_registry& operator=(const scoped_registry&) = delete;

  [[nodiscard]] bool owned() const { return !root_.empty(); }

  bool set_dword(const std::wstring& key, const wchar_t* name, DWORD value) {
    return RegSetKeyValueW(HKEY_LOCAL_MACHINE, key.c_str(), name, REG_DWORD, &value, sizeof(value)) ==
           ERROR_SUCCESS;
  }
  bool set_expand_string(const std::wstring& key, const wchar_t* name, const std::wstring& value) {
    return RegSetKeyValueW(HKEY_LOCAL_MACHINE, key.c_str(), name, REG_EXPAND_SZ, value.c_str(),
                           static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t))) == ERROR_SUCCESS;
  }

 private:
  std::wstring root_;
};

const std::wstring policy_root = L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall";
const std::wstring local_root = L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess";
const std::wstring local_logging =
    local_root + L"\\Parameters\\FirewallPolicy\\StandardProfile\\Logging";

TEST(firewall_windows, wine_com_failure_is_reported_with_how_to_get_the_evidence) {
  ASSERT_TRUE(running_under_wine()) << "Wine-specific: Windows implements INetFwPolicy2";
  const auto evidence = evaluate_host_firewall(3000, program, "203.0.113.7");
  ASSERT_TRUE(evidence);
  EXPECT_FALSE(evidence->available);
  EXPECT_TRUE(starts_with(evidence->unavailable_reason,
                          "Windows Defender Firewall could not be read: "
                          "INetFwPolicy2::get_CurrentProfileTypes failed: 0x80004001"))
      << evidence->unavailable_reason;
  EXPECT_TRUE(contains(evidence->unavailable_reason, "elevated PowerShell: Get-NetConnectionProfile; "
                                                     "Get-NetFirewallProfile; Get-NetFirewallRule "
                                                     "-Direction Inbound -Enabled True"))
      << evidence->unavailable_reason;
  EXPECT_EQ(evidence->decision, firewall_decision::unknown);
  EXPECT_TRUE(evidence->active_profiles.empty());
  EXPECT_FALSE(evidence->logging_dropped);
}

TEST(firewall_windows, logging_off_gives_the_command_that_turns_it_on) {
  ASSERT_TRUE(running_under_wine()) << "Wine-specific: a real machine may log dropped packets";
  auto evidence = evaluate_host_firewall(3000, program, "203.0.113.7");
  ASSERT_TRUE(evidence);
  read_firewall_log(*evidence, relay, 3000);
  EXPECT_EQ(evidence->log_shows_drop, std::nullopt);
  EXPECT_EQ(evidence->log_unavailable_reason,
            "the firewall does not log dropped packets; to have the log on the next run, in an "
            "elevated PowerShell: Set-NetFirewallProfile -Profile Domain,Private,Public -LogBlocked "
            "True, then run probe-client again");
}

TEST(firewall_windows, logging_command_names_the_active_profile) {
  host_firewall_evidence evidence;
  evidence.active_profiles = {firewall_profile::public_profile};
  read_firewall_log(evidence, relay, 3000);
  EXPECT_TRUE(contains(evidence.log_unavailable_reason, "Set-NetFirewallProfile -Profile Public -LogBlocked True"))
      << evidence.log_unavailable_reason;
}

TEST(firewall_windows, log_file_with_the_relay_drop) {
  const log_file log("reachback_fw_drop.log", log_header + other_drop + relay_drop);
  auto evidence = logging_to(log.path());
  read_firewall_log(evidence, relay, 3000);
  EXPECT_EQ(evidence.log_shows_drop, true);
  EXPECT_EQ(evidence.log_unavailable_reason, "");
  read_firewall_log(evidence, relay, 3001);
  EXPECT_EQ(evidence.log_shows_drop, false);
}

TEST(firewall_windows, only_the_tail_of_a_long_log_is_read) {
  std::string filler;
  while (filler.size() < 300 * 1024) filler += other_drop;
  const log_file old_drop("reachback_fw_old.log", log_header + relay_drop + filler);
  auto evidence = logging_to(old_drop.path());
  read_firewall_log(evidence, relay, 3000);
  EXPECT_EQ(evidence.log_shows_drop, false);

  const log_file new_drop("reachback_fw_new.log", log_header + filler + relay_drop);
  evidence.log_path = new_drop.path();
  read_firewall_log(evidence, relay, 3000);
  EXPECT_EQ(evidence.log_shows_drop, true);
}

TEST(firewall_windows, missing_log_file_is_explained) {
  auto evidence = logging_to(temp_file("reachback_fw_missing.log"));
  read_firewall_log(evidence, relay, 3000);
  EXPECT_EQ(evidence.log_shows_drop, std::nullopt);
  EXPECT_EQ(evidence.log_unavailable_reason,
            "the firewall log " + evidence.log_path + " does not exist: the firewall has not written it");
}

TEST(firewall_windows, logging_settings_come_from_the_registry) {
  ASSERT_TRUE(running_under_wine()) << "writes HKLM: only in a Wine prefix";
  scoped_registry local(local_root);
  ASSERT_TRUE(local.owned()) << "SharedAccess key already exists";
  ASSERT_TRUE(local.set_dword(local_logging, L"LogDroppedPackets", 1));
  ASSERT_TRUE(local.set_expand_string(local_logging, L"LogFilePath",
                                      L"%systemroot%\\system32\\LogFiles\\Firewall\\private.log"));
  const auto evidence = evaluate_host_firewall(3000, program, "203.0.113.7");
  ASSERT_TRUE(evidence);
  EXPECT_TRUE(evidence->logging_dropped);
  std::wstring root(MAX_PATH, L'\0');
  root.resize(GetEnvironmentVariableW(L"SystemRoot", root.data(), static_cast<DWORD>(root.size())));
  EXPECT_EQ(evidence->log_path, narrow(root) + "\\system32\\LogFiles\\Firewall\\private.log");
}

TEST(firewall_windows, group_policy_logging_setting_wins) {
  ASSERT_TRUE(running_under_wine()) << "writes HKLM: only in a Wine prefix";
  scoped_registry local(local_root);
  scoped_registry policy(policy_root);
  ASSERT_FALSE(!local.owned() || !policy.owned()) << "firewall keys already exist";
  ASSERT_TRUE(local.set_dword(local_logging, L"LogDroppedPackets", 1));
  ASSERT_TRUE(policy.set_dword(policy_root + L"\\PrivateProfile\\Logging", L"LogDroppedPackets", 0));
  const auto evidence = evaluate_host_firewall(3000, program, "203.0.113.7");
  ASSERT_TRUE(evidence);
  EXPECT_FALSE(evidence->logging_dropped);
  EXPECT_EQ(evidence->log_path, "");
}

}  // namespace
}  // namespace reachback::client::platform

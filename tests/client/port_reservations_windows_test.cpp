// SPDX-License-Identifier: MIT
// Runs under Wine (or Windows, as administrator): seeds portproxy rules in
// the registry, reads them back through find_port_reservations, and removes
// exactly what it added.
#include "client/platform/port_reservations.hpp"

#include <gtest/gtest.h>
#include <windows.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "client/platform/wide_text_windows.hpp"

namespace reachback {

// Readable failure messages instead of byte dumps.
void PrintTo(const missing_evidence& m, std::ostream* os) { *os << m.what << ": " << m.why; }

}  // namespace reachback

namespace reachback::client::platform {
namespace {

// A port no real rule on a test machine is likely to use.
constexpr std::uint16_t seeded_port = 3000;
constexpr std::uint16_t other_port = 3001;

std::wstring rule_key(const std::wstring& kind) {
  return L"SYSTEM\\CurrentControlSet\\Services\\PortProxy\\" + kind + L"\\tcp";
}

// Writes REG_SZ values under a rule table and, on destruction, deletes them
// and any key it had to create.
class seeded_table {
 public:
  explicit seeded_table(std::wstring kind) : kind_(std::move(kind)) {
    // One level at a time, to know which keys were new and must go again.
    const std::wstring proxy = L"SYSTEM\\CurrentControlSet\\Services\\PortProxy";
    for (const auto& path : {proxy, proxy + L"\\" + kind_, rule_key(kind_)}) {
      HKEY key = nullptr;
      DWORD disposition = 0;
      const LSTATUS status =
          RegCreateKeyExW(HKEY_LOCAL_MACHINE, path.c_str(), 0, nullptr, 0, KEY_SET_VALUE, nullptr,
                          &key, &disposition);
      EXPECT_EQ(status, ERROR_SUCCESS) << narrow(path);
      if (status != ERROR_SUCCESS) return;
      if (disposition == REG_CREATED_NEW_KEY) created_.push_back(path);
      if (path == rule_key(kind_)) {
        key_ = key;
      } else {
        RegCloseKey(key);
      }
    }
  }
  ~seeded_table() {
    for (const auto& name : values_) RegDeleteValueW(key_, name.c_str());
    if (key_ != nullptr) RegCloseKey(key_);
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      RegDeleteKeyW(HKEY_LOCAL_MACHINE, it->c_str());
    }
  }
  seeded_table(const seeded_table&) = delete;
  seeded_table& operator=(const seeded_table&) = delete;

  void set(const std::wstring& name, const std::wstring& data) {
    ASSERT_NE(key_, nullptr);
    const auto bytes = static_cast<DWORD>((data.size() + 1) * sizeof(wchar_t));
    ASSERT_EQ(RegSetValueExW(key_, name.c_str(), 0, REG_SZ,
                             reinterpret_cast<const BYTE*>(data.c_str()), bytes),
              ERROR_SUCCESS);
    values_.push_back(name);
  }

  void set_dword(const std::wstring& name, DWORD data) {
    ASSERT_NE(key_, nullptr);
    ASSERT_EQ(RegSetValueExW(key_, name.c_str(), 0, REG_DWORD,
                             reinterpret_cast<const BYTE*>(&data), sizeof(data)),
              ERROR_SUCCESS);
    values_.push_back(name);
  }

 private:
  std::wstring kind_;
  HKEY key_ = nullptr;
  std::vector<std::wstring> created_;
  std::vector<std::wstring> values_;
};

// Wine's netsh accepts the command, prints nothing and exits 0, so each
// family ends as missing evidence, never as "no exclusion".
std::vector<missing_evidence> wine_netsh_missing(std::uint16_t port) {
  const auto why = [port](const std::string& family) {
    return "`netsh interface " + family +
           " show excludedportrange protocol=tcp` printed nothing we could read; run it in a "
           "terminal and look for a range holding port " +
           std::to_string(port);
  };
  return {{"excluded port ranges (IPv4)", why("ipv4")},
          {"excluded port ranges (IPv6)", why("ipv6")}};
}

TEST(port_reservations_windows, names_the_portproxy_rule_on_the_port) {
  seeded_table v4(L"v4tov4");
  v4.set(L"0.0.0.0/3000", L"172.28.160.1/3000");
  v4.set(L"0.0.0.0/8080", L"172.28.160.1/80");
  seeded_table v6(L"v6tov6");
  v6.set(L"::/3000", L"fd00::2/3000");

  const auto found = find_port_reservations(seeded_port, /*bind_refused=*/false);
  const std::vector<portproxy_rule> expected = {
      {"v4tov4", "0.0.0.0", 3000, "172.28.160.1", 3000},
      {"v6tov6", "::", 3000, "fd00::2", 3000},
  };
  EXPECT_EQ(found.portproxy, expected);
  EXPECT_FALSE(found.excluded);
  EXPECT_TRUE(found.missing.empty());
}

TEST(port_reservations_windows, another_port_has_no_rule) {
  seeded_table v4(L"v4tov4");
  v4.set(L"0.0.0.0/3000", L"172.28.160.1/3000");

  const auto found = find_port_reservations(other_port, /*bind_refused=*/false);
  EXPECT_TRUE(found.portproxy.empty());
  EXPECT_FALSE(found.excluded);
  EXPECT_TRUE(found.missing.empty());
}

TEST(port_reservations_windows, an_unreadable_rule_on_the_port_is_missing_evidence) {
  seeded_table v4(L"v4tov4");
  v4.set(L"0.0.0.0/3000", L"not a target");
  v4.set_dword(L"*/3000", 1);
  // Plainly on another port: not reported for 3000.
  v4.set(L"0.0.0.0/3001", L"garbage");

  const auto found = find_port_reservations(seeded_port, /*bind_refused=*/false);
  EXPECT_TRUE(found.portproxy.empty());
  // Registry enumeration order is the store's (Wine sorts by name); compare as sets.
  const auto by_text = [](std::vector<missing_evidence> list) {
    std::sort(list.begin(), list.end(),
              [](const auto& a, const auto& b) { return a.what + a.why < b.what + b.why; });
    return list;
  };
  const std::string path = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\PortProxy\\v4tov4\\tcp";
  auto expected = std::vector<missing_evidence>{
      {"portproxy rule", "value \"0.0.0.0/3000\" = \"not a target\" under " + path +
                             " is not LISTENADDRESS/PORT = CONNECTADDRESS/PORT; `netsh interface "
                             "portproxy show v4tov4` shows how Windows reads it"},
      {"portproxy rule", "value \"*/3000\" under " + path +
                             " is not text (REG_SZ); `netsh interface portproxy show v4tov4` "
                             "shows how Windows reads it"},
  };
  EXPECT_EQ(by_text(found.missing), by_text(expected));
}

TEST(port_reservations_windows, a_refused_bind_asks_netsh_for_the_excluded_ranges) {
  // Whatever the prefix holds, port 1 carries no seeded rule.
  const auto found = find_port_reservations(1, /*bind_refused=*/true);
  EXPECT_TRUE(found.portproxy.empty());
  EXPECT_EQ(found.missing, wine_netsh_missing(1));
}

}  // namespace
}  // namespace reachback::client::platform

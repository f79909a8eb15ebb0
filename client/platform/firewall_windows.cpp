// SPDX-License-Identifier: MIT
#include "client/platform/firewall.hpp"

#include <windows.h>
#include <netfw.h>
#include <netlistmgr.h>
#include <oleauto.h>

#include <array>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "client/platform/firewall_log.hpp"
#include "client/platform/firewall_policy.hpp"
#include "client/platform/win32_handle_windows.hpp"
#include "client/platform/wide_text_windows.hpp"

namespace reachback::client::platform {

namespace {

using variables = std::vector<std::pair<std::string, std::string>>;

// Loops over COM enumerators stop here even if an enumerator never ends
// (a real rule set has a few hundred rules, a host a few networks).
constexpr int max_rules = 100000;
constexpr int max_networks = 64;

// Owns one COM interface reference.
template <typename T>
class com_ref {
 public:
  com_ref() = default;
  ~com_ref() { reset(); }
  com_ref(const com_ref&) = delete;
  com_ref& operator=(const com_ref&) = delete;

  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  T** out() noexcept {
    reset();
    return &p_;
  }
  void reset() noexcept {
    if (p_ != nullptr) p_->Release();
    p_ = nullptr;
  }

 private:
  T* p_ = nullptr;
};

// Owns one BSTR; a null BSTR is an empty string, as COM defines it.
class bstr {
 public:
  bstr() = default;
  ~bstr() { SysFreeString(b_); }
  bstr(const bstr&) = delete;
  bstr& operator=(const bstr&) = delete;

  BSTR* out() noexcept {
    SysFreeString(b_);
    b_ = nullptr;
    return &b_;
  }
  [[nodiscard]] std::string text() const {
    return b_ == nullptr ? std::string{} : narrow(std::wstring_view(b_, SysStringLen(b_)));
  }

 private:
  BSTR b_ = nullptr;
};

// COM for this thread. A thread that already chose the other apartment
// model (RPC_E_CHANGED_MODE) can still make these calls, but must not be
// uninitialised by us.
class com_session {
 public:
  com_session() : hr_(CoInitializeEx(nullptr, COINIT_MULTITHREADED)) {}
  ~com_session() {
    if (SUCCEEDED(hr_)) CoUninitialize();
  }
  com_session(const com_session&) = delete;
  com_session& operator=(const com_session&) = delete;

  [[nodiscard]] bool usable() const noexcept { return SUCCEEDED(hr_) || hr_ == RPC_E_CHANGED_MODE; }
  [[nodiscard]] HRESULT result() const noexcept { return hr_; }

 private:
  HRESULT hr_;
};

// Records the first failed call; true when `hr` failed.
bool failed(HRESULT hr, std::string_view call, std::string& failure) {
  if (SUCCEEDED(hr)) return false;
  failure = std::string(call) + " failed: " + hresult_text(hr);
  return true;
}

std::string how_to_read_firewall() {
  return "to see it yourself, run in an elevated PowerShell: Get-NetConnectionProfile; "
         "Get-NetFirewallProfile; Get-NetFirewallRule -Direction Inbound -Enabled True | Format-Table "
         "DisplayName,Profile,Action,@{n='Ports';e={($_ | Get-NetFirewallPortFilter).LocalPort}},"
         "@{n='Program';e={($_ | Get-NetFirewallApplicationFilter).Program}}";
}

// Machine-wide variables that rule paths use. Per-user ones (%USERPROFILE%,
// %APPDATA%, %LOCALAPPDATA%, %TEMP%) are left unexpanded: they differ per
// user and the firewall service does not run as this user, so expanding
// them with our values could match a rule that does not apply.
variables machine_path_variables() {
  constexpr std::array<const wchar_t*, 11> names{
      L"SystemRoot",  L"windir",           L"SystemDrive",        L"ProgramFiles",
      L"ProgramFiles(x86)", L"ProgramW6432", L"CommonProgramFiles", L"CommonProgramFiles(x86)",
      L"ProgramData", L"ALLUSERSPROFILE",  L"PUBLIC"};
  variables vars;
  for (const auto* name : names) {
    std::array<wchar_t, MAX_PATH> value{};
    const DWORD length = GetEnvironmentVariableW(name, value.data(), static_cast<DWORD>(value.size()));
    if (length == 0 || length >= value.size()) continue;
    vars.emplace_back(narrow(name), narrow(std::wstring_view(value.data(), length)));
  }
  return vars;
}

bool read_profile(INetFwPolicy2* policy, NET_FW_PROFILE_TYPE2 type, firewall_profile_settings& settings,
                  std::string& failure) {
  VARIANT_BOOL enabled = VARIANT_FALSE;
  NET_FW_ACTION inbound = NET_FW_ACTION_BLOCK;
  VARIANT_BOOL block_all = VARIANT_FALSE;
  if (failed(policy->get_FirewallEnabled(type, &enabled), "INetFwPolicy2::get_FirewallEnabled", failure) ||
      failed(policy->get_DefaultInboundAction(type, &inbound), "INetFwPolicy2::get_DefaultInboundAction",
             failure) ||
      failed(policy->get_BlockAllInboundTraffic(type, &block_all),
             "INetFwPolicy2::get_BlockAllInboundTraffic", failure)) {
    return false;
  }
  settings.enabled = enabled != VARIANT_FALSE;
  settings.default_inbound = inbound == NET_FW_ACTION_ALLOW ? firewall_action::allow : firewall_action::block;
  settings.block_all_inbound = block_all != VARIANT_FALSE;
  return true;
}

bool read_text(HRESULT (STDMETHODCALLTYPE INetFwRule::*getter)(BSTR*), INetFwRule* rule,
               std::string& out) {
  bstr value;
  if (FAILED((rule->*getter)(value.out()))) return false;
  out = value.text();
  return true;
}

// One rule as firewall_policy models it; nullopt for a disabled or
// outbound rule, or for a rule of another protocol whose fields do not
// read (it cannot decide a TCP SYN). LocalAddresses and interface
// restrictions are not read: the SYN reaches one of this host's own
// addresses on the adapter the profile belongs to.
std::optional<firewall_rule> read_rule(INetFwRule* source, bool& ok, std::string& failure) {
  ok = true;
  VARIANT_BOOL enabled = VARIANT_FALSE;
  NET_FW_RULE_DIRECTION direction = NET_FW_RULE_DIR_OUT;
  LONG protocol = 0;
  if (failed(source->get_Enabled(&enabled), "INetFwRule::get_Enabled", failure) ||
      failed(source->get_Direction(&direction), "INetFwRule::get_Direction", failure) ||
      failed(source->get_Protocol(&protocol), "INetFwRule::get_Protocol", failure)) {
    ok = false;
    return std::nullopt;
  }
  if (enabled == VARIANT_FALSE || direction != NET_FW_RULE_DIR_IN) return std::nullopt;
  firewall_rule rule;
  rule.protocol = static_cast<int>(protocol);
  NET_FW_ACTION action = NET_FW_ACTION_BLOCK;
  LONG profiles = 0;
  VARIANT_BOOL edge = VARIANT_FALSE;
  const bool read = read_text(&INetFwRule::get_Name, source, rule.name) &&
                    read_text(&INetFwRule::get_LocalPorts, source, rule.local_ports) &&
                    read_text(&INetFwRule::get_ApplicationName, source, rule.application) &&
                    read_text(&INetFwRule::get_ServiceName, source, rule.service) &&
                    read_text(&INetFwRule::get_RemoteAddresses, source, rule.remote_addresses) &&
                    SUCCEEDED(source->get_Action(&action)) && SUCCEEDED(source->get_Profiles(&profiles)) &&
                    SUCCEEDED(source->get_EdgeTraversal(&edge));
  const bool matters = rule.protocol == protocol_tcp || rule.protocol == protocol_any;
  if (!read) {
    if (!matters) return std::nullopt;
    ok = false;
    failure = "reading inbound rule \"" + rule.name + "\" failed";
    return std::nullopt;
  }
  rule.action = action == NET_FW_ACTION_ALLOW ? firewall_action::allow : firewall_action::block;
  rule.profiles = static_cast<std::uint32_t>(profiles);
  rule.edge_traversal = edge != VARIANT_FALSE;
  return rule;
}

bool read_rules(INetFwPolicy2* policy, std::vector<firewall_rule>& rules, std::string& failure) {
  com_ref<INetFwRules> all;
  com_ref<IUnknown> enum_unknown;
  com_ref<IEnumVARIANT> items;
  if (failed(policy->get_Rules(all.out()), "INetFwPolicy2::get_Rules", failure) ||
      failed(all->get__NewEnum(enum_unknown.out()), "INetFwRules::get__NewEnum", failure) ||
      failed(enum_unknown->QueryInterface(__uuidof(IEnumVARIANT), reinterpret_cast<void**>(items.out())),
             "QueryInterface(IEnumVARIANT)", failure)) {
    return false;
  }
  for (int i = 0; i < max_rules; ++i) {
    VARIANT item;
    VariantInit(&item);
    ULONG fetched = 0;
    const HRESULT next = items->Next(1, &item, &fetched);
    if (failed(next, "IEnumVARIANT::Next", failure)) return false;
    if (next != S_OK || fetched != 1) return true;
    com_ref<INetFwRule> rule;
    HRESULT hr = E_NOINTERFACE;
    if (item.vt == VT_DISPATCH && item.pdispVal != nullptr) {
      hr = item.pdispVal->QueryInterface(__uuidof(INetFwRule), reinterpret_cast<void**>(rule.out()));
    }
    VariantClear(&item);
    if (failed(hr, "QueryInterface(INetFwRule)", failure)) return false;
    bool ok = true;
    if (auto read = read_rule(rule.get(), ok, failure)) rules.push_back(std::move(*read));
    if (!ok) return false;
  }
  failure = "the rule list did not end after " + std::to_string(max_rules) + " rules";
  return false;
}

std::optional<firewall_policy> read_policy(std::string& failure) {
  com_ref<INetFwPolicy2> policy;
  if (failed(CoCreateInstance(__uuidof(NetFwPolicy2), nullptr, CLSCTX_INPROC_SERVER,
                              __uuidof(INetFwPolicy2), reinterpret_cast<void**>(policy.out())),
             "CoCreateInstance(NetFwPolicy2)", failure)) {
    return std::nullopt;
  }
  firewall_policy out;
  LONG active = 0;
  if (failed(policy->get_CurrentProfileTypes(&active), "INetFwPolicy2::get_CurrentProfileTypes", failure) ||
      !read_profile(policy.get(), NET_FW_PROFILE2_DOMAIN, out.domain, failure) ||
      !read_profile(policy.get(), NET_FW_PROFILE2_PRIVATE, out.private_profile, failure) ||
      !read_profile(policy.get(), NET_FW_PROFILE2_PUBLIC, out.public_profile, failure) ||
      !read_rules(policy.get(), out.inbound_rules, failure)) {
    return std::nullopt;
  }
  out.active_profiles = static_cast<std::uint32_t>(active);
  out.path_variables = machine_path_variables();
  return out;
}

std::string_view category_name(NLM_NETWORK_CATEGORY category) noexcept {
  switch (category) {
    case NLM_NETWORK_CATEGORY_PRIVATE: return "Private";
    case NLM_NETWORK_CATEGORY_DOMAIN_AUTHENTICATED: return "Domain";
    case NLM_NETWORK_CATEGORY_PUBLIC: break;
  }
  return "Public";
}

// The connected networks' names ("Wi-Fi 2"), each with its category when
// there are several. Empty when the Network List Manager cannot say (Wine
// does not implement INetwork::GetName): the active profiles already give
// the category, the name only helps the user find it in Settings.
std::string network_names() {
  com_ref<INetworkListManager> manager;
  com_ref<IEnumNetworks> networks;
  if (FAILED(CoCreateInstance(__uuidof(NetworkListManager), nullptr, CLSCTX_ALL,
                              __uuidof(INetworkListManager), reinterpret_cast<void**>(manager.out()))) ||
      FAILED(manager->GetNetworks(NLM_ENUM_NETWORK_CONNECTED, networks.out()))) {
    return {};
  }
  std::vector<std::pair<std::string, std::string_view>> found;
  for (int i = 0; i < max_networks; ++i) {
    com_ref<INetwork> network;
    ULONG fetched = 0;
    if (networks->Next(1, network.out(), &fetched) != S_OK || fetched != 1) break;
    bstr name;
    NLM_NETWORK_CATEGORY category = NLM_NETWORK_CATEGORY_PUBLIC;
    if (FAILED(network->GetName(name.out())) || FAILED(network->GetCategory(&category))) continue;
    if (auto text = name.text(); !text.empty()) found.emplace_back(std::move(text), category_name(category));
  }
  if (found.size() == 1) return found.front().first;
  std::string out;
  for (const auto& [name, category] : found) {
    out += (out.empty() ? "" : ", ") + name + " (" + std::string(category) + ")";
  }
  return out;
}

// A registry value, looked up first where Group Policy puts it, then where
// the local settings keep it: a configured policy wins.
struct logging_keys {
  std::wstring policy;
  std::wstring local;
};

logging_keys keys_for(firewall_profile profile) {
  constexpr std::wstring_view policy_root = L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\";
  constexpr std::wstring_view local_root =
      L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\";
  // The local store still calls the Private profile by its pre-Vista name.
  std::wstring_view policy_name = L"PublicProfile";
  std::wstring_view local_name = L"PublicProfile";
  if (profile == firewall_profile::domain) policy_name = local_name = L"DomainProfile";
  if (profile == firewall_profile::private_profile) {
    policy_name = L"PrivateProfile";
    local_name = L"StandardProfile";
  }
  return {std::wstring(policy_root) + std::wstring(policy_name) + L"\\Logging",
          std::wstring(local_root) + std::wstring(local_name) + L"\\Logging"};
}

// ERROR_SUCCESS, ERROR_FILE_NOT_FOUND (not configured) or another error.
LSTATUS read_dword(const std::wstring& key, const wchar_t* name, DWORD& value) {
  DWORD size = sizeof(value);
  return RegGetValueW(HKEY_LOCAL_MACHINE, key.c_str(), name, RRF_RT_REG_DWORD, nullptr, &value, &size);
}

LSTATUS read_string(const std::wstring& key, const wchar_t* name, std::string& value) {
  constexpr DWORD flags = RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND;
  DWORD size = 0;
  LSTATUS status = RegGetValueW(HKEY_LOCAL_MACHINE, key.c_str(), name, flags, nullptr, nullptr, &size);
  if (status != ERROR_SUCCESS) return status;
  std::wstring buffer(size / sizeof(wchar_t) + 1, L'\0');
  size = static_cast<DWORD>(buffer.size() * sizeof(wchar_t));
  status = RegGetValueW(HKEY_LOCAL_MACHINE, key.c_str(), name, flags, nullptr, buffer.data(), &size);
  if (status != ERROR_SUCCESS) return status;
  buffer.resize(wcsnlen(buffer.c_str(), buffer.size()));
  value = narrow(buffer);
  return ERROR_SUCCESS;
}

std::string registry_failure(const std::wstring& key, const wchar_t* name, LSTATUS status) {
  return "reading HKLM\\" + narrow(key) + "\\" + narrow(name) + " failed: " +
         error_text(static_cast<DWORD>(status));
}

struct logging_settings {
  bool dropped = false;
  std::string path;
  std::string failure;
};

// Reads `name` under the policy key, then under the local key when no
// policy configures it; a failure other than "not there" fills `failure`.
template <typename T>
LSTATUS read_configured(const logging_keys& keys, const wchar_t* name, T& value, std::string& failure,
                        LSTATUS (*read)(const std::wstring&, const wchar_t*, T&)) {
  const std::wstring* key = &keys.policy;
  LSTATUS status = read(*key, name, value);
  if (status == ERROR_FILE_NOT_FOUND) {
    key = &keys.local;
    status = read(*key, name, value);
  }
  if (status != ERROR_SUCCESS && status != ERROR_FILE_NOT_FOUND) {
    failure = registry_failure(*key, name, status);
  }
  return status;
}

logging_settings read_logging(firewall_profile profile, const variables& vars) {
  const auto keys = keys_for(profile);
  logging_settings out;
  DWORD dropped = 0;
  // Not configured anywhere means Windows' default: dropped packets are not logged.
  if (read_configured(keys, L"LogDroppedPackets", dropped, out.failure, read_dword) != ERROR_SUCCESS) {
    return out;
  }
  out.dropped = dropped != 0;
  std::string path;
  const LSTATUS status = read_configured(keys, L"LogFilePath", path, out.failure, read_string);
  if (!out.failure.empty()) return out;
  if (status != ERROR_SUCCESS || path.empty()) path = default_firewall_log_path;
  out.path = expand_path_variables(path, vars);
  return out;
}

// Looks at the active profiles, or at all of them when they are not known.
void fill_logging(host_firewall_evidence& evidence, std::uint32_t profiles) {
  const auto vars = machine_path_variables();
  std::string failure;
  for (const auto profile : profiles_in(profiles)) {
    auto settings = read_logging(profile, vars);
    if (!settings.failure.empty()) {
      failure = settings.failure;
    } else if (settings.dropped) {
      evidence.logging_dropped = true;
      evidence.log_path = std::move(settings.path);
      return;
    }
  }
  if (!failure.empty()) {
    evidence.log_unavailable_reason =
        "the firewall's logging settings could not be read (" + failure +
        "); run probe-client as administrator, or check with: Get-NetFirewallProfile | Format-Table "
        "Name,LogBlocked,LogFileName";
  }
}

std::string profile_argument(const std::vector<firewall_profile>& active) {
  if (active.empty()) return "Domain,Private,Public";
  std::string out;
  for (const auto profile : active) out += (out.empty() ? "" : ",") + std::string(profile_name(profile));
  return out;
}

// The file's last firewall_log_tail_bytes, from the first whole line.
std::optional<std::string> read_tail(HANDLE file, std::string& failure) {
  LARGE_INTEGER size{};
  if (GetFileSizeEx(file, &size) == 0) {
    failure = "its size could not be read: " + error_text(GetLastError());
    return std::nullopt;
  }
  const auto total = static_cast<std::uint64_t>(size.QuadPart);
  const std::uint64_t start = total > firewall_log_tail_bytes ? total - firewall_log_tail_bytes : 0;
  LARGE_INTEGER offset{};
  offset.QuadPart = static_cast<LONGLONG>(start);
  if (SetFilePointerEx(file, offset, nullptr, FILE_BEGIN) == 0) {
    failure = "seeking failed: " + error_text(GetLastError());
    return std::nullopt;
  }
  std::string text(static_cast<std::size_t>(total - start), '\0');
  std::size_t filled = 0;
  while (filled < text.size()) {
    DWORD got = 0;
    if (ReadFile(file, text.data() + filled, static_cast<DWORD>(text.size() - filled), &got, nullptr) == 0) {
      failure = "reading failed: " + error_text(GetLastError());
      return std::nullopt;
    }
    if (got == 0) break;  // the firewall rotated the file under us: keep what was read
    filled += got;
  }
  text.resize(filled);
  // The tail starts mid-line unless it starts the file.
  if (start > 0) {
    const auto first_end = text.find('\n');
    text.erase(0, first_end == std::string::npos ? text.size() : first_end + 1);
  }
  return text;
}

std::string how_to_log_drops(const host_firewall_evidence& firewall) {
  return "the firewall does not log dropped packets; to have the log on the next run, in an elevated "
         "PowerShell: Set-NetFirewallProfile -Profile " +
         profile_argument(firewall.active_profiles) + " -LogBlocked True, then run probe-client again";
}

std::string log_open_failure(const std::string& path, DWORD error) {
  if (error == ERROR_ACCESS_DENIED) {
    return "the firewall log " + path +
           " is readable only by administrators: run as administrator to read the firewall log";
  }
  if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) {
    return "the firewall log " + path + " does not exist: the firewall has not written it";
  }
  return "the firewall log " + path + " could not be opened: " + error_text(error);
}

}  // namespace

std::optional<host_firewall_evidence> evaluate_host_firewall(std::uint16_t port,
                                                            const std::string& program_path,
                                                            const std::string& relay_address) {
  host_firewall_evidence evidence;
  std::string failure;
  std::optional<firewall_policy> policy;
  {
    const com_session com;
    if (!com.usable()) {
      failure = "CoInitializeEx failed: " + hresult_text(com.result());
    } else {
      policy = read_policy(failure);
      if (policy) evidence.network_name = network_names();
    }
  }
  if (!policy) {
    evidence.unavailable_reason =
        "Windows Defender Firewall could not be read: " + failure + "; " + how_to_read_firewall();
    fill_logging(evidence, profile_bit_domain | profile_bit_private | profile_bit_public);
    return evidence;
  }
  evidence.active_profiles = profiles_in(policy->active_profiles);
  apply(evaluate_inbound(*policy, port, program_path, relay_address), evidence);
  fill_logging(evidence, policy->active_profiles);
  return evidence;
}

void read_firewall_log(host_firewall_evidence& firewall, const std::string& relay_address,
                       std::uint16_t port) {
  if (!firewall.logging_dropped) {
    if (firewall.log_unavailable_reason.empty()) firewall.log_unavailable_reason = how_to_log_drops(firewall);
    return;
  }
  const std::string& path = firewall.log_path;
  // The firewall service keeps the log open for writing and may rotate it.
  const unique_handle file(CreateFileW(widen(path).c_str(), GENERIC_READ,
                                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                       OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file) {
    firewall.log_unavailable_reason = log_open_failure(path, GetLastError());
    return;
  }
  std::string failure;
  const auto text = read_tail(file.get(), failure);
  if (!text) {
    firewall.log_unavailable_reason = "the firewall log " + path + " could not be read: " + failure;
    return;
  }
  firewall.log_shows_drop = log_shows_drop(*text, relay_address, port);
}

}  // namespace reachback::client::platform

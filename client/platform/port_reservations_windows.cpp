// SPDX-License-Identifier: MIT
#include "client/platform/port_reservations.hpp"

#include <windows.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/platform/excluded_ports.hpp"
#include "client/platform/portproxy.hpp"
#include "client/platform/text_fields.hpp"
#include "client/platform/run_program.hpp"
#include "client/platform/run_program_windows.hpp"
#include "client/platform/wide_text_windows.hpp"

namespace reachback::client::platform {

namespace {

// A value that changes while we enumerate asks for a bigger buffer; a few
// retries cover that without looping on a key that keeps growing.
constexpr int max_buffer_retries = 4;
// Registry text quoted back in a report line is cut to this many bytes.
constexpr std::size_t max_quoted = 120;

// The key of one rule table, below HKLM.
std::string rule_table_key(std::string_view kind) {
  return "SYSTEM\\CurrentControlSet\\Services\\PortProxy\\" + std::string(kind) + "\\tcp";
}

std::string registry_path(std::string_view kind) { return "HKLM\\" + rule_table_key(kind); }

// What a report line says is missing when a whole rule table is unreadable.
std::string table_evidence(std::string_view kind) { return "portproxy rules (" + std::string(kind) + ")"; }

// Registry functions return their error instead of setting GetLastError.
std::string status_text(LSTATUS status) { return error_text(static_cast<unsigned long>(status)); }

std::string quoted(std::string_view text) {
  if (text.size() <= max_quoted) return "\"" + std::string(text) + "\"";
  // Cut before a UTF-8 continuation byte, never through a character.
  std::size_t cut = max_quoted;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return "\"" + std::string(text.substr(0, cut)) + "...\"";
}

class registry_key {
 public:
  registry_key() = default;
  ~registry_key() {
    if (key_ != nullptr) RegCloseKey(key_);
  }
  registry_key(const registry_key&) = delete;
  registry_key& operator=(const registry_key&) = delete;
  HKEY* out() { return &key_; }
  [[nodiscard]] HKEY get() const { return key_; }

 private:
  HKEY key_ = nullptr;
};

// One value of a rule table as read: its name, its type and its data.
struct registry_value {
  std::string name;
  DWORD type = REG_NONE;
  std::string data;  // only for REG_SZ and REG_EXPAND_SZ
};

// A value's port part, when it has one that reads as a number. Looser than
// the parser on purpose: it only decides whether a bad value is worth a line.
std::optional<std::uint16_t> listen_port_of(std::string_view value_name) {
  const auto slash = value_name.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return parse_unsigned<std::uint16_t>(value_name.substr(slash + 1));
}

// A rule we cannot read is only worth a report line when it might be on
// `port`: one whose name plainly names another port is not.
void note_unreadable_value(std::string_view kind, const registry_value& value, std::uint16_t port,
                           std::string_view problem, port_reservations& out) {
  const auto named_port = listen_port_of(value.name);
  if (named_port && *named_port != port) return;
  const std::string shown =
      value.data.empty() ? quoted(value.name) : quoted(value.name) + " = " + quoted(value.data);
  out.missing.push_back({"portproxy rule", "value " + shown + " under " + registry_path(kind) +
                                               " " + std::string(problem) +
                                               "; `netsh interface portproxy show " +
                                               std::string(kind) + "` shows how Windows reads it"});
}

// Keeps a rule on `port`; a value that is no rule becomes missing evidence.
void take_value(std::string_view kind, const registry_value& value, std::uint16_t port,
                port_reservations& out) {
  if (value.type != REG_SZ && value.type != REG_EXPAND_SZ) {
    note_unreadable_value(kind, value, port, "is not text (REG_SZ)", out);
    return;
  }
  if (const auto rule = parse_portproxy_value(kind, value.name, value.data)) {
    if (rule->listen_port == port) out.portproxy.push_back(*rule);
    return;
  }
  note_unreadable_value(kind, value, port, "is not LISTENADDRESS/PORT = CONNECTADDRESS/PORT", out);
}

// REG_SZ data as text. The registry does not promise a terminating NUL,
// and may hold several; neither belongs to the rule.
std::string registry_text(const std::vector<BYTE>& data, DWORD data_size) {
  std::wstring text(data_size / sizeof(wchar_t), L'\0');
  std::memcpy(text.data(), data.data(), text.size() * sizeof(wchar_t));
  while (!text.empty() && text.back() == L'\0') text.pop_back();
  return narrow(text);
}

// Reads every value of an open rule table, growing the buffers when a value
// outgrows them; a value that changes while we enumerate asks for more room.
class value_reader {
 public:
  // The capacities come from RegQueryInfoKeyW: the longest name in
  // characters, without its NUL, and the largest data in bytes.
  value_reader(HKEY key, DWORD name_capacity, DWORD data_capacity)
      : key_(key), name_(name_capacity + 1), data_(data_capacity + sizeof(wchar_t)) {}

  // ERROR_SUCCESS with the next value in `value`, ERROR_NO_MORE_ITEMS at
  // the end, or the error that stopped the enumeration.
  LSTATUS next(registry_value& value) {
    for (int retries = 0;; ++retries) {
      auto name_size = static_cast<DWORD>(name_.size());  // characters, with the NUL
      // In bytes; room is kept for a terminating NUL RegEnumValueW may leave out.
      auto data_size = static_cast<DWORD>(data_.size() - sizeof(wchar_t));
      const LSTATUS status = RegEnumValueW(key_, index_, name_.data(), &name_size, nullptr,
                                           &value.type, data_.data(), &data_size);
      if (status == ERROR_MORE_DATA && retries < max_buffer_retries) {
        name_.resize(name_.size() * 2);
        data_.resize(data_.size() * 2);
        continue;
      }
      if (status != ERROR_SUCCESS) return status;
      ++index_;
      value.name = narrow(std::wstring_view(name_.data(), name_size));
      const bool text = value.type == REG_SZ || value.type == REG_EXPAND_SZ;
      value.data = text ? registry_text(data_, data_size) : std::string();
      return ERROR_SUCCESS;
    }
  }

 private:
  HKEY key_;
  DWORD index_ = 0;
  std::vector<wchar_t> name_;
  std::vector<BYTE> data_;
};

// Opens a rule table for reading; false when there is none to read, with a
// missing entry when the key exists but refuses us.
bool open_rule_table(std::string_view kind, registry_key& key, port_reservations& out) {
  const LSTATUS opened = RegOpenKeyExW(HKEY_LOCAL_MACHINE, widen(rule_table_key(kind)).c_str(), 0,
                                       KEY_QUERY_VALUE, key.out());
  // No key: no rule of this kind was ever added. That is the usual case.
  if (opened == ERROR_FILE_NOT_FOUND) return false;
  if (opened != ERROR_SUCCESS) {
    out.missing.push_back({table_evidence(kind),
                           "registry key " + registry_path(kind) + " could not be read: " +
                               status_text(opened) +
                               "; run as administrator, or run `netsh interface portproxy "
                               "show all` to see the rules"});
    return false;
  }
  return true;
}

void read_rule_table(std::string_view kind, std::uint16_t port, port_reservations& out) {
  registry_key key;
  if (!open_rule_table(kind, key, out)) return;
  const std::string what = table_evidence(kind);
  DWORD name_capacity = 0;
  DWORD data_capacity = 0;
  const LSTATUS info = RegQueryInfoKeyW(key.get(), nullptr, nullptr, nullptr, nullptr, nullptr,
                                        nullptr, nullptr, &name_capacity, &data_capacity, nullptr,
                                        nullptr);
  if (info != ERROR_SUCCESS) {
    out.missing.push_back(
        {what, "registry key " + registry_path(kind) + " could not be read: " + status_text(info)});
    return;
  }
  value_reader values(key.get(), name_capacity, data_capacity);
  registry_value value;
  LSTATUS status = ERROR_SUCCESS;
  while ((status = values.next(value)) == ERROR_SUCCESS) take_value(kind, value, port, out);
  if (status != ERROR_NO_MORE_ITEMS) {
    out.missing.push_back(
        {what, "registry key " + registry_path(kind) + " could not be listed: " + status_text(status)});
  }
}

void read_excluded_ranges(int ip_version, std::uint16_t port, transport protocol, port_reservations& out) {
  const std::string family = ip_version == 4 ? "ipv4" : "ipv6";
  const std::string which = protocol == transport::udp ? "protocol=udp" : "protocol=tcp";
  const std::vector<std::string> argv = {"netsh", "interface", family, "show", "excludedportrange", which};
  const std::string command = "`netsh interface " + family + " show excludedportrange " + which + "`";
  const std::string what = "excluded port ranges (IPv" + std::to_string(ip_version) + ")";
  const auto result = run_program(argv, netsh_deadline);
  if (const auto why = run_failure(result, netsh_deadline); !why.empty()) {
    out.missing.push_back({what, command + " " + why + "; run it in a terminal to see why"});
    return;
  }
  const auto ranges = parse_excluded_port_ranges(result.out, ip_version);
  if (ranges.empty() && !looks_like_excluded_port_table(result.out)) {
    out.missing.push_back({what, command +
                                     " printed nothing we could read; run it in a terminal and "
                                     "look for a range holding port " +
                                     std::to_string(port)});
    return;
  }
  if (!out.excluded) out.excluded = find_excluded(ranges, port);
}

}  // namespace

port_reservations find_port_reservations(std::uint16_t port, bool bind_refused, transport protocol) {
  port_reservations out;
  if (protocol == transport::tcp)
    for (const auto kind : portproxy_kinds) read_rule_table(kind, port, out);
  if (!bind_refused) return out;
  read_excluded_ranges(4, port, protocol, out);
  read_excluded_ranges(6, port, protocol, out);
  return out;
}

}  // namespace reachback::client::platform

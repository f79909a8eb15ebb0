// SPDX-License-Identifier: MIT
#include "squatters.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <set>
#include <string>

#include "common/ascii_text.hpp"
#include "squatters_text.hpp"
#include "toml_reading.hpp"

namespace reachback::config {
namespace {

using detail::table_reader;

// Linux keeps only the first 15 bytes of a process name (TASK_COMM_LEN - 1),
// so "com.docker.backend" shows up as "com.docker.back".
constexpr std::size_t comm_length = 15;
// pid 0 is port_owner's "owner unknown", so a table entry must never match it.
constexpr detail::int_range pid_range{1, std::numeric_limits<int>::max()};

bool name_matches(std::string_view owner, std::string_view listed) noexcept {
  if (iequals(owner, listed)) return true;
  return owner.size() == comm_length && listed.size() > comm_length &&
         iequals(owner, listed.substr(0, comm_length));
}

bool any_listed(const std::vector<std::string>& listed, std::string_view owner,
                bool (*matches)(std::string_view, std::string_view) noexcept) {
  return std::any_of(listed.begin(), listed.end(),
                     [&](const std::string& entry) { return matches(owner, entry); });
}

// svchost.exe runs many services. When the socket's own service is unknown
// (unit empty: Windows names it only to an administrator), a listed service
// running in the process names the squatter; a known, different one does not.
bool hosts_listed_service(const squatter& entry, const port_owner& owner) {
  return owner.unit.empty() && std::any_of(owner.services.begin(), owner.services.end(),
                                           [&](const hosted_service& service) {
                                             return any_listed(entry.units, service.name, iequals);
                                           });
}

bool owner_matches(const squatter& entry, const port_owner& owner) {
  return any_listed(entry.process_names, owner.name, name_matches) ||
         any_listed(entry.units, owner.unit, iequals) || hosts_listed_service(entry, owner) ||
         (entry.pid && *entry.pid == owner.pid);
}

bool held_by(const squatter& entry, const std::vector<port_owner>& owners) {
  return std::any_of(owners.begin(), owners.end(),
                     [&](const port_owner& owner) { return owner_matches(entry, owner); });
}

bool port_matches(const squatter& entry, std::uint16_t port) {
  return entry.ports.empty() ||
         std::find(entry.ports.begin(), entry.ports.end(), port) != entry.ports.end();
}

std::string tcp_or_udp(std::string_view value) {
  return value == "tcp" || value == "udp" ? std::string() : std::string("must be \"tcp\" or \"udp\"");
}

std::string substitute_port(std::string text, std::uint16_t port) {
  constexpr std::string_view placeholder = "{port}";
  const auto number = std::to_string(port);
  for (auto at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + number.size())) {
    text.replace(at, placeholder.size(), number);
  }
  return text;
}

squatter read_squatter(table_reader& reader) {
  squatter entry;
  for (const auto key : {"id", "description", "fix"}) reader.require(key);
  reader.read("id", entry.id);
  reader.read("process_names", entry.process_names);
  reader.read("units", entry.units);
  reader.read("pid", entry.pid, pid_range);
  reader.read("ports", entry.ports);
  std::string protocol = "tcp";
  reader.read("protocol", protocol, tcp_or_udp);
  entry.protocol = protocol == "udp" ? transport::udp : transport::tcp;
  reader.read("description", entry.description);
  reader.read("fix", entry.fix);
  // An entry with nothing to match on could never fire: dead data, not a squatter.
  if (entry.process_names.empty() && entry.units.empty() && !entry.pid) {
    reader.fail("id", "needs at least one of process_names, units or pid");
  }
  if (entry.fix.empty()) reader.fail("fix", "must list at least one step");
  return entry;
}

}  // namespace

squatter_table parse_squatters(std::string_view toml_text, std::string_view source) {
  const auto document = detail::parse_toml(toml_text, source);
  table_reader reader(document, source);
  squatter_table table;
  std::set<std::string, std::less<>> ids;
  reader.read_tables("squatter", [&](table_reader& entry_reader) {
    auto entry = read_squatter(entry_reader);
    if (!ids.insert(entry.id).second) entry_reader.fail("id", "repeats an earlier entry's id");
    table.push_back(std::move(entry));
  });
  reader.finish();
  return table;
}

const squatter_table& builtin_squatters() {
  static const squatter_table table =
      parse_squatters(detail::builtin_squatters_toml(), "squatters.toml (built in)");
  return table;
}

std::optional<squatter_match> match_squatter(const squatter_table& table,
                                             const std::vector<port_owner>& owners,
                                             std::uint16_t port, transport protocol) {
  const auto found = std::find_if(table.begin(), table.end(), [&](const squatter& entry) {
    return entry.protocol == protocol && port_matches(entry, port) && held_by(entry, owners);
  });
  if (found == table.end()) return std::nullopt;
  squatter_match match{found->id, substitute_port(found->description, port), {}};
  for (const auto& step : found->fix) match.fix.push_back(substitute_port(step, port));
  return match;
}

}  // namespace reachback::config

// SPDX-License-Identifier: MIT
#include "client/platform/proc_process.hpp"

#include "client/platform/text_fields.hpp"
#include "common/address.hpp"

namespace reachback::client::platform {

namespace {

bool ends_with_any(std::string_view text, std::initializer_list<std::string_view> suffixes) {
  for (auto suffix : suffixes) {
    if (text.ends_with(suffix)) return true;
  }
  return false;
}

// The innermost unit in a cgroup path such as
// "/user.slice/user-1000.slice/user@1000.service/app.slice/api.service".
// Delegated sub-cgroups below a unit ("nginx.service/workers") keep the unit.
std::string innermost_unit(std::string_view path) {
  std::string_view unit;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const auto end = std::min(path.find('/', pos), path.size());
    const auto part = path.substr(pos, end - pos);
    if (ends_with_any(part, {".service", ".scope", ".socket"})) unit = part;
    pos = end + 1;
  }
  // A login session scope holds whatever the user started in a terminal, and
  // init.scope is systemd itself (e.g. holding a .socket unit's listener):
  // neither is a service to stop or disable, so naming them would mislead.
  if (unit == "init.scope" || (unit.starts_with("session-") && unit.ends_with(".scope"))) {
    return {};
  }
  return std::string(unit);
}

// "hierarchy:controllers:path" -> the path when this line is the unified
// hierarchy ("0::") or the v1 systemd one ("N:name=systemd:").
std::optional<std::string_view> systemd_cgroup_path(std::string_view line) {
  const auto first = line.find(':');
  const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto hierarchy = line.substr(0, first);
  const auto controllers = line.substr(first + 1, second - first - 1);
  if ((hierarchy == "0" && controllers.empty()) || controllers == "name=systemd") {
    return line.substr(second + 1);
  }
  return std::nullopt;
}

// Go's flag package accepts -name value, --name value, -name=value, --name=value.
std::optional<std::string> flag_value(const std::vector<std::string>& args, std::string_view name) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg.starts_with("--")) {
      arg.remove_prefix(2);
    } else if (arg.starts_with("-")) {
      arg.remove_prefix(1);
    } else {
      continue;
    }
    if (!arg.starts_with(name)) continue;
    arg.remove_prefix(name.size());
    if (arg.starts_with("=")) return std::string(arg.substr(1));
    if (arg.empty() && i + 1 < args.size()) return args[i + 1];
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> socket_inode_from_link(std::string_view target) {
  constexpr std::string_view prefix = "socket:[";
  if (!target.starts_with(prefix) || !target.ends_with("]")) return std::nullopt;
  return parse_unsigned<std::uint64_t>(
      target.substr(prefix.size(), target.size() - prefix.size() - 1));
}

std::vector<std::string> split_cmdline(std::string_view raw) {
  std::vector<std::string> args;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const auto end = std::min(raw.find('\0', pos), raw.size());
    args.emplace_back(raw.substr(pos, end - pos));
    pos = end + 1;
  }
  return args;
}

std::string join_cmdline(const std::vector<std::string>& args) {
  std::string joined;
  for (const auto& arg : args) {
    if (!joined.empty()) joined += ' ';
    joined += arg;
  }
  return joined;
}

std::string unit_from_cgroup(std::string_view cgroup_file) {
  std::string unit;
  for (const auto line : split_lines(cgroup_file)) {
    const auto path = systemd_cgroup_path(line);
    if (!path) continue;
    // With hybrid cgroups both lines exist; take the first that names a unit.
    unit = innermost_unit(*path);
    if (!unit.empty()) break;
  }
  return unit;
}

std::optional<std::string> docker_proxy_target(const std::vector<std::string>& args) {
  const auto ip = flag_value(args, "container-ip");
  const auto port_text = flag_value(args, "container-port");
  if (!ip || !port_text || ip->empty()) return std::nullopt;
  const auto port = parse_unsigned<std::uint16_t>(*port_text);
  if (!port || *port == 0) return std::nullopt;
  return "container " + reachback::format_endpoint(*ip, *port);
}

}  // namespace reachback::client::platform

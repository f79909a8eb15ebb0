// SPDX-License-Identifier: MIT
#pragma once
// Pure parsers for what /proc/PID tells about a process: the socket behind
// an fd link, the command line, the systemd unit and a docker-proxy target.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reachback::client::platform {

/// The inode in an fd link target "socket:[12345]"; nullopt for anything else.
[[nodiscard]] std::optional<std::uint64_t> socket_inode_from_link(std::string_view target);

/// The arguments of /proc/PID/cmdline (NUL-separated, NUL-terminated).
[[nodiscard]] std::vector<std::string> split_cmdline(std::string_view raw);

/// The arguments joined with single spaces, as the report shows them.
[[nodiscard]] std::string join_cmdline(const std::vector<std::string>& args);

/// The systemd unit from /proc/PID/cgroup: "0::/system.slice/nginx.service"
/// gives "nginx.service"; a user unit below user@1000.service gives that
/// unit. "" when the process runs in no unit a user would stop (the root
/// cgroup, a slice, init.scope, or a login session scope).
[[nodiscard]] std::string unit_from_cgroup(std::string_view cgroup_file);

/// For docker-proxy: "container 172.17.0.2:80" from its arguments
/// `-container-ip 172.17.0.2 -container-port 80` (Go flag syntax: one or two
/// dashes, value separate or after '='). nullopt when either is missing.
[[nodiscard]] std::optional<std::string> docker_proxy_target(const std::vector<std::string>& args);

}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
#include "client/platform/port_owners.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "client/platform/posix_io.hpp"
#include "client/platform/proc_net_tcp.hpp"
#include "client/platform/proc_process.hpp"
#include "client/platform/text_fields.hpp"

namespace reachback::client::platform {

namespace {

namespace fs = std::filesystem;

struct listening_socket {
  std::uint64_t inode = 0;
  std::string address;  // "0.0.0.0:3000"
};

void append_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// The kernel's socket tables for a transport, and the state its servers are in.
struct socket_tables {
  std::array<const char*, 2> files;
  std::uint8_t serving_state;
};

socket_tables tables_for(transport protocol) {
  if (protocol == transport::udp) return {{"/proc/net/udp", "/proc/net/udp6"}, udp_state_unconnected};
  return {{"/proc/net/tcp", "/proc/net/tcp6"}, tcp_state_listen};
}

std::vector<listening_socket> listening_sockets(std::uint16_t port, transport protocol) {
  std::vector<listening_socket> sockets;
  const auto tables = tables_for(protocol);
  for (const char* table : tables.files) {
    // tcp6 and udp6 are missing when IPv6 is disabled; that is simply no IPv6 listeners.
    const auto content = read_small_file(table);
    if (!content) continue;
    for (const auto line : split_lines(*content)) {
      const auto entry = parse_proc_net_socket_line(line);
      if (entry && entry->state == tables.serving_state && entry->local_port == port) {
        sockets.push_back({entry->inode, to_endpoint(entry->local, port)});
      }
    }
  }
  return sockets;
}

std::optional<int> pid_of(const fs::path& proc_entry) {
  const auto pid = parse_unsigned<unsigned>(proc_entry.filename().string());
  if (!pid || *pid == 0 || *pid > static_cast<unsigned>(std::numeric_limits<int>::max())) {
    return std::nullopt;
  }
  return static_cast<int>(*pid);
}

// The wanted socket inodes held open by `pid`. A process we may not inspect
// (another user's, when not root) or one that exits meanwhile yields none.
std::set<std::uint64_t> held_inodes(int pid, const std::set<std::uint64_t>& wanted) {
  std::set<std::uint64_t> held;
  std::error_code ec;
  fs::directory_iterator fds(fs::path("/proc") / std::to_string(pid) / "fd", ec);
  for (; !ec && fds != fs::directory_iterator(); fds.increment(ec)) {
    std::error_code link_ec;
    const auto target = fs::read_symlink(fds->path(), link_ec);
    if (link_ec) continue;
    const auto inode = socket_inode_from_link(target.string());
    if (inode && wanted.contains(*inode)) held.insert(*inode);
  }
  return held;
}

// pid -> the wanted inodes it holds; a socket shared after fork() shows up
// under every process that has it.
std::map<int, std::set<std::uint64_t>> socket_holders(const std::set<std::uint64_t>& wanted) {
  std::map<int, std::set<std::uint64_t>> holders;
  std::error_code ec;
  fs::directory_iterator procs("/proc", ec);
  for (; !ec && procs != fs::directory_iterator(); procs.increment(ec)) {
    const auto pid = pid_of(procs->path());
    if (!pid) continue;
    auto held = held_inodes(*pid, wanted);
    if (!held.empty()) holders.emplace(*pid, std::move(held));
  }
  return holders;
}

std::string trimmed_comm(int pid) {
  auto comm = read_small_file("/proc/" + std::to_string(pid) + "/comm").value_or("");
  while (!comm.empty() && (comm.back() == '\n' || comm.back() == ' ')) comm.pop_back();
  return comm;
}

port_owner describe_process(int pid, const std::set<std::uint64_t>& inodes,
                            const std::vector<listening_socket>& sockets) {
  const std::string proc = "/proc/" + std::to_string(pid);
  const auto args = split_cmdline(read_small_file(proc + "/cmdline").value_or(""));
  port_owner owner;
  owner.pid = pid;
  owner.name = trimmed_comm(pid);
  owner.cmdline = join_cmdline(args);
  owner.unit = unit_from_cgroup(read_small_file(proc + "/cgroup").value_or(""));
  if (owner.name == "docker-proxy") owner.container = docker_proxy_target(args).value_or("");
  for (const auto& socket : sockets) {
    if (inodes.contains(socket.inode)) append_unique(owner.addresses, socket.address);
  }
  return owner;
}

}  // namespace

listeners find_listeners(std::uint16_t port, transport protocol) {
  listeners found;
  const auto sockets = listening_sockets(port, protocol);
  if (sockets.empty()) return found;

  std::set<std::uint64_t> wanted;
  for (const auto& socket : sockets) {
    wanted.insert(socket.inode);
    append_unique(found.addresses, socket.address);
  }
  std::set<std::uint64_t> seen;
  for (const auto& [pid, inodes] : socket_holders(wanted)) {
    found.owners.push_back(describe_process(pid, inodes, sockets));
    seen.insert(inodes.begin(), inodes.end());
  }
  found.owners_hidden = seen.size() < wanted.size();
  return found;
}

}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
#pragma once
// Who holds a TCP or UDP port, from raw facts as Windows gives them: the
// listener rows of the TCP or UDP table, what could be read about each process, the running
// services and http.sys's request queues. Pure, so tests feed it the rows of
// a real Windows host (owner PIDs, svchost services, pid 4) that Wine cannot
// produce.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/platform/http_servicestate.hpp"
#include "client/platform/port_owners.hpp"

namespace reachback::client::platform {

/// One listening socket from the TCP table (GetExtendedTcpTable), or one
/// bound socket from the UDP table (GetExtendedUdpTable).
struct listener_row {
  std::string local_address;  ///< as text: "0.0.0.0", "::", "127.0.0.1"
  std::uint16_t port = 0;     ///< host byte order
  int pid = 0;                ///< owning process; 0 when the OS does not say (Wine)
  /// GetOwnerModuleFromTcpEntry's module name: the service name for a
  /// socket a service opened ("iphlpsvc"), "System" for the kernel, the
  /// image name otherwise, or "" when it could not be read.
  std::string owner_module;
  bool operator==(const listener_row&) const = default;
};

/// What could be read about one process.
struct process_facts {
  int pid = 0;                 ///< the process these facts are about
  std::string image_name;      ///< "svchost.exe" (process snapshot), or "" when gone
  std::string image_path;      ///< "C:\\Windows\\System32\\svchost.exe", or "" when unreadable
  bool access_denied = false;  ///< opening the process was refused
  bool operator==(const process_facts&) const = default;
};

/// A running service and the process it runs in.
struct service_facts {
  int pid = 0;               ///< the process the service runs in
  std::string name;          ///< "iphlpsvc"
  std::string display_name;  ///< "IP Helper"
  bool operator==(const service_facts&) const = default;
};

/// Windows' kernel process, in whose name http.sys holds its ports.
inline constexpr int system_pid = 4;
/// Its name, as Task Manager and netstat show it.
inline constexpr std::string_view system_process_name = "System";
/// The owner's name when the process refused to be opened and gave no name,
/// made to read as "port 3000 held by NAME (pid 1234)".
inline constexpr std::string_view access_denied_name = "a process this user may not inspect";
/// The owner's name when nothing could be read (it exited meanwhile).
inline constexpr std::string_view unknown_process_name = "an unidentified process";

/// The file name of a Windows or POSIX path: "svchost.exe" from
/// "C:\\Windows\\System32\\svchost.exe"; the whole text when it has no separator.
[[nodiscard]] std::string image_name_of(std::string_view path);

/// Builds the owners of `port` from raw facts; rows, processes and services
/// for other ports or processes are ignored.
///   - addresses: every row on the port, "0.0.0.0:3000", "[::]:3000", each once.
///   - pid 0 (or below): owners_hidden, no owner.
///   - one owner per other pid, sorted by pid, named after its image; never
///     a blank name (access_denied_name, unknown_process_name).
///   - pid 4: "System", with `urls` the http.sys URLs on the port.
///   - services: every service in the pid; those an owner module names
///     first, the rest in the given order.
///   - unit: the service an owner module names, else the only service in
///     the pid, else "".
[[nodiscard]] listeners collect_listeners(const std::vector<listener_row>& rows,
                                          const std::vector<process_facts>& processes,
                                          const std::vector<service_facts>& services,
                                          const std::vector<http_request_queue>& http_queues,
                                          std::uint16_t port);

}  // namespace reachback::client::platform

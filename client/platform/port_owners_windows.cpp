// SPDX-License-Identifier: MIT
#include "client/platform/port_owners.hpp"

// winsock2.h must come before windows.h.
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <tlhelp32.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <span>

#include "client/platform/http_servicestate.hpp"
#include "client/platform/ip_literal.hpp"
#include "client/platform/owner_table.hpp"
#include "client/platform/run_program.hpp"
#include "client/platform/run_program_windows.hpp"
#include "client/platform/services_windows.hpp"
#include "client/platform/win32_handle_windows.hpp"
#include "client/platform/win32_buffer_windows.hpp"
#include "client/platform/wide_text_windows.hpp"

namespace reachback::client::platform {

namespace {

// The table can grow between the call that sizes the buffer and the one
// that fills it; a few rounds settle it on any real host.
constexpr int max_buffer_rounds = 4;

// dwLocalPort keeps the port in network byte order in its low 16 bits.
std::uint16_t table_port(DWORD value) {
  return static_cast<std::uint16_t>(((value & 0xFFU) << 8) | ((value >> 8) & 0xFFU));
}

std::string address_text(int family, std::span<const std::uint8_t> raw) {
  const auto ip = ip_from_bytes(family, raw);
  return ip ? to_string(*ip) : std::string();
}

// One family's TCP listeners, or its bound UDP sockets, with the module
// that opened each: for UDP too, so a service such as Dnscache is named.
DWORD read_owner_table(transport protocol, void* buffer, DWORD& size, ULONG family) {
  if (protocol == transport::udp) return GetExtendedUdpTable(buffer, &size, FALSE, family, UDP_TABLE_OWNER_MODULE, 0);
  return GetExtendedTcpTable(buffer, &size, FALSE, family, TCP_TABLE_OWNER_MODULE_LISTENER, 0);
}

// The listener table of one family; empty, and said so, when Windows refuses it.
table_buffer listener_table(transport protocol, ULONG family, std::vector<missing_evidence>& missing) {
  table_buffer buffer;
  DWORD size = 0;
  DWORD status = ERROR_INSUFFICIENT_BUFFER;
  for (int round = 0; round < max_buffer_rounds && status == ERROR_INSUFFICIENT_BUFFER; ++round) {
    status = read_owner_table(protocol, buffer.empty() ? nullptr : buffer.data(), size, family);
    if (status == NO_ERROR) return buffer;
    if (status == ERROR_INSUFFICIENT_BUFFER) fit(buffer, size);
  }
  const bool udp = protocol == transport::udp;
  missing.push_back({std::string(udp ? "UDP sockets (IPv" : "listening sockets (IPv") + (family == AF_INET ? "4" : "6") + ")",
                     std::string(udp ? "GetExtendedUdpTable" : "GetExtendedTcpTable") + " failed: " + error_text(status) +
                         (udp ? "; `netstat -ano -p udp` shows them" : "; `netstat -ano | findstr LISTENING` shows them")});
  return {};
}

// The rows of a table whose entry count fits in its buffer.
template <typename Table, typename Row>
std::span<Row> table_rows(table_buffer& buffer) {
  if (byte_size(buffer) < sizeof(Table)) return {};
  auto* table = reinterpret_cast<Table*>(buffer.data());
  const std::size_t room = (byte_size(buffer) - offsetof(Table, table)) / sizeof(Row);
  return {table->table, std::min<std::size_t>(table->dwNumEntries, room)};
}

template <typename Row>
using owner_module_function = DWORD(WINAPI*)(Row*, TCPIP_OWNER_MODULE_INFO_CLASS, PVOID, PDWORD);

// Wine exports GetOwnerModuleFrom*Entry as stubs that end the process when
// called, so under Wine the lookup finds nothing to call.
bool running_under_wine() {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

// Looked up rather than linked, so an iphlpapi.dll without it still loads
// probe-client.exe; the owner module is a bonus, the rows are not.
template <typename Row>
owner_module_function<Row> find_owner_module_function(const char* name) {
  const HMODULE iphlpapi = GetModuleHandleW(L"iphlpapi.dll");
  if (iphlpapi == nullptr || running_under_wine()) return nullptr;
  // FARPROC is a generic function pointer; passing through void(*)() is the
  // cast GCC accepts between function pointer types.
  return reinterpret_cast<owner_module_function<Row>>(
      reinterpret_cast<void (*)()>(GetProcAddress(iphlpapi, name)));
}

// The module that opened the socket: the service name for a service's socket
// (what `netstat -b` prints above "[svchost.exe]"). Needs rights the user may
// lack; then "".
template <typename Row>
std::string owner_module(owner_module_function<Row> function, Row& row) {
  // No module for an unknown owner (pid 0); pid 4's is "System", the kernel.
  if (function == nullptr || row.dwOwningPid <= static_cast<DWORD>(system_pid)) return {};
  table_buffer buffer;
  DWORD size = 0;
  for (int round = 0; round < max_buffer_rounds; ++round) {
    const DWORD status = function(&row, TCPIP_OWNER_MODULE_INFO_BASIC,
                                  buffer.empty() ? nullptr : buffer.data(), &size);
    if (status == NO_ERROR && !buffer.empty()) {
      const auto* info = reinterpret_cast<const TCPIP_OWNER_MODULE_BASIC_INFO*>(buffer.data());
      return info->pModuleName == nullptr ? std::string() : narrow(info->pModuleName);
    }
    if (status != ERROR_INSUFFICIENT_BUFFER) break;
    fit(buffer, size);
  }
  return {};
}

int pid_of(DWORD pid) {
  return pid > static_cast<DWORD>(std::numeric_limits<int>::max()) ? 0 : static_cast<int>(pid);
}

// dwLocalAddr holds the IPv4 address in network byte order, as its bytes.
std::string local_address(const MIB_TCPROW_OWNER_MODULE& row) {
  std::array<std::uint8_t, 4> raw{};
  std::memcpy(raw.data(), &row.dwLocalAddr, raw.size());
  return address_text(AF_INET, raw);
}

std::string local_address(const MIB_TCP6ROW_OWNER_MODULE& row) {
  return address_text(AF_INET6, row.ucLocalAddr);
}

std::string local_address(const MIB_UDPROW_OWNER_MODULE& row) {
  std::array<std::uint8_t, 4> raw{};
  std::memcpy(raw.data(), &row.dwLocalAddr, raw.size());
  return address_text(AF_INET, raw);
}

std::string local_address(const MIB_UDP6ROW_OWNER_MODULE& row) {
  return address_text(AF_INET6, row.ucLocalAddr);
}

// The rows of one family's listener table that are on `port`.
template <typename Table, typename Row>
void append_rows(transport protocol, ULONG family, const char* owner_module_lookup, std::uint16_t port,
                 std::vector<listener_row>& rows, std::vector<missing_evidence>& missing) {
  auto buffer = listener_table(protocol, family, missing);
  const auto function = find_owner_module_function<Row>(owner_module_lookup);
  for (auto& row : table_rows<Table, Row>(buffer)) {
    if (table_port(row.dwLocalPort) != port) continue;
    rows.push_back({local_address(row), port, pid_of(row.dwOwningPid), owner_module(function, row)});
  }
}

// Image names of every process, from a snapshot that needs no right to open
// them: protected processes and other users' services keep their names.
std::map<int, std::string> image_names() {
  std::map<int, std::string> names;
  const unique_handle snapshot(CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
  if (!snapshot) return names;
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof(entry);
  for (BOOL more = Process32FirstW(snapshot.get(), &entry); more;
       more = Process32NextW(snapshot.get(), &entry)) {
    names[pid_of(entry.th32ProcessID)] = narrow(entry.szExeFile);
  }
  return names;
}

process_facts describe_process(int pid, const std::map<int, std::string>& names) {
  process_facts facts;
  facts.pid = pid;
  if (const auto name = names.find(pid); name != names.end()) facts.image_name = name->second;
  const unique_handle process(
      OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid)));
  if (!process) {
    facts.access_denied = GetLastError() == ERROR_ACCESS_DENIED;
    return facts;
  }
  // Paths may exceed MAX_PATH; 32767 UTF-16 units is Windows' limit.
  std::wstring path(32768, L'\0');
  auto length = static_cast<DWORD>(path.size());
  if (QueryFullProcessImageNameW(process.get(), 0, path.data(), &length)) {
    path.resize(length);
    facts.image_path = narrow(path);
  } else {
    facts.access_denied = GetLastError() == ERROR_ACCESS_DENIED;
  }
  return facts;
}

// http.sys's request queues, to say which URL makes pid 4 hold the port.
std::vector<http_request_queue> http_queues(std::vector<missing_evidence>& missing) {
  const auto output = run_program(
      {"netsh", "http", "show", "servicestate", "view=requestq", "verbose=no"}, netsh_deadline);
  auto why = run_failure(output, netsh_deadline);
  auto state = parse_http_servicestate(output.out);
  if (why.empty() && state.recognised) return std::move(state.queues);
  if (why.empty()) why = "printed nothing we could read";
  missing.push_back({"http.sys URL registrations",
                     "`netsh http show servicestate view=requestq` " + why +
                         "; run it in an elevated prompt to see which URL holds the port"});
  return {};
}

}  // namespace

listeners find_listeners(std::uint16_t port, transport protocol) {
  std::vector<listener_row> rows;
  std::vector<missing_evidence> missing;
  if (protocol == transport::udp) {
    append_rows<MIB_UDPTABLE_OWNER_MODULE, MIB_UDPROW_OWNER_MODULE>(
        protocol, AF_INET, "GetOwnerModuleFromUdpEntry", port, rows, missing);
    append_rows<MIB_UDP6TABLE_OWNER_MODULE, MIB_UDP6ROW_OWNER_MODULE>(
        protocol, AF_INET6, "GetOwnerModuleFromUdp6Entry", port, rows, missing);
  } else {
    append_rows<MIB_TCPTABLE_OWNER_MODULE, MIB_TCPROW_OWNER_MODULE>(
        protocol, AF_INET, "GetOwnerModuleFromTcpEntry", port, rows, missing);
    append_rows<MIB_TCP6TABLE_OWNER_MODULE, MIB_TCP6ROW_OWNER_MODULE>(
        protocol, AF_INET6, "GetOwnerModuleFromTcp6Entry", port, rows, missing);
  }

  std::set<int> pids;
  bool system_holds = false;
  for (const auto& row : rows) {
    if (row.pid > system_pid) pids.insert(row.pid);
    system_holds = system_holds || row.pid == system_pid;
  }
  std::vector<process_facts> processes;
  std::vector<service_facts> services;
  if (!pids.empty()) {
    const auto names = image_names();
    for (const int pid : pids) processes.push_back(describe_process(pid, names));
    services = running_services(missing);
  }
  // http.sys serves TCP alone; pid 4's UDP sockets are NetBIOS's and the like.
  const bool ask_http = system_holds && protocol == transport::tcp;
  const auto queues = ask_http ? http_queues(missing) : std::vector<http_request_queue>{};
  auto found = collect_listeners(rows, processes, services, queues, port);
  found.missing = std::move(missing);
  return found;
}

}  // namespace reachback::client::platform

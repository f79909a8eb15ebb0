// SPDX-License-Identifier: MIT
#include "client/platform/services_windows.hpp"

#include <windows.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <type_traits>

#include "client/platform/win32_buffer_windows.hpp"
#include "client/platform/wide_text_windows.hpp"

namespace reachback::client::platform {
namespace {

// EnumServicesStatusExW hands out at most 256 KiB per call, so a host with
// many services takes several rounds of the resume handle.
constexpr int max_service_rounds = 64;
constexpr DWORD service_buffer_bytes = 64 * 1024;

struct service_handle_closer {
  void operator()(SC_HANDLE handle) const noexcept { CloseServiceHandle(handle); }
};
using unique_service_handle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, service_handle_closer>;

void append_services(const table_buffer& buffer, DWORD count, std::vector<service_facts>& services) {
  const auto* entries = reinterpret_cast<const ENUM_SERVICE_STATUS_PROCESSW*>(buffer.data());
  const std::size_t room = byte_size(buffer) / sizeof(ENUM_SERVICE_STATUS_PROCESSW);
  for (std::size_t i = 0; i < std::min<std::size_t>(count, room); ++i) {
    const auto& entry = entries[i];
    const DWORD pid = entry.ServiceStatusProcess.dwProcessId;
    if (pid == 0 || pid > static_cast<DWORD>(std::numeric_limits<int>::max())) continue;
    services.push_back({static_cast<int>(pid), entry.lpServiceName ? narrow(entry.lpServiceName) : std::string(),
                        entry.lpDisplayName ? narrow(entry.lpDisplayName) : std::string()});
  }
}

}  // namespace

std::vector<service_facts> running_services(std::vector<missing_evidence>& missing) {
  std::vector<service_facts> services;
  const unique_service_handle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ENUMERATE_SERVICE));
  if (!manager) {
    missing.push_back({"services in the owning process",
                       "the service manager refused: " + error_text(GetLastError()) + "; `tasklist /svc` lists them"});
    return services;
  }
  table_buffer buffer;
  fit(buffer, service_buffer_bytes);
  DWORD resume = 0;
  for (int round = 0; round < max_service_rounds; ++round) {
    DWORD needed = 0;
    DWORD count = 0;
    const BOOL done = EnumServicesStatusExW(manager.get(), SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE,
                                            reinterpret_cast<LPBYTE>(buffer.data()), byte_size(buffer), &needed,
                                            &count, &resume, nullptr);
    if (!done && GetLastError() != ERROR_MORE_DATA) break;
    append_services(buffer, count, services);
    if (done) break;
    // Not even one entry fitted: make room for what Windows asked.
    if (count == 0) fit(buffer, needed);
  }
  return services;
}

}  // namespace reachback::client::platform

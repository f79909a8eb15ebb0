// SPDX-License-Identifier: MIT
#pragma once
// The running Windows services and the process each runs in, so an
// svchost.exe that holds a port is named by the services inside it.

#include <vector>

#include "client/platform/owner_table.hpp"
#include "common/evidence.hpp"

namespace reachback::client::platform {

/// Every running Win32 service with its process id (EnumServicesStatusExW
/// with SC_ENUM_PROCESS_INFO, which needs no administrator rights). When
/// the service manager refuses, no services and a `missing` entry.
[[nodiscard]] std::vector<service_facts> running_services(std::vector<missing_evidence>& missing);

}  // namespace reachback::client::platform

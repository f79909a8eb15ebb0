// SPDX-License-Identifier: MIT
// Service enumeration for real, under Wine: wineboot starts services of its
// own (RpcSs, PlugPlay, ...), each in a process of its own, which Wine's
// service manager lists with EnumServicesStatusExW as Windows does.
#include "client/platform/services_windows.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace reachback::client::platform {
namespace {

TEST(running_services, lists_running_services_with_their_process) {
  std::vector<missing_evidence> missing;
  const auto services = running_services(missing);
  EXPECT_TRUE(missing.empty());
  ASSERT_FALSE(services.empty());
  for (const auto& service : services) {
    EXPECT_GT(service.pid, 0) << service.name;
    EXPECT_FALSE(service.name.empty());
    EXPECT_FALSE(service.display_name.empty()) << service.name;
  }
  const bool rpc = std::any_of(services.begin(), services.end(),
                               [](const service_facts& s) { return s.name == "RpcSs"; });
  EXPECT_TRUE(rpc) << "the RPC service runs in every Windows and Wine session";
}

}  // namespace
}  // namespace reachback::client::platform

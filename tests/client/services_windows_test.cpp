// SPDX-License-Identifier: MIT
// Service enumeration for real, under Wine: wineboot starts services of its
// own (PlugPlay, ...), each in a process of its own, which Wine's service
// manager lists with EnumServicesStatusExW as Windows does.
#include "client/platform/services_windows.hpp"

#include <gtest/gtest.h>

#include <vector>

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
  // No particular service: Wine starts RpcSs on demand, and in a test
  // program started right after wineboot it was not running yet.
}

}  // namespace
}  // namespace reachback::client::platform

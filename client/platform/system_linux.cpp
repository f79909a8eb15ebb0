// SPDX-License-Identifier: MIT
#include "client/platform/system.hpp"

#include <filesystem>

namespace reachback::client::platform {

host_os this_host_os() noexcept { return host_os::linux_host; }

std::string this_executable_path() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : path.string();
}

}  // namespace reachback::client::platform

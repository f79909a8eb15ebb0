// SPDX-License-Identifier: MIT
#include "client/platform/system.hpp"

#include <windows.h>

#include <vector>

#include "client/platform/wide_text_windows.hpp"

namespace reachback::client::platform {

host_os this_host_os() noexcept { return host_os::windows_host; }

std::string this_executable_path() {
  // MAX_PATH is not a limit any more (long path support), so grow until the
  // whole path fits; 32767 UTF-16 units is the longest Windows allows.
  for (DWORD size = MAX_PATH; size <= 32768; size *= 2) {
    std::vector<wchar_t> buffer(size);
    const DWORD length = ::GetModuleFileNameW(nullptr, buffer.data(), size);
    if (length == 0) return {};
    if (length < size) return narrow(std::wstring_view(buffer.data(), length));
  }
  return {};
}

}  // namespace reachback::client::platform

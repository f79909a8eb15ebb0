// SPDX-License-Identifier: MIT
#pragma once
// The buffer Win32's "call once for the size, again for the data" tables
// are read into. Windows only.

#include <windows.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace reachback::client::platform {

/// Win32 tables hold 64-bit fields, so their buffers are built of 64-bit words.
using table_buffer = std::vector<std::uint64_t>;

/// Makes room for at least `bytes` bytes.
inline void fit(table_buffer& buffer, DWORD bytes) {
  buffer.resize((static_cast<std::size_t>(bytes) + sizeof(std::uint64_t) - 1) / sizeof(std::uint64_t));
}

/// The buffer's size in bytes, as the Win32 calls take it.
inline DWORD byte_size(const table_buffer& buffer) {
  return static_cast<DWORD>(buffer.size() * sizeof(std::uint64_t));
}

}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
#pragma once
// Ownership of a kernel object handle (process, thread, event, file, pipe,
// snapshot), closed with CloseHandle. Windows only.
//
// Win32 says "no handle" in two ways: NULL (OpenProcess, CreateEventW) and
// INVALID_HANDLE_VALUE (CreateFileW, CreateNamedPipeW,
// CreateToolhelp32Snapshot). Both are taken as empty here, so a caller tests
// `if (!handle)` whatever the function that made it.

#include <windows.h>

#include <utility>

namespace reachback::client::platform {

/// Owns one handle that CloseHandle closes; empty when it holds none.
class unique_handle {
 public:
  unique_handle() noexcept = default;
  /// Takes `handle`; NULL and INVALID_HANDLE_VALUE make an empty owner.
  explicit unique_handle(HANDLE handle) noexcept : handle_(owned(handle)) {}
  ~unique_handle() { reset(); }
  unique_handle(const unique_handle&) = delete;
  unique_handle& operator=(const unique_handle&) = delete;
  unique_handle(unique_handle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  unique_handle& operator=(unique_handle&& other) noexcept {
    if (this != &other) reset(std::exchange(other.handle_, nullptr));
    return *this;
  }

  /// The handle, or nullptr when empty.
  [[nodiscard]] HANDLE get() const noexcept { return handle_; }
  /// Whether it holds a handle.
  explicit operator bool() const noexcept { return handle_ != nullptr; }
  /// Closes the handle held, if any, and takes `handle` instead.
  void reset(HANDLE handle = nullptr) noexcept {
    if (handle_ != nullptr) ::CloseHandle(handle_);
    handle_ = owned(handle);
  }

 private:
  static HANDLE owned(HANDLE handle) noexcept {
    return handle == INVALID_HANDLE_VALUE ? nullptr : handle;
  }

  HANDLE handle_ = nullptr;
};

}  // namespace reachback::client::platform

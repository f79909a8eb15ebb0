// SPDX-License-Identifier: MIT
#include "client/platform/wide_text_windows.hpp"

#include <windows.h>

#include <array>
#include <cstdio>
#include <limits>

namespace reachback::client::platform {

namespace {

// The system's text for a Win32 error or an HRESULT; "" when it has none.
std::string system_message(unsigned long code) {
  wchar_t* text = nullptr;
  const DWORD size = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string message = size > 0 && text != nullptr ? narrow(std::wstring_view(text, size)) : "";
  LocalFree(text);
  // Messages end in ".\r\n"; a report line wants neither.
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r' ||
                              message.back() == ' ' || message.back() == '.')) {
    message.pop_back();
  }
  return message;
}

}  // namespace

std::wstring widen(std::string_view utf8) {
  // The Win32 lengths are int; text this long never comes from netsh or the
  // registry, so refusing it beats a silent truncation.
  if (utf8.empty() || utf8.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return {};
  }
  const int in_size = static_cast<int>(utf8.size());
  // Flags 0 (not MB_ERR_INVALID_CHARS): bad bytes become U+FFFD instead of
  // failing the whole string, so one odd byte never hides the rest.
  const int out_size = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), in_size, nullptr, 0);
  if (out_size <= 0) return {};
  std::wstring out(static_cast<std::size_t>(out_size), L'\0');
  const int written = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), in_size, out.data(), out_size);
  out.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
  return out;
}

std::string narrow(std::wstring_view utf16) {
  if (utf16.empty() || utf16.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return {};
  }
  const int in_size = static_cast<int>(utf16.size());
  const int out_size =
      WideCharToMultiByte(CP_UTF8, 0, utf16.data(), in_size, nullptr, 0, nullptr, nullptr);
  if (out_size <= 0) return {};
  std::string out(static_cast<std::size_t>(out_size), '\0');
  const int written = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), in_size, out.data(), out_size,
                                          nullptr, nullptr);
  out.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
  return out;
}

std::string error_text(unsigned long code) {
  std::string message = system_message(code);
  if (message.empty()) message = "unknown error";
  return message + " (error " + std::to_string(code) + ")";
}

std::string hresult_text(long hr) {
  std::array<char, 16> code{};
  std::snprintf(code.data(), code.size(), "0x%08lX", static_cast<unsigned long>(hr));
  const std::string message = system_message(static_cast<unsigned long>(hr));
  return message.empty() ? std::string(code.data()) : std::string(code.data()) + " (" + message + ")";
}

}  // namespace reachback::client::platform

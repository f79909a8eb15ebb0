// SPDX-License-Identifier: MIT
#pragma once
// UTF-8 <-> UTF-16 for the Win32 "W" functions, and Win32 and COM error
// messages as UTF-8. The rest of reachback keeps every string in UTF-8; only Windows
// platform files meet wchar_t.

#include <string>
#include <string_view>

namespace reachback::client::platform {

/// UTF-8 to UTF-16. Invalid bytes become U+FFFD; never throws for bad input.
[[nodiscard]] std::wstring widen(std::string_view utf8);

/// UTF-16 to UTF-8. Unpaired surrogates become U+FFFD; never throws for bad input.
[[nodiscard]] std::string narrow(std::wstring_view utf16);

/// The system's message for a Win32 error code (GetLastError, LSTATUS), on
/// one line with the code: "Access is denied (error 5)".
[[nodiscard]] std::string error_text(unsigned long code);

/// A COM HRESULT in hex, with the system's message when it has one:
/// "0x80004001 (Not implemented)". Takes the HRESULT as the long it is.
[[nodiscard]] std::string hresult_text(long hr);

}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
#include "client/platform/run_program.hpp"

#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/platform/wide_text_windows.hpp"

namespace reachback::client::platform {

// `out` keeps the bytes as the program printed them. netsh prints in the
// console's OEM code page, not UTF-8; its callers read only the ASCII digits
// and punctuation, which every such code page shares, so nothing is converted.

namespace {

// After the program exits, whatever it wrote is already in the pipe, so each
// further read completes at once. A read that still waits means a grandchild
// inherited the pipe and keeps it open; this bounds how long we humour it.
constexpr DWORD drain_after_exit_ms = 100;
constexpr DWORD read_chunk = 4096;

class handle {
 public:
  handle() = default;
  explicit handle(HANDLE h) : h_(h == INVALID_HANDLE_VALUE ? nullptr : h) {}
  ~handle() {
    if (h_ != nullptr) CloseHandle(h_);
  }
  handle(const handle&) = delete;
  handle& operator=(const handle&) = delete;
  handle(handle&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  handle& operator=(handle&& other) noexcept {
    std::swap(h_, other.h_);
    return *this;
  }
  [[nodiscard]] HANDLE get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }
  void reset() { handle{}.swap(*this); }
  void swap(handle& other) noexcept { std::swap(h_, other.h_); }

 private:
  HANDLE h_ = nullptr;
};

// One argument as the Microsoft C runtime and CommandLineToArgvW split it
// back: quoted when needed, backslashes doubled only before a quote.
void append_quoted(std::wstring& line, std::wstring_view arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring_view::npos) {
    line += arg;
    return;
  }
  line += L'"';
  std::size_t backslashes = 0;
  for (const wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    if (c == L'"') backslashes = 2 * backslashes + 1;
    line.append(backslashes, L'\\');
    backslashes = 0;
    line += c;
  }
  line.append(2 * backslashes, L'\\');
  line += L'"';
}

std::wstring command_line(const std::vector<std::string>& argv) {
  std::wstring line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += L' ';
    append_quoted(line, widen(arg));
  }
  return line;
}

bool has_path_separator(std::wstring_view name) {
  return name.find_first_of(L"\\/:") != std::wstring_view::npos;
}

std::wstring environment_variable(const wchar_t* name) {
  const DWORD size = GetEnvironmentVariableW(name, nullptr, 0);
  if (size == 0) return {};
  std::wstring value(size, L'\0');
  const DWORD written = GetEnvironmentVariableW(name, value.data(), size);
  value.resize(written < size ? written : 0);
  return value;
}

std::wstring search(const wchar_t* directories, const std::wstring& name) {
  wchar_t found[MAX_PATH + 1] = {};
  const DWORD size = SearchPathW(directories, name.c_str(), L".exe", MAX_PATH, found, nullptr);
  if (size == 0 || size > MAX_PATH) return {};
  return std::wstring(found, size);
}

// CreateProcessW's own search tries the current directory before PATH, so a
// netsh.exe dropped in the working directory would run instead of Windows'.
// Searching the system directory, then PATH, by hand avoids that.
std::wstring find_program(const std::wstring& name) {
  if (has_path_separator(name)) return name;
  wchar_t system_dir[MAX_PATH + 1] = {};
  const UINT size = GetSystemDirectoryW(system_dir, MAX_PATH);
  if (size > 0 && size <= MAX_PATH) {
    if (auto found = search(system_dir, name); !found.empty()) return found;
  }
  const auto path = environment_variable(L"PATH");
  if (path.empty()) return {};
  return search(path.c_str(), name);
}

// An anonymous pipe cannot be read with a timeout; a named pipe opened for
// overlapped reads can, so one thread waits on the read and the process at
// once. Only the write end is inheritable: the child must not hold the read end.
struct output_pipe {
  handle read;
  handle write;
};

std::optional<output_pipe> make_output_pipe(DWORD& error) {
  static std::atomic<unsigned> serial{0};
  const std::wstring name = L"\\\\.\\pipe\\reachback-run-" +
                            std::to_wstring(GetCurrentProcessId()) + L"-" +
                            std::to_wstring(serial.fetch_add(1)) + L"-" +
                            std::to_wstring(GetTickCount64());
  constexpr DWORD open_mode =
      PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE;
  constexpr DWORD pipe_mode =
      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS;
  handle read{CreateNamedPipeW(name.c_str(), open_mode, pipe_mode, 1, 0, read_chunk, 0, nullptr)};
  if (!read) {
    error = GetLastError();
    return std::nullopt;
  }
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  handle write{CreateFileW(name.c_str(), GENERIC_WRITE, 0, &inheritable, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, nullptr)};
  if (!write) {
    error = GetLastError();
    return std::nullopt;
  }
  return output_pipe{std::move(read), std::move(write)};
}

handle open_nul(DWORD access) {
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  return handle{CreateFileW(L"NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, &inheritable,
                            OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr)};
}

// Lets the child inherit exactly `handles`: another thread starting a program
// at the same moment must not inherit our pipe, or our read never ends.
class inherit_only {
 public:
  explicit inherit_only(std::vector<HANDLE> handles) : handles_(std::move(handles)) {
    SIZE_T size = 0;
    InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    storage_.resize(size);
    auto* list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.data());
    if (!InitializeProcThreadAttributeList(list, 1, 0, &size)) return;
    initialised_ = true;
    ok_ = UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles_.data(),
                                    handles_.size() * sizeof(HANDLE), nullptr, nullptr) != FALSE;
  }
  ~inherit_only() {
    if (initialised_) DeleteProcThreadAttributeList(list());
  }
  inherit_only(const inherit_only&) = delete;
  inherit_only& operator=(const inherit_only&) = delete;
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] LPPROC_THREAD_ATTRIBUTE_LIST list() {
    return reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.data());
  }

 private:
  std::vector<HANDLE> handles_;
  std::vector<unsigned char> storage_;
  bool initialised_ = false;
  bool ok_ = false;
};

void append_bounded(std::string& out, const char* data, DWORD size) {
  const std::size_t room = max_program_output - std::min(out.size(), max_program_output);
  out.append(data, std::min<std::size_t>(room, size));
}

DWORD remaining_ms(ULONGLONG end) {
  const ULONGLONG now = GetTickCount64();
  return now >= end ? 0 : static_cast<DWORD>(std::min<ULONGLONG>(end - now, INFINITE - 1));
}

// Stops the process at the deadline.
void stop(HANDLE process, program_output& result) {
  TerminateProcess(process, 1);
  WaitForSingleObject(process, drain_after_exit_ms);
  result.timed_out = true;
}

// Reads the pipe until every writer has closed it, or the process has exited
// and the pipe went quiet, or the deadline passed (then the process is stopped).
void collect(HANDLE process, HANDLE pipe, ULONGLONG end, program_output& result) {
  handle event{CreateEventW(nullptr, TRUE, FALSE, nullptr)};
  if (!event) {
    result.error = "could not create an event: " + error_text(GetLastError());
    stop(process, result);
    return;
  }
  char buffer[read_chunk];
  bool exited = false;
  for (;;) {
    OVERLAPPED overlapped{};
    overlapped.hEvent = event.get();
    DWORD got = 0;
    if (!ReadFile(pipe, buffer, read_chunk, nullptr, &overlapped)) {
      // ERROR_BROKEN_PIPE: every writer has closed it, the normal end.
      if (GetLastError() != ERROR_IO_PENDING) break;
      const HANDLE waits[] = {event.get(), process};
      DWORD which = WAIT_TIMEOUT;
      for (;;) {
        const DWORD budget =
            exited ? std::min(remaining_ms(end), drain_after_exit_ms) : remaining_ms(end);
        which = WaitForMultipleObjects(exited ? 1 : 2, waits, FALSE, budget);
        if (which != WAIT_OBJECT_0 + 1) break;
        exited = true;
      }
      if (which != WAIT_OBJECT_0) {
        // The read must be over before `buffer` and `overlapped` go away.
        CancelIoEx(pipe, &overlapped);
        if (GetOverlappedResult(pipe, &overlapped, &got, TRUE)) {
          append_bounded(result.out, buffer, got);
        }
        if (!exited) stop(process, result);
        break;
      }
    }
    if (!GetOverlappedResult(pipe, &overlapped, &got, FALSE)) break;
    // Past the bound the bytes are dropped, but reading goes on: a program
    // blocked on a full pipe would never exit.
    append_bounded(result.out, buffer, got);
  }
  // The pipe can close before the program ends (it closed its stdout).
  if (!result.timed_out && WaitForSingleObject(process, remaining_ms(end)) != WAIT_OBJECT_0) {
    stop(process, result);
  }
}

}  // namespace

program_output run_program(const std::vector<std::string>& argv,
                           std::chrono::milliseconds deadline) {
  program_output result;
  if (argv.empty() || argv.front().empty()) {
    result.error = "no program given";
    return result;
  }
  for (const auto& arg : argv) {
    if (arg.find('\0') != std::string::npos) {
      result.error = "an argument for " + argv.front() + " contains a NUL byte";
      return result;
    }
  }
  const ULONGLONG end =
      GetTickCount64() + static_cast<ULONGLONG>(std::max<std::int64_t>(deadline.count(), 0));

  const auto program = find_program(widen(argv.front()));
  if (program.empty()) {
    result.error = argv.front() + " was not found in the system directory or on PATH";
    return result;
  }
  DWORD error = 0;
  auto pipe = make_output_pipe(error);
  if (!pipe) {
    result.error = "could not create a pipe for " + argv.front() + ": " + error_text(error);
    return result;
  }
  const handle input = open_nul(GENERIC_READ);
  const handle errors = open_nul(GENERIC_WRITE);
  if (!input || !errors) {
    result.error = "could not open NUL for " + argv.front() + ": " + error_text(GetLastError());
    return result;
  }

  inherit_only inherit({input.get(), pipe->write.get(), errors.get()});
  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof(STARTUPINFOW);
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = input.get();
  startup.StartupInfo.hStdOutput = pipe->write.get();
  startup.StartupInfo.hStdError = errors.get();
  DWORD flags = CREATE_NO_WINDOW;
  if (inherit.ok()) {
    startup.StartupInfo.cb = sizeof(startup);
    startup.lpAttributeList = inherit.list();
    flags |= EXTENDED_STARTUPINFO_PRESENT;
  }
  auto line = command_line(argv);  // CreateProcessW may write into it
  PROCESS_INFORMATION info{};
  if (!CreateProcessW(program.c_str(), line.data(), nullptr, nullptr, TRUE, flags, nullptr, nullptr,
                      &startup.StartupInfo, &info)) {
    result.error = "could not start " + argv.front() + ": " + error_text(GetLastError());
    return result;
  }
  const handle process{info.hProcess};
  const handle thread{info.hThread};
  result.started = true;
  // Our copy of the write end must go, or the pipe never reports the end.
  pipe->write.reset();

  collect(process.get(), pipe->read.get(), end, result);
  DWORD code = 0;
  if (result.timed_out) {
    result.error = argv.front() + " did not finish within " + std::to_string(deadline.count()) +
                   " ms and was stopped";
  } else if (GetExitCodeProcess(process.get(), &code) && code != STILL_ACTIVE) {
    result.exit_code = static_cast<int>(code);
  }
  return result;
}

}  // namespace reachback::client::platform

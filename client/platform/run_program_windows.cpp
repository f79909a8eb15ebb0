// SPDX-License-Identifier: MIT
#include "client/platform/run_program.hpp"

#include <windows.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/platform/run_program_windows.hpp"
#include "client/platform/win32_handle_windows.hpp"
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
  unique_handle read;
  unique_handle write;
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
  unique_handle read{CreateNamedPipeW(name.c_str(), open_mode, pipe_mode, 1, 0, read_chunk, 0, nullptr)};
  if (!read) {
    error = GetLastError();
    return std::nullopt;
  }
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  unique_handle write{CreateFileW(name.c_str(), GENERIC_WRITE, 0, &inheritable, OPEN_EXISTING,
                                  FILE_ATTRIBUTE_NORMAL, nullptr)};
  if (!write) {
    error = GetLastError();
    return std::nullopt;
  }
  return output_pipe{std::move(read), std::move(write)};
}

unique_handle open_nul(DWORD access) {
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  return unique_handle{CreateFileW(L"NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, &inheritable,
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

// At the deadline the program is stopped rather than waited for: a hung
// netsh must not hold the report.
void stop(HANDLE process, program_output& result) {
  TerminateProcess(process, 1);
  WaitForSingleObject(process, drain_after_exit_ms);
  result.timed_out = true;
}

// One run's output being read: a single overlapped read is in flight at a time.
struct output_reader {
  HANDLE process = nullptr;
  HANDLE pipe = nullptr;
  HANDLE event = nullptr;  // the read's completion
  ULONGLONG end = 0;       // the deadline, in GetTickCount64 time
  bool exited = false;
};

// Waits until the read in flight completes: true when it did. The
// program's exit ends a wait too, and from then on the pipe gets
// drain_after_exit_ms per read to deliver what is left.
bool read_completed(output_reader& reader) {
  const HANDLE waits[] = {reader.event, reader.process};
  for (;;) {
    const DWORD budget = reader.exited ? std::min(remaining_ms(reader.end), drain_after_exit_ms)
                                       : remaining_ms(reader.end);
    const DWORD which = WaitForMultipleObjects(reader.exited ? 1 : 2, waits, FALSE, budget);
    if (which != WAIT_OBJECT_0 + 1) return which == WAIT_OBJECT_0;
    reader.exited = true;
  }
}

// Gives up the read in flight, keeping what it got. The read must be over
// before `buffer` and `overlapped` go away, hence the wait.
void abandon_read(HANDLE pipe, OVERLAPPED& overlapped, const char* buffer, program_output& result) {
  CancelIoEx(pipe, &overlapped);
  DWORD got = 0;
  if (GetOverlappedResult(pipe, &overlapped, &got, TRUE)) append_bounded(result.out, buffer, got);
}

// Reads one chunk into result.out; false once reading is over: every writer
// closed the pipe, the pipe went quiet after the exit, or the deadline passed
// (then the program is stopped).
bool read_next_chunk(output_reader& reader, char* buffer, program_output& result) {
  OVERLAPPED overlapped{};
  overlapped.hEvent = reader.event;
  const bool pending = !ReadFile(reader.pipe, buffer, read_chunk, nullptr, &overlapped);
  // ERROR_BROKEN_PIPE, every writer gone, is the normal end; any other
  // error but ERROR_IO_PENDING ends the reading too.
  if (pending && GetLastError() != ERROR_IO_PENDING) return false;
  if (pending && !read_completed(reader)) {
    abandon_read(reader.pipe, overlapped, buffer, result);
    if (!reader.exited) stop(reader.process, result);
    return false;
  }
  DWORD got = 0;
  if (!GetOverlappedResult(reader.pipe, &overlapped, &got, FALSE)) return false;
  // Past the bound the bytes are dropped, but reading goes on: a program
  // blocked on a full pipe would never exit.
  append_bounded(result.out, buffer, got);
  return true;
}

void collect(HANDLE process, HANDLE pipe, ULONGLONG end, program_output& result) {
  const unique_handle event{CreateEventW(nullptr, TRUE, FALSE, nullptr)};
  if (!event) {
    result.error = "could not create an event: " + error_text(GetLastError());
    stop(process, result);
    return;
  }
  output_reader reader{process, pipe, event.get(), end};
  std::array<char, read_chunk> buffer{};
  while (read_next_chunk(reader, buffer.data(), result)) {
  }
  // The pipe can close before the program ends (it closed its stdout).
  if (!result.timed_out && WaitForSingleObject(process, remaining_ms(end)) != WAIT_OBJECT_0) {
    stop(process, result);
  }
}

// Why `argv` cannot be run at all; "" when it can.
std::string argument_problem(const std::vector<std::string>& argv) {
  if (argv.empty() || argv.front().empty()) return "no program given";
  const bool has_nul = std::any_of(argv.begin(), argv.end(), [](const std::string& arg) {
    return arg.find('\0') != std::string::npos;
  });
  // A NUL would end the argument early in the UTF-16 command line.
  return has_nul ? "an argument for " + argv.front() + " contains a NUL byte" : "";
}

// A started program, or the error that kept it from starting.
struct child {
  unique_handle process;
  unique_handle thread;
  DWORD error = ERROR_SUCCESS;
};

// Starts `program` with no window, inheriting only its three standard handles.
child start_child(const std::wstring& program, const std::vector<std::string>& argv, HANDLE input,
                  HANDLE output, HANDLE errors) {
  inherit_only inherit({input, output, errors});
  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof(STARTUPINFOW);
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = input;
  startup.StartupInfo.hStdOutput = output;
  startup.StartupInfo.hStdError = errors;
  DWORD flags = CREATE_NO_WINDOW;
  if (inherit.ok()) {
    startup.StartupInfo.cb = sizeof(startup);
    startup.lpAttributeList = inherit.list();
    flags |= EXTENDED_STARTUPINFO_PRESENT;
  }
  auto line = command_line(argv);  // CreateProcessW may write into it
  PROCESS_INFORMATION info{};
  child started;
  if (!CreateProcessW(program.c_str(), line.data(), nullptr, nullptr, TRUE, flags, nullptr, nullptr,
                      &startup.StartupInfo, &info)) {
    started.error = GetLastError();
    return started;
  }
  started.process.reset(info.hProcess);
  started.thread.reset(info.hThread);
  return started;
}

// The exit code, or why there is none.
void record_end(HANDLE process, const std::string& name, std::chrono::milliseconds deadline,
                program_output& result) {
  DWORD code = 0;
  if (result.timed_out) {
    result.error =
        name + " did not finish within " + std::to_string(deadline.count()) + " ms and was stopped";
  } else if (GetExitCodeProcess(process, &code) && code != STILL_ACTIVE) {
    result.exit_code = static_cast<int>(code);
  }
}

}  // namespace

std::string run_failure(const program_output& result, std::chrono::seconds deadline) {
  if (!result.started) return "could not run: " + result.error;
  if (result.timed_out) return "did not finish within " + std::to_string(deadline.count()) + " s";
  if (result.exit_code != 0) return "failed with exit code " + std::to_string(result.exit_code);
  return {};
}

program_output run_program(const std::vector<std::string>& argv,
                           std::chrono::milliseconds deadline) {
  program_output result;
  result.error = argument_problem(argv);
  if (!result.error.empty()) return result;
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
  const unique_handle input = open_nul(GENERIC_READ);
  const unique_handle errors = open_nul(GENERIC_WRITE);
  if (!input || !errors) {
    result.error = "could not open NUL for " + argv.front() + ": " + error_text(GetLastError());
    return result;
  }
  const auto started = start_child(program, argv, input.get(), pipe->write.get(), errors.get());
  if (!started.process) {
    result.error = "could not start " + argv.front() + ": " + error_text(started.error);
    return result;
  }
  result.started = true;
  // Our copy of the write end must go, or the pipe never reports the end.
  pipe->write.reset();

  collect(started.process.get(), pipe->read.get(), end, result);
  record_end(started.process.get(), argv.front(), deadline, result);
  return result;
}

}  // namespace reachback::client::platform

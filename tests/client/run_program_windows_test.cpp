// SPDX-License-Identifier: MIT
// Runs under Wine (or Windows). The test binary doubles as the child
// program: started with --child=MODE it behaves as MODE says, which gives
// the tests a program that blocks, floods or echoes its arguments.
#include "client/platform/run_program.hpp"

#include <gtest/gtest.h>
#include <windows.h>
// shellapi.h needs windows.h first.
#include <shellapi.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/platform/wide_text_windows.hpp"

namespace reachback::client::platform {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view child_flag = "--child=";

void write_out(std::string_view text) {
  DWORD written = 0;
  WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text.data(), static_cast<DWORD>(text.size()), &written,
            nullptr);
}

// Never signalled: the child waits until it is killed.
void block_forever() {
  const HANDLE never = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  WaitForSingleObject(never, INFINITE);
}

int run_child(std::string_view mode) {
  if (mode == "echo-args") {
    // The wide command line, split as the C runtime would, one "[arg]" a line.
    int count = 0;
    wchar_t** args = CommandLineToArgvW(GetCommandLineW(), &count);
    for (int i = 2; i < count; ++i) write_out("[" + narrow(args[i]) + "]\n");
    LocalFree(args);
    return 0;
  }
  if (mode == "exit-7") return 7;
  if (mode == "flood") {
    const std::string chunk(64 * 1024, 'x');
    for (std::size_t sent = 0; sent < 3 * max_program_output; sent += chunk.size()) {
      write_out(chunk);
    }
    return 0;
  }
  if (mode == "block") {
    write_out("before the deadline\n");
    block_forever();
  }
  if (mode == "close-stdout-and-block") {
    CloseHandle(GetStdHandle(STD_OUTPUT_HANDLE));
    block_forever();
  }
  return 99;
}

std::string self_path() {
  wchar_t path[MAX_PATH + 1] = {};
  const DWORD size = GetModuleFileNameW(nullptr, path, MAX_PATH);
  return narrow(std::wstring_view(path, size));
}

std::vector<std::string> child(std::string_view mode, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {self_path(), std::string(child_flag) + std::string(mode)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

TEST(run_program, cmd_echo_prints_to_stdout) {
  const auto result = run_program({"cmd", "/c", "echo", "hello"}, 10s);
  ASSERT_TRUE(result.started) << result.error;
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "hello\r\n");
  EXPECT_EQ(result.error, "");
}

TEST(run_program, a_missing_program_does_not_start_and_says_why) {
  const auto result = run_program({"reachback-no-such-program", "x"}, 2s);
  EXPECT_FALSE(result.started);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.error,
            "reachback-no-such-program was not found in the system directory or on PATH");
}

TEST(run_program, a_missing_full_path_does_not_start_and_says_why) {
  const auto result = run_program({"C:\\reachback\\missing.exe"}, 2s);
  EXPECT_FALSE(result.started);
  EXPECT_NE(result.error.find("could not start C:\\reachback\\missing.exe: "), std::string::npos)
      << result.error;
  EXPECT_NE(result.error.find("(error "), std::string::npos) << result.error;
}

TEST(run_program, no_program_is_an_error_not_a_crash) {
  EXPECT_EQ(run_program({}, 1s).error, "no program given");
  EXPECT_EQ(run_program({""}, 1s).error, "no program given");
  const auto nul = run_program({"cmd", std::string("a\0b", 3)}, 1s);
  EXPECT_FALSE(nul.started);
  EXPECT_EQ(nul.error, "an argument for cmd contains a NUL byte");
}

TEST(run_program, exit_code_is_passed_on) {
  const auto result = run_program(child("exit-7"), 10s);
  ASSERT_TRUE(result.started) << result.error;
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_FALSE(result.timed_out);
}

TEST(run_program, arguments_arrive_unchanged) {
  const std::vector<std::string> args = {
      "plain",           "with space",     "",
      "quote\"inside",   "trailing\\",     "two\\\\ then \\\"quote",
      "tab\there",       "\"",             "\\\\server\\share\\",
      "gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93 \xed\x95\x9c",  // "grüße ✓ 한" in UTF-8
  };
  const auto result = run_program(child("echo-args", args), 10s);
  ASSERT_TRUE(result.started) << result.error;
  std::string expected;
  for (const auto& arg : args) expected += "[" + arg + "]\n";
  EXPECT_EQ(result.out, expected);
  EXPECT_EQ(result.exit_code, 0);
}

TEST(run_program, output_is_bounded_and_the_program_still_finishes) {
  const auto result = run_program(child("flood"), 20s);
  ASSERT_TRUE(result.started) << result.error;
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.size(), max_program_output);
  EXPECT_EQ(result.out.find_first_not_of('x'), std::string::npos);
}

TEST(run_program, a_program_past_its_deadline_is_stopped) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = run_program(child("block"), 1500ms);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(result.started) << result.error;
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_EQ(result.out, "before the deadline\n");
  EXPECT_NE(result.error.find("did not finish within 1500 ms"), std::string::npos) << result.error;
  // The deadline is kept with GetTickCount64, which ticks every 10-16 ms.
  EXPECT_GE(took, 1450ms);
  EXPECT_LT(took, 10s);
}

TEST(run_program, a_program_that_closes_stdout_is_still_stopped_at_the_deadline) {
  const auto result = run_program(child("close-stdout-and-block"), 1500ms);
  ASSERT_TRUE(result.started) << result.error;
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.out, "");
}

}  // namespace
}  // namespace reachback::client::platform

int main(int argc, char** argv) {
  using reachback::client::platform::child_flag;
  if (argc >= 2 && std::string_view(argv[1]).substr(0, child_flag.size()) == child_flag) {
    const auto mode = std::string_view(argv[1]).substr(child_flag.size());
    return reachback::client::platform::run_child(mode);
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

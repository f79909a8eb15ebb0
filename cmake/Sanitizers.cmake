# SPDX-License-Identifier: MIT
# REACHBACK_SANITIZE=ON builds everything (libraries, programs, tests) with
# AddressSanitizer and UndefinedBehaviorSanitizer, and any report ends the
# program (-fno-sanitize-recover), so a test that trips one fails. CI uses it
# with clang in build-sanitize/, where the libFuzzer targets build too
# (REACHBACK_LIBFUZZER; tests/fuzz/CMakeLists.txt gives the parsers they
# explore libFuzzer's coverage instrumentation in the libraries themselves).
option(REACHBACK_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
set(REACHBACK_LIBFUZZER OFF)
if(REACHBACK_SANITIZE)
  set(reachback_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all)
  # clang 14's -fsanitize=function (part of `undefined` for C++) puts
  # prologue data in front of the pieces a coroutine is split into, which the
  # assembler then rejects ("Cannot represent a difference across sections")
  # in every file with an Asio coroutine. It checks calls through function
  # pointers of the wrong type, which C++ code here never makes.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    list(APPEND reachback_sanitize_flags -fno-sanitize=function)
    set(REACHBACK_LIBFUZZER ON)
  endif()
  add_compile_options(${reachback_sanitize_flags} -fno-omit-frame-pointer)
  add_link_options(${reachback_sanitize_flags})
endif()

# SPDX-License-Identifier: MIT
# REACHBACK_SANITIZE=ON builds everything (libraries, programs, tests) with
# AddressSanitizer and UndefinedBehaviorSanitizer, and any report ends the
# program (-fno-sanitize-recover), so a test that trips one fails. CI uses it
# with clang in build-sanitize/, where the libFuzzer targets build too.
option(REACHBACK_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(REACHBACK_SANITIZE)
  set(reachback_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all)
  add_compile_options(${reachback_sanitize_flags} -fno-omit-frame-pointer)
  add_link_options(${reachback_sanitize_flags})
endif()

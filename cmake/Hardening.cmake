# SPDX-License-Identifier: MIT
# The relay faces the internet, and both programs ship as Debian packages:
# they get the hardening Debian's own packages get from dpkg-buildflags,
# which lintian checks for. Fortified libc calls check buffer sizes they
# can see at compile time (they need the optimiser, so only the optimised
# configurations), and BIND_NOW with RELRO resolves every symbol at load and
# makes the relocation table read-only. Linux only: a sanitized build has
# ASan check the same calls, and mingw-w64 has no glibc to fortify.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT REACHBACK_SANITIZE)
  add_compile_definitions($<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:_FORTIFY_SOURCE=2>)
  add_link_options(LINKER:-z,relro,-z,now)
endif()

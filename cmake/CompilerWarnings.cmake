# SPDX-License-Identifier: MIT
# Linked PRIVATE into every target, so warnings never leak into consumers.
add_library(project_warnings INTERFACE)
target_compile_options(project_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
# Two false positives of g++ 12 with optimisation, both fixed in g++ 13:
# -Wrestrict inside libstdc++'s string concatenation ("x" + std::string),
# GCC bug 105329; and -Wmismatched-new-delete on Asio's coroutine frames,
# which Asio allocates and frees through its own matching pair (GCC bug
# 109224), coming and going with inlining in any file with a coroutine.
# ASan's alloc-dealloc-mismatch check still covers the latter at run time.
target_compile_options(project_warnings INTERFACE
  "$<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict;-Wno-mismatched-new-delete>")

# CI turns warnings into errors (tests/run.sh); a developer's build stays
# warnings-only, so a newer compiler's new warning never breaks it.
# The environment variable of the same name does it too, for the Windows
# build that deploy/build-windows.sh configures.
option(REACHBACK_WERROR "Treat compiler warnings as errors" OFF)
if(REACHBACK_WERROR OR "$ENV{REACHBACK_WERROR}")
  target_compile_options(project_warnings INTERFACE -Werror)
  # mingw's g++ 12 guesses -Wmaybe-uninitialized from flow analysis
  # and flags libstdc++'s own std::string members in tables of test cases
  # (tests/client/route_table_test.cpp). There it stays a warning in the
  # log; every other warning fails the build.
  target_compile_options(project_warnings INTERFACE
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<PLATFORM_ID:Windows>>:-Wno-error=maybe-uninitialized>)
endif()

# A unity build (-DCMAKE_UNITY_BUILD=ON) includes each source into a batch
# file, and g++ then takes the sources' own anonymous namespaces for a
# header's (-Wsubobject-linkage). Names that clash there fail the build
# anyway.
if(CMAKE_UNITY_BUILD)
  target_compile_options(project_warnings INTERFACE $<$<CXX_COMPILER_ID:GNU>:-Wno-subobject-linkage>)
endif()

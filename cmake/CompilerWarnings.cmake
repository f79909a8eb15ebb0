# SPDX-License-Identifier: MIT
# Linked PRIVATE into every target, so warnings never leak into consumers.
add_library(project_warnings INTERFACE)
target_compile_options(project_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
# g++ 12 at -O3 reports -Wrestrict inside libstdc++'s string concatenation
# ("x" + std::string): a false positive in system headers, GCC bug 105329,
# fixed in g++ 13. The mingw Release build is -O3.
target_compile_options(project_warnings INTERFACE
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)

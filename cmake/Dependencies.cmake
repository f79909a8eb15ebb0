# SPDX-License-Identifier: MIT
# Every dependency is a Debian 12 package; nothing is downloaded at build time.
find_package(Threads REQUIRED)

if(WIN32 AND CMAKE_CROSSCOMPILING)
  include(${CMAKE_CURRENT_LIST_DIR}/WindowsHeaderOnly.cmake)
  return()
endif()

find_package(CLI11 CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)

# Standalone Asio ships no CMake config: find the header and wrap it.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(asio INTERFACE)
add_library(asio::asio ALIAS asio)
target_include_directories(asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(asio INTERFACE Threads::Threads)
# clang 14 (sanitizer and fuzzer builds, clang-tidy) supports C++20
# coroutines, but Asio 1.22 detects them only for g++ and MSVC.
target_compile_definitions(asio INTERFACE
  $<$<CXX_COMPILER_ID:Clang>:ASIO_HAS_CO_AWAIT=1 ASIO_HAS_STD_COROUTINE=1>)

# SPDX-License-Identifier: MIT
# The Windows cross build takes the same Debian packages, header-only.
# Debian's CMake configs for CLI11, toml++ and nlohmann-json add
# -isystem /usr/include, which puts glibc's headers in front of mingw's and
# breaks the build. So the build tree gets a directory that holds links to
# just these libraries' headers, and INTERFACE targets with the usual names
# point there. toml++ is compiled into the program (TOML_HEADER_ONLY=1):
# Debian ships its library for Linux only.
set(host_include /usr/include CACHE PATH "Where Debian's header-only libraries are")
set(header_links ${CMAKE_BINARY_DIR}/debian-headers)
file(MAKE_DIRECTORY ${header_links})
foreach(entry asio asio.hpp CLI toml++ nlohmann)
  if(NOT EXISTS ${host_include}/${entry})
    message(FATAL_ERROR "${host_include}/${entry} is missing: run ./deploy/install-deps.sh")
  endif()
  file(CREATE_LINK ${host_include}/${entry} ${header_links}/${entry} SYMBOLIC)
endforeach()

# Targets for Windows 10 and later: the console's ANSI colour and the
# firewall API the client uses need it.
set(windows_definitions _WIN32_WINNT=0x0A00 WINVER=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)

add_library(asio INTERFACE)
add_library(asio::asio ALIAS asio)
target_include_directories(asio SYSTEM INTERFACE ${header_links})
target_compile_definitions(asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED ${windows_definitions})
target_link_libraries(asio INTERFACE Threads::Threads ws2_32 mswsock)

foreach(lib CLI11::CLI11 tomlplusplus::tomlplusplus nlohmann_json::nlohmann_json)
  string(REPLACE "::" "_" name ${lib})
  add_library(${name} INTERFACE)
  add_library(${lib} ALIAS ${name})
  target_include_directories(${name} SYSTEM INTERFACE ${header_links})
  target_compile_definitions(${name} INTERFACE ${windows_definitions})
endforeach()
target_compile_definitions(tomlplusplus_tomlplusplus INTERFACE TOML_HEADER_ONLY=1)

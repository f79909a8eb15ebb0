#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cross-builds the Windows client with Debian's mingw-w64:
#   ./deploy/build-windows.sh      ->  build-windows/client/probe-client.exe
# One static PE32+ executable that needs no DLL beyond Windows' own. Also
# builds the Windows unit tests, which ./tests/run.sh runs under Wine.
# Arguments go to CMake's configure step (tests/run.sh:
# -DREACHBACK_CTEST_PER_PROGRAM=ON).
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh
# The Wine end-to-end test probes through the Linux relay of ./build.
relay=${REACHBACK_LINUX_RELAY:-$PWD/build/relay/probe-relay}
cmake -S . -B build-windows -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64.cmake \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DREACHBACK_LINUX_RELAY="$relay" "$@" >/dev/null
cmake --build build-windows -j "$(nproc)"
exe=build-windows/client/probe-client.exe
echo "build-windows: $exe ($(stat -c %s "$exe") bytes): $(file -b "$exe" 2>/dev/null || echo PE32+)"

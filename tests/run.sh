#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs every test through ctest:
# unit, end-to-end on loopback, CLI smoke, fuzz replay and the network lab on
# Linux; and cross-builds the Windows client and its tests. Arguments go to
# ctest (e.g. -R verdict).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "run.sh: $*" >&2; }

say "checking build dependencies (a fresh machine installs about 1 GB of Debian packages first)"
./deploy/install-deps.sh
say "building the Linux tree in build/ (about 5 minutes the first time on 2 cores, seconds after)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
say "cross-building the Windows client in build-windows/ (about 3 minutes the first time)"
./deploy/build-windows.sh

status=0
say "Linux tests"
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@" || status=$?
# The Windows tests pass under Wine when run from a shell that prepared the
# prefix (tests/windows/wine-run.sh --boot build-windows/wine-prefix, then
# ctest --test-dir build-windows), but from a fresh clone ctest's listing of
# the test programs under Wine hangs until its timeout: not yet in this run.
exit "$status"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs every test through ctest:
# unit, end-to-end on loopback, CLI smoke, fuzz replay and the network lab on
# Linux; then the Windows client's unit tests and its end-to-end test under
# Wine. Arguments go to both ctest runs (e.g. -R verdict).
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

prefix=$PWD/build-windows/wine-prefix
say "preparing the Wine prefix (about 20 s the first time)"
tests/windows/wine-run.sh --boot "$prefix"
# The persistent wineserver and Wine's system processes go when the tests are done.
trap 'WINEPREFIX="$prefix" /usr/lib/wine/wineserver -k >/dev/null 2>&1 || true' EXIT

status=0
say "Linux tests"
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@" || status=$?
say "Windows tests, under Wine"
ctest --test-dir build-windows --output-on-failure -j "$(nproc)" "$@" || status=$?
exit "$status"

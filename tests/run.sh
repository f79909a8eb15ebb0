#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The one test command, and CI's (.ci/run). Installs what is missing, builds
# the Linux programs in build/ (g++, warnings as errors), then runs four legs
# side by side:
#   tests     the tests that drive the real, unsanitized programs from
#             build/: the serial network lab, the benchmarks' smoke runs,
#             the packages, a relay out of descriptors;
#   windows   cross-builds the Windows client and its tests with mingw-w64
#             (build-windows/), then runs them under Wine;
#   sanitize  clang with ASan+UBSan in build-sanitize/: every other test
#             (unit, loopback, end to end, fuzz replays), then each libFuzzer
#             target for 60 s on its checked-in corpus;
#   tidy      clang-tidy (.clang-tidy) over every product source.
# Each test runs once: the unit tests under the sanitizers, the lab against
# the optimised programs that ship. The lab and Wine mostly wait, so the
# other legs run nice'd in the CPU they leave. Each leg logs to
# build/ci/LEG.log and prints its lines with a [LEG] prefix; the summary at
# the end gives every step's time and names the legs that failed.
# Arguments go to every ctest run of the tests, windows and sanitize legs
# (e.g. -R verdict). REACHBACK_CHECKS=0 leaves out the sanitize and tidy
# legs and builds every test in build/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "run.sh: $*" >&2; }
jobs=$(nproc)
log_dir=$PWD/build/ci
timings=$log_dir/timings
checks=${REACHBACK_CHECKS:-1}

# CPU seconds (user + system) of this shell's finished children: what a
# step cost, however busy the machine was.
# children_cpu PID
children_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($16 + $17) / hz }' "/proc/$1/stat"; }

# timed LEG STEP COMMAND...: runs COMMAND and records its wall and CPU time.
timed() {
  local leg=$1 step=$2 start=$SECONDS shell=$BASHPID cpu status=0
  shift 2
  cpu=$(children_cpu "$shell")
  "$@" || status=$?
  echo "$leg $step $((SECONDS - start)) $(($(children_cpu "$shell") - cpu)) $status" >>"$timings"
  return "$status"
}

tests_leg() {
  timed tests linux-ctest ctest --test-dir build --output-on-failure -j "$jobs" "$@"
}

windows_leg() {
  REACHBACK_WERROR=ON timed windows build ./deploy/build-windows.sh -DREACHBACK_CTEST_PER_PROGRAM=ON \
    -DCMAKE_UNITY_BUILD=ON || return 1
  timed windows wine-boot tests/windows/wine-run.sh --boot "$wine_prefix" || return 1
  timed windows wine-ctest ctest --test-dir build-windows --output-on-failure -j "$jobs" "$@"
}

sanitize_leg() {
  local status=0
  timed sanitize build cmake --build build-sanitize -j "$jobs" || return 1
  # Not the lab, the bench smoke tests or the deploy tests: the tests leg runs
  # those, and the lab's lock does not reach across two ctest processes. Not
  # the descriptor starvation either (fd_starvation, tests/e2e/CMakeLists.txt).
  timed sanitize ctest ctest --test-dir build-sanitize --output-on-failure -j "$jobs" \
    -E '^(lab|bench|deploy)\.' -LE 'libfuzzer|fd_starvation' "$@" || status=1
  timed sanitize libfuzzer ctest --test-dir build-sanitize --output-on-failure -j "$jobs" \
    -L libfuzzer || status=1
  return "$status"
}

# clang-tidy once per product source (tests are not tidied, for CPU); every
# one must pass. Without the precompiled headers: the sanitize leg is still
# building them, and with one clang-tidy walks all of Asio, nlohmann/json and
# the standard library in every source (twice the time on a small one).
tidy_leg() {
  mkdir -p build-tidy
  jq --arg root "$PWD/" '
    [unique_by(.file)[] | select(.file | ltrimstr($root) | test("^(common|config|relay|client)/"))
     | .command |= gsub(" -Xclang -include-pch -Xclang [^ ]+ -Xclang -include -Xclang [^ ]+"; "")]
  ' build-sanitize/compile_commands.json >build-tidy/compile_commands.json
  echo "clang-tidy: $(jq length build-tidy/compile_commands.json) sources"
  timed tidy clang-tidy run-clang-tidy -p build-tidy -j "$jobs" -quiet
}

# start_leg NAME NICENESS FUNCTION [ARGS...]: runs FUNCTION in the background,
# logged whole to build/ci/NAME.log and printed with a [NAME] prefix.
declare -A leg_pids
start_leg() {
  local name=$1 niceness=$2
  shift 2
  (
    renice -n "$niceness" -p "$BASHPID" >/dev/null
    "$@" 2>&1 | tee "$log_dir/$name.log" | sed -u "s/^/[$name] /"
  ) &
  leg_pids[$name]=$!
}

summary() {
  say "summary (the legs ran side by side; CPU is user + system over all cores)"
  awk '{ printf "  %-9s %-13s %5d s wall %6d s CPU  %s\n", $1, $2, $3, $4, ($5 == 0 ? "ok" : "FAILED") }' \
    "$timings" >&2
}

start=$SECONDS
mkdir -p "$log_dir"
: >"$timings"
say "checking build dependencies (a fresh machine installs about 1 GB of Debian packages first)"
timed setup install-deps ./deploy/install-deps.sh
say "building the Linux programs in build/ (about 3 minutes the first time on 2 cores, seconds after)"
# Configured for /usr so that the deploy tests package this very tree; line
# tables only (-g1): backtraces name file and line, at a third less build.
# The g++ and mingw builds are unity builds (CMAKE_UNITY_BUILD, 8 sources a
# batch): Asio and the standard library are compiled once a batch, not once a
# source, for a third to two fifths less CPU on a clean build (measured: g++
# 557 -> 319 CPU-s, mingw 576 -> 384), which pays for every fuzzer's full
# minute. Every
# Linux source is still compiled on its own by the sanitize build and
# clang-tidy, so a missing include still fails CI. Two sources of a batch
# that each define a private helper of the same name fail a unity build:
# that is how ten rules written twice were found.
system_tests_only=$([ "$checks" != 0 ] && echo ON || echo OFF)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DREACHBACK_WERROR=ON \
  -DREACHBACK_SYSTEM_TESTS_ONLY="$system_tests_only" -DCMAKE_INSTALL_PREFIX=/usr \
  -DCMAKE_UNITY_BUILD=ON >/dev/null
timed setup build cmake --build build -j "$jobs"

wine_prefix=$PWD/build-windows/wine-prefix
# The persistent wineserver and Wine's system processes go when the tests are done.
trap 'WINEPREFIX="$wine_prefix" /usr/lib/wine/wineserver -k >/dev/null 2>&1 || true' EXIT

if [ "$checks" != 0 ]; then
  # A Debug build at -O0 with line tables: sanitizer reports name file and
  # line, asserts are on, and clang compiles ASan code three times faster
  # than at -O1. Warnings are errors here too: the Linux-only tests are
  # compiled by clang alone. Every fuzzer gets its minute, also in a
  # build-sanitize/ that cached another REACHBACK_FUZZ_SECONDS.
  cmake -S . -B build-sanitize -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -gline-tables-only" \
    -DREACHBACK_SANITIZE=ON -DREACHBACK_WERROR=ON -DREACHBACK_FUZZ_SECONDS=60 \
    -DREACHBACK_CTEST_PER_PROGRAM=ON \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
fi

say "starting the legs; whole logs in $log_dir"
start_leg tests 0 tests_leg "$@"
start_leg windows 5 windows_leg "$@"
if [ "$checks" != 0 ]; then
  start_leg sanitize 10 sanitize_leg "$@"
  start_leg tidy 15 tidy_leg
fi

failed=()
for leg in "${!leg_pids[@]}"; do
  wait "${leg_pids[$leg]}" || failed+=("$leg")
done
echo "total all $((SECONDS - start)) $(children_cpu $$) ${#failed[@]}" >>"$timings"
summary
if [ ${#failed[@]} -ne 0 ]; then
  say "FAILED: ${failed[*]} (whole logs: $log_dir/<leg>.log)"
  exit 1
fi
say "all legs passed in $((SECONDS - start)) s"

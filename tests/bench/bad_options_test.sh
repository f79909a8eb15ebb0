#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every bad timing or tool option of bench.sh and bench_scenario.sh gets its one-line
# error and exit code 2 before anything is built or run (options.sh).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
failures=0

expect_rejected() {
  local expected=$1 err rc
  shift
  err=$("$@" 2>&1 >/dev/null)
  rc=$?
  if [[ $rc != 2 || $err != "bench: $expected" ]]; then
    echo "FAIL: $* exited $rc with '$err', expected 2 and 'bench: $expected'" >&2
    failures=$((failures + 1))
  fi
}

for script in "$here/bench.sh" "$here/bench_scenario.sh reachable --results /nonexistent"; do
  read -ra command <<<"$script"
  expect_rejected "--runs must be 1..999" "${command[@]}" --runs 0
  expect_rejected "--runs must be 1..999" "${command[@]}" --runs 1000
  expect_rejected "--delay needs whole milliseconds" "${command[@]}" --delay 2.5
  expect_rejected "--pause needs seconds" "${command[@]}" --pause -1
  expect_rejected "--tool-timeout needs whole seconds" "${command[@]}" --tool-timeout 0
  expect_rejected "--tools: unknown tool 'ping' (client, nmap, firewalk, traceroute)" \
    "${command[@]}" --tools client,ping
done
((failures == 0)) && echo "bench options: every bad value rejected"
exit $((failures > 0))

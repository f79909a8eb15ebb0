#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 10's port exhaustion attack on the relay, in a network namespace of
# its own whose ephemeral port range holds 1,000 ports: the test program
# (tests/relay/port_exhaustion_test.cpp) runs an in-process relay and 10
# sources x 20 probes on that namespace's loopback, and checks that no
# probe comes back with a local shortage passed off as a network outcome.
#
#   relay_port_exhaustion.sh TEST_PROGRAM
#
# Needs root. The namespace is rbl<pid>-exhaust (lab.sh's prefix, so the
# lab's reaper removes it should this script be killed with -9); it goes on
# exit, failure and Ctrl-C, and the program may run for 90 s at most.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: relay_port_exhaustion.sh TEST_PROGRAM" >&2; exit 2; }
program=$1
[[ -x $program ]] || { echo "relay_port_exhaustion: $program is not an executable" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "relay_port_exhaustion: needs root (ip netns)" >&2; exit 1; }

readonly ns="rbl$$-exhaust"
teardown() {
  local pids
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  # shellcheck disable=SC2086 # one pid per word
  [[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$ns"
ip -n "$ns" link set lo up
# Per namespace: the rest of the machine keeps its own range.
ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="40000 40999"
ip netns exec "$ns" timeout --kill-after=5 90 "$program" --gtest_color=no

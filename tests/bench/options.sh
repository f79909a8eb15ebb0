#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What bench.sh and bench_scenario.sh share: the one-line error with exit
# code 2, and the checks of the timing options both accept. Source it; it
# defines functions only.

die() {
  echo "bench: $*" >&2
  exit 2
}

# check_timing_options RUNS DELAY_MS PAUSE_S TOOL_TIMEOUT_S
check_timing_options() {
  [[ $1 =~ ^[1-9][0-9]{0,2}$ ]] || die "--runs must be 1..999"
  [[ $2 =~ ^[0-9]+$ ]] || die "--delay needs whole milliseconds"
  [[ $3 =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--pause needs seconds"
  [[ $4 =~ ^[1-9][0-9]*$ ]] || die "--tool-timeout needs whole seconds"
}

# check_tools TOOL...: each one of client, nmap, firewalk, traceroute.
check_tools() {
  (($#)) || die "--tools needs at least one of client,nmap,firewalk,traceroute"
  local tool
  for tool in "$@"; do
    case $tool in
      client | nmap | firewalk | traceroute) ;;
      *) die "--tools: unknown tool '$tool' (client, nmap, firewalk, traceroute)" ;;
    esac
  done
}

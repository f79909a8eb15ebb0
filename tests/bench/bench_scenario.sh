#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One scenario of the benchmark; bench.sh runs it once per scenario, so that
# every scenario gets a fresh lab and lab.sh's own traps tear it down.
#
# It builds the lab ONCE, with a one-way delay on each internet link (a
# reachback-lab-wire), starts probe-relay in the relay namespace with
# relay-bench.toml, and then, RUNS times, runs and times each tool:
#
#   client      probe-client --json on the laptop
#   nmap        nmap -Pn -n -sS -p 3000 --traceroute 198.51.100.2   (relay namespace)
#   firewalk    nmap -Pn -n --script firewalk --traceroute -p 3000 198.51.100.2
#   traceroute  traceroute -n -T -p 3000 198.51.100.2               (bounded: -q 1 -w 1 -m 8)
#
# A UDP scenario (probe-client --udp) gets the same tools in their UDP
# modes: nmap -sU, firewalk with -sU, traceroute -U. An IPv6-only scenario
# (probe-client -6, scenarios6.sh) gets them with -6, aimed at the laptop's
# own address (2001:db8:1000:1::23): IPv6 has no NAT, so that is what a user
# would scan. Dual-family scenarios keep the IPv4 peers. probe-client gets
# the scenario's --relay (relay.test, both relay addresses, for scenarios6.sh).
#
# pausing PAUSE seconds (not timed) after each tool so that the routers' ICMP
# rate limits refill. Output, in OUTDIR:
#
#   run<N>.<tool>.out, .err   what the tool printed
#   times.tsv                 run, tool, wall-clock ms, exit status (tab separated)
#   commands.txt              each tool's exact command line
#   scenario.txt              the scenario's title
#   protocol.txt              tcp or udp, what probe-client and the tools probe
#
#   bench_scenario.sh NAME --results OUTDIR [--runs N] [--delay MS] [--pause S]
#                     [--tool-timeout S] [--tools LIST] [--relay-bin P] [--client-bin P]
#                     [--wire-bin P]
#
# --tools takes a comma-separated subset of client,nmap,firewalk,traceroute
# (default: all four, in that order).
#
# nmap and traceroute only ever run inside the relay namespace and only ever
# target the lab's public address or the laptop's IPv6 address; the lab is
# never connected to this machine's network.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/../lab/lab.sh
source "$repo/tests/lab/lab.sh"
# shellcheck source=SCRIPTDIR/../lab/scenarios.sh
source "$repo/tests/lab/scenarios.sh"
# shellcheck source=SCRIPTDIR/../lab/scenarios6.sh
source "$repo/tests/lab/scenarios6.sh"
# shellcheck source=SCRIPTDIR/options.sh
source "$here/options.sh"

name=""
outdir=""
runs=5
delay_ms=20
pause_s=1.1
tool_timeout=150
client_timeout=40
tools=(client nmap firewalk traceroute)
relay_bin=${REACHBACK_RELAY:-$repo/build/relay/probe-relay}
client_bin=${REACHBACK_CLIENT:-$repo/build/client/probe-client}
LAB_WIRE_BIN=${LAB_WIRE_BIN:-$repo/build/tests/lab/reachback-lab-wire}
readonly RELAY_CONFIG=$here/relay-bench.toml


parse_args() {
  while (($#)); do
    case $1 in
      --results) outdir=${2:?}; shift 2 ;;
      --runs) runs=${2:?}; shift 2 ;;
      --delay) delay_ms=${2:?}; shift 2 ;;
      --pause) pause_s=${2:?}; shift 2 ;;
      --tool-timeout) tool_timeout=${2:?}; shift 2 ;;
      --tools) IFS=, read -r -a tools <<<"${2:?}"; shift 2 ;;
      --relay-bin) relay_bin=${2:?}; shift 2 ;;
      --client-bin) client_bin=${2:?}; shift 2 ;;
      --wire-bin) LAB_WIRE_BIN=${2:?}; shift 2 ;;
      -*) die "unknown option '$1'" ;;
      *) [[ -z $name ]] || die "one scenario only"; name=$1; shift ;;
    esac
  done
  [[ -n $name && -n $outdir ]] || die "usage: bench_scenario.sh NAME --results OUTDIR [options]"
  scenario_exists "$name" || die "unknown scenario '$name'"
  check_timing_options "$runs" "$delay_ms" "$pause_s" "$tool_timeout"
  check_tools "${tools[@]}"
  [[ -d $outdir ]] || die "no results directory '$outdir'"
}

# The scenarios call `lab_up TOPOLOGY [options]`; the benchmark wants the
# delay on every one of them without editing scenarios.sh, so lab_up is
# wrapped. The bench's --delay comes first: a scenario that sets its own
# delay (lossy-room-no-forward) keeps it, since lab_up's last option wins.
wrap_lab_up() {
  eval "$(declare -f lab_up | sed '1s/^lab_up /bench_lab_up_unwrapped /')"
  lab_up() {
    local topology=${1:-double}
    shift || true
    bench_lab_up_unwrapped "$topology" --delay "$delay_ms" "$@"
  }
}

start_relay() {
  local v6="[$LAB_RELAY_V6]:4750"
  lab_spawn relay relay "$relay_bin" --config "$RELAY_CONFIG" --listen "$LAB_RELAY_ADDR:4750" --listen "$v6"
  lab_wait_log "$LAB_DIR/relay.log" "probe-relay: listening on $v6" "$LAB_LAST_PID" "probe-relay"
}

# 6 when the scenario has probe-client test IPv6 alone, else 4.
peer_family() {
  local arg
  for arg in "${SCENARIO_CLIENT_ARGS[@]}"; do
    [[ $arg != -6 ]] || { echo 6; return; }
  done
  echo 4
}

# Sets the command arrays of the four tools, for protocol PROTO (tcp or udp)
# and the peers' address family FAMILY (4 or 6).
define_tools() {
  local proto=$1 family=$2 relay_ns laptop_ns nmap_scan=-sS trace_mode=-T
  local target=$LAB_PUBLIC_ADDR family_flag=()
  relay_ns=$(lab_ns relay)
  laptop_ns=$(lab_ns laptop)
  [[ $proto != udp ]] || { nmap_scan=-sU trace_mode=-U; }
  [[ $family != 6 ]] || { target=$LAB_LAPTOP_V6 family_flag=(-6); }
  cmd_client=(timeout --kill-after=5 "$client_timeout" ip netns exec "$laptop_ns"
    "$client_bin" --relay "${SCENARIO_RELAY:-$LAB_RELAY_ADDR}" --port "$LAB_PORT" --json
    "${SCENARIO_CLIENT_ARGS[@]}")
  cmd_nmap=(timeout --kill-after=5 "$tool_timeout" ip netns exec "$relay_ns"
    nmap "${family_flag[@]}" -Pn -n "$nmap_scan" -p "$LAB_PORT" --traceroute "$target")
  # firewalk probes only filtered ports; with one port, max-probed-ports=1
  # changes nothing but states the bound. max-retries=1 matches the relay
  # sweep's retries = 1 (the script's default is 2, which takes about 3
  # minutes when every hop past the first is silent).
  local firewalk_args=firewalk.max-probed-ports=1,firewalk.max-retries=1
  # For UDP, -sU makes nmap scan (and firewalk probe) the UDP port.
  local firewalk_scan=()
  [[ $proto != udp ]] || firewalk_scan=(-sU)
  cmd_firewalk=(timeout --kill-after=5 "$tool_timeout" ip netns exec "$relay_ns"
    nmap "${family_flag[@]}" -Pn -n "${firewalk_scan[@]}" --script firewalk --script-args "$firewalk_args"
    --traceroute -p "$LAB_PORT" "$target")
  # -U keeps the port fixed at -p's (traceroute's -p alone would count up).
  cmd_traceroute=(timeout --kill-after=5 "$tool_timeout" ip netns exec "$relay_ns"
    traceroute "${family_flag[@]}" -n "$trace_mode" -p "$LAB_PORT" -q 1 -w 1 -m 8 "$target")
  {
    printf 'client\t%s\n' "${cmd_client[*]}"
    printf 'nmap\t%s\n' "${cmd_nmap[*]}"
    printf 'firewalk\t%s\n' "${cmd_firewalk[*]}"
    printf 'traceroute\t%s\n' "${cmd_traceroute[*]}"
  } >"$outdir/commands.txt"
}

# Microseconds since the epoch, without forking.
now_us() {
  local t=${EPOCHREALTIME/[.,]/}
  echo "$t"
}

# time_tool RUN TOOL: runs cmd_TOOL, appends its wall-clock time to
# times.tsv. The tool runs in the background and is waited for, so that a
# SIGTERM reaches lab.sh's trap at once instead of after the tool ends.
time_tool() {
  local run=$1 tool=$2 start end rc=0 pid
  local -n cmd="cmd_$tool"
  start=$(now_us)
  "${cmd[@]}" >"$outdir/run$run.$tool.out" 2>"$outdir/run$run.$tool.err" &
  pid=$!
  wait "$pid" || rc=$?
  end=$(now_us)
  printf '%s\t%s\t%s\t%s\n' "$run" "$tool" "$(((end - start) / 1000))" "$rc" >>"$outdir/times.tsv"
  echo "bench: $name run $run: $tool $(((end - start) / 1000)) ms (exit $rc)" >&2
}

# Interruptible, like run_scenario.sh's hold.
pause() {
  sleep "$pause_s" &
  wait $!
}

main() {
  parse_args "$@"
  [[ -x $relay_bin ]] || die "probe-relay not found at '$relay_bin' (ninja -C build probe-relay, or --relay-bin)"
  [[ -x $client_bin ]] || die "probe-client not found at '$client_bin' (ninja -C build probe-client, or --client-bin)"
  lab_require_commands nmap traceroute jq
  [[ -e /usr/share/nmap/scripts/firewalk.nse ]] || die "nmap's firewalk script is missing"
  LAB_QUIET=1
  wrap_lab_up
  lab_init
  scenario_run "$name"
  echo "$SCENARIO_TITLE" >"$outdir/scenario.txt"
  client_protocol >"$outdir/protocol.txt"
  start_relay
  define_tools "$(client_protocol)" "$(peer_family)"
  : >"$outdir/times.tsv"
  local run tool
  for ((run = 1; run <= runs; run++)); do
    for tool in "${tools[@]}"; do
      time_tool "$run" "$tool"
      pause
    done
  done
  cp "$LAB_DIR/relay.log" "$outdir/relay.log"
}

main "$@"

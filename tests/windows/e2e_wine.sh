#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# probe-client.exe under Wine against the Linux probe-relay, on loopback only:
#   e2e_wine.sh PROBE_RELAY PROBE_CLIENT_EXE WINE_RUN RELAY_CONFIG
# Checks: a free port is reachable (exit 0); a port held by another program,
# with --listen, is a bind conflict (exit 1); bad flags exit 2 and a relay
# that refuses exits 3, each with one line naming the problem.
set -euo pipefail

relay_bin=$1 exe=$2 wine_run=$3 relay_config=$4
fail() { echo "e2e_wine: $*" >&2; exit 1; }
[ -n "$relay_bin" ] || fail "no probe-relay given: configure with -DREACHBACK_LINUX_RELAY=build/relay/probe-relay (deploy/build-windows.sh does)"
[ -x "$relay_bin" ] || fail "probe-relay '$relay_bin' is not an executable: build the Linux tree first"
command -v jq >/dev/null || fail "jq is missing: run ./deploy/install-deps.sh"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

client() { "$wine_run" "$exe" "$@"; }

# The relay prints its address once it listens; wait for that line, bounded.
mkfifo "$work/relay.out"
"$relay_bin" --config "$relay_config" --listen 127.0.0.1:0 >"$work/relay.out" 2>&1 &
pids+=($!)
exec 3<"$work/relay.out"
relay=""
while IFS= read -r -t 10 line <&3; do
  case "$line" in *"probe-relay: listening on "*) relay=${line##*listening on }; relay=${relay%% *}; break ;; esac
done
[ -n "$relay" ] || fail "probe-relay did not say it was listening within 10 s"
cat <&3 >/dev/null &  # keep draining its log so it never blocks on a full pipe
pids+=($!)

# A port nobody on this host listens on. Chosen at random from a high range
# and checked, so parallel tests do not collide; the client binds it itself.
# A port below the kernel's ephemeral range, so no outgoing connection of a
# test running beside this one takes it between the check and its use.
pick_free_port() {
  local port first_ephemeral
  read -r first_ephemeral _ </proc/sys/net/ipv4/ip_local_port_range
  for _ in $(seq 50); do
    port=$((10000 + RANDOM % (first_ephemeral - 10000)))
    ss -Htan "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
  fail "no free port found in 50 tries"
}

expect_json() {  # expect_json EXIT CAUSE -- ARGS...
  local want_exit=$1 want_cause=$2; shift 3
  local rc=0
  client --relay "$relay" --json "$@" >"$work/report.json" 2>"$work/stderr" || rc=$?
  [ "$rc" -eq "$want_exit" ] || fail "probe-client.exe $* exited $rc, want $want_exit: $(cat "$work/stderr")"
  local cause os
  cause=$(jq -r .verdict.cause "$work/report.json") || fail "not JSON: $(head -c 300 "$work/report.json")"
  os=$(jq -r .host_os "$work/report.json")
  [ "$cause" = "$want_cause" ] || fail "probe-client.exe $* gave cause $cause, want $want_cause"
  [ "$os" = "windows" ] || fail "report says host_os $os, want windows"
  echo "ok: $* -> exit $rc, $cause"
}

expect_line() {  # expect_line EXIT PATTERN -- ARGS...
  local want_exit=$1 pattern=$2; shift 3
  local rc=0
  client "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
  [ "$rc" -eq "$want_exit" ] || fail "probe-client.exe $* exited $rc, want $want_exit"
  [ "$(grep -c . "$work/stderr")" -eq 1 ] || fail "probe-client.exe $* printed not one line: $(cat "$work/stderr")"
  grep -q -- "$pattern" "$work/stderr" || fail "probe-client.exe $*: '$(cat "$work/stderr")' lacks '$pattern'"
  echo "ok: $* -> exit $rc, one line"
}

free=$(pick_free_port)
expect_json 0 reachable -- --port "$free"

held=$(pick_free_port)
socat TCP-LISTEN:"$held",bind=0.0.0.0,reuseaddr,fork /dev/null &
pids+=($!)
for _ in $(seq 100); do ss -Htln "sport = :$held" | grep -q . && break; sleep 0.05; done
expect_json 1 bind_conflict -- --port "$held" --listen

expect_line 2 "70000" -- --relay "$relay" --port 70000
refused=$(pick_free_port)
expect_line 3 "connection refused" -- --relay 127.0.0.1:"$refused" --port "$free"

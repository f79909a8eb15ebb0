#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The frame-flood benchmark (issue 10): how long a genuine probe takes while
# one source floods probe-relay with 64 KiB junk frames ("[[[[..."), next to
# the same probes without a flood, and how much relay CPU each junk frame
# costs. Loopback only, bounded in time; run by hand:
#
#   relay_flood.sh [--relay-bin PATH] [--probes N] [--seconds S]
#
#   --relay-bin PATH  probe-relay to measure (default build/relay/probe-relay)
#   --probes N        genuine probes per row (default 200)
#   --seconds S       how long each flood lasts (default 10); the probes run inside it
#
# Rows: no flood; junk as the hello (before the welcome); junk as a probe
# request (after a proper hello); and idle connections, 250 sources x 4
# that never say hello (the relay's pool is 256), reopened when closed. Exit status 0 when every genuine probe
# verified and each median is at most 50 ms, 1 otherwise, 2 for bad
# arguments. Needs python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
relay_bin=$repo/build/relay/probe-relay
probes=200
seconds=10
readonly TARGET_MEDIAN_MS=50

usage() { echo "relay_flood.sh: $1" >&2; exit 2; }
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || usage "$1 needs a positive integer, got '$2'"; }
while (($#)); do
  case $1 in
    --relay-bin) [[ $# -ge 2 ]] || usage "--relay-bin needs a path"; relay_bin=$2; shift 2 ;;
    --probes) [[ $# -ge 2 ]] || usage "--probes needs a number"; positive "$1" "$2"; probes=$2; shift 2 ;;
    --seconds) [[ $# -ge 2 ]] || usage "--seconds needs a number"; positive "$1" "$2"; seconds=$2; shift 2 ;;
    *) usage "unknown option '$1'" ;;
  esac
done
[[ -x $relay_bin ]] || usage "no probe-relay at $relay_bin (build it, or pass --relay-bin)"

work=$(mktemp -d)
relay_pid=""
cleanup() {
  [[ -n $relay_pid ]] && kill "$relay_pid" 2>/dev/null && wait "$relay_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Only keys every relay version knows, so an older build can be compared.
cat >"$work/relay.toml" <<'TOML'
listen = ["127.0.0.1:0"]
[limits]
sessions_per_ip = 4
probes_per_minute = 1000000
sessions_total = 256
TOML
"$relay_bin" --config "$work/relay.toml" 2>"$work/relay.log" &
relay_pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/^probe-relay: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/relay.log")
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { echo "relay_flood.sh: the relay did not start:" >&2; cat "$work/relay.log" >&2; exit 1; }

# The relay's CPU so far (user + system), in clock ticks.
relay_ticks() { awk '{print $14 + $15}' "/proc/$relay_pid/stat"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))

# median, p90 and failures of one column of timings (FAIL lines count as failures).
summarize() {
  sort -n "$1" | awk '/^FAIL/ {f++; next} {v[n++] = $1}
    END {if (n == 0) {print "- - " f+0; exit}
         printf "%.1f %.1f %d\n", v[int((n - 1) / 2)], v[int((n - 1) * 0.9)], f + 0}'
}

status=0
row() {  # name, timings file, junk frames answered, relay ticks spent
  read -r median p90 failed < <(summarize "$2")
  local per_frame="-"
  if [[ $3 -gt 0 ]]; then per_frame="$(($4 * tick_us / $3)) µs"; fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$median" "$p90" "$failed" "$3" "$per_frame"
  if [[ $failed != 0 || $median == - ]] || awk -v m="$median" -v t="$TARGET_MEDIAN_MS" 'BEGIN {exit !(m > t)}'; then
    status=1
  fi
}

echo "probe-relay: $relay_bin"
echo "| flood | median ms | p90 ms | failed | junk frames answered | relay CPU per junk frame |"
echo "|---|---|---|---|---|---|"
python3 "$here/relay_flood.py" probe --relay "$port" --count "$probes" >"$work/none.txt"
row "none" "$work/none.txt" 0 0
for mode in hello request; do
  before=$(relay_ticks)
  python3 "$here/relay_flood.py" flood --relay "$port" --mode "$mode" --seconds "$seconds" >"$work/flood-$mode.txt" &
  flood_pid=$!
  sleep 1  # let the flood get going before timing anything
  python3 "$here/relay_flood.py" probe --relay "$port" --count "$probes" >"$work/$mode.txt"
  wait "$flood_pid"
  spent=$(($(relay_ticks) - before))
  row "junk as $mode" "$work/$mode.txt" "$(cat "$work/flood-$mode.txt")" "$spent"
done
python3 "$here/relay_flood.py" idle --relay "$port" --seconds "$seconds" >"$work/flood-idle.txt" &
flood_pid=$!
sleep 1
python3 "$here/relay_flood.py" probe --relay "$port" --count "$probes" >"$work/idle.txt"
wait "$flood_pid"
row "250 x 4 idle" "$work/idle.txt" 0 0
exit "$status"

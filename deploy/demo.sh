#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A guided tour of reachback: installs what is missing, builds probe-relay
# and probe-client, then builds a small home network inside this machine
# (network namespaces; nothing touches your real network) and shows
# probe-client's report for a handful of typical "why can't anyone reach my
# server?" situations, tearing the lab down between them.
#
#   sudo ./deploy/demo.sh [--no-build] [--build-dir DIR] [--jobs N] [SCENARIO...]
#
#   --no-build       use the programs already built
#   --build-dir DIR  where to build (default: build)
#   --jobs N         parallel build jobs (default: all cores)
#   SCENARIO         show only these (tests/lab/run_scenario.sh --list names them all)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# hub-stale-forward is the ambiguous one: the evidence leaves two routers,
# and the report names both and what tells them apart. upnp-wrong-target
# shows a router's own UPnP table naming the wrong target exactly, and
# fix-double-nat runs --fix, which maps the port on both routers and probes
# again. wrong-family is a server on IPv6 only, probed over IPv4, and
# hairpin-no-loopback a reachable port whose public address does not loop
# back from inside the LAN. udp-room-no-forward probes a UDP port
# (probe-client --udp): the room router answers port unreachable itself.
# dual-room-no-forward tests both families at once: IPv4 stops at the room
# router, IPv6 (no NAT, the routers' filters open) is reachable.
readonly DEFAULT_SCENARIOS=(reachable fw-drop room-no-forward wrong-target bind-conflict
  loopback-only wrong-family cgnat hub-stale-forward upnp-wrong-target fix-double-nat
  hairpin-no-loopback udp-room-no-forward dual-room-no-forward)
build=1
build_dir=build
jobs=$(nproc)
scenarios=()

if [[ -t 1 ]]; then
  bold=$'\e[1m' dim=$'\e[2m' green=$'\e[32m' red=$'\e[31m' reset=$'\e[0m'
else
  bold="" dim="" green="" red="" reset=""
fi

say() { printf '%s\n' "$*"; }
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
die() {
  printf '%sdemo: %s%s\n' "$red" "$*" "$reset" >&2
  exit 1
}

usage() {
  sed -n '8,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  exit "${1:-2}"
}

parse_args() {
  while (($#)); do
    case $1 in
      --no-build) build=0; shift ;;
      --build-dir) build_dir=${2:?--build-dir needs a directory}; shift 2 ;;
      --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
      -h | --help) usage 0 ;;
      -*) say "demo: unknown option '$1'" >&2; usage 2 ;;
      *) scenarios+=("$1"); shift ;;
    esac
  done
  ((${#scenarios[@]} > 0)) || scenarios=("${DEFAULT_SCENARIOS[@]}")
}

preflight() {
  [[ $(id -u) == 0 ]] || die "run me as root (sudo $0): the lab creates network namespaces"
  [[ $(uname -s) == Linux ]] || die "the lab needs Linux network namespaces"
  [[ -f /etc/debian_version ]] ||
    say "${dim}demo: not Debian; install-deps.sh may not know your package manager${reset}"
}

install_and_build() {
  step "Installing the Debian packages reachback needs (only what is missing)"
  ./deploy/install-deps.sh
  local log
  step "Building probe-relay, probe-client and the lab's delay wire into $build_dir/"
  log=$(mktemp)
  cmake -S . -B "$build_dir" -G Ninja >"$log" 2>&1 ||
    { cat "$log" >&2; rm -f "$log"; die "cmake configure failed (log above)"; }
  rm -f "$log"
  ninja -C "$build_dir" -j "$jobs" probe-relay probe-client reachback-lab-wire ||
    die "the build failed (errors above)"
}

explain_lab() {
  step "The lab: a home network with two NATs, built from network namespaces"
  cat <<'EOF'
  relay 203.0.113.10          runs probe-relay, "somewhere on the internet"
    |
  internet router 203.0.113.1 / 198.51.100.1
    |
  ISP hub (NAT #1)   WAN 198.51.100.2 (your public address), LAN 192.168.0.1
    |
  room router (NAT #2)   WAN 192.168.0.2, LAN 192.168.1.1
    |-- laptop 192.168.1.23   runs probe-client --relay 203.0.113.10 --port 3000
    '-- desk   192.168.1.24

  Each scenario below breaks (or fixes) one thing and shows what probe-client
  tells you. The lab is rebuilt from scratch for every scenario. Scenarios
  named udp-* probe a UDP port (probe-client --udp) instead of a TCP one.
EOF
}

# Runs one scenario; its exit status tells whether probe-client diagnosed it.
show_scenario() {
  local index=$1 name=$2
  printf '\n%s━━━ %s/%s  %s %s%s\n' "$bold" "$index" "${#scenarios[@]}" "$name" \
    "$(printf '━%.0s' $(seq 1 $((60 - ${#name}))))" "$reset"
  local client_args=()
  [[ $name != fix-double-nat ]] || client_args=(-- --fix --yes)
  LAB_QUIET=1 ./tests/lab/run_scenario.sh "$name" --human \
    --relay-bin "$build_dir/relay/probe-relay" --client-bin "$build_dir/client/probe-client" \
    --wire-bin "$build_dir/tests/lab/reachback-lab-wire" "${client_args[@]}"
}

main() {
  local started ok=0 failed=() i=0 name rc
  parse_args "$@"
  preflight
  started=$(date +%s)
  if ((build == 1)); then
    install_and_build
  fi
  explain_lab
  for name in "${scenarios[@]}"; do
    i=$((i + 1))
    rc=0
    show_scenario "$i" "$name" || rc=$?
    ((rc != 130 && rc != 143)) || die "interrupted; the lab has been torn down"
    if ((rc == 0)); then ok=$((ok + 1)); else failed+=("$name"); fi
  done
  say ""
  if ((${#failed[@]} == 0)); then
    say "${green}${bold}demo: $ok of ${#scenarios[@]} scenarios diagnosed in $(($(date +%s) - started)) s; lab torn down. More: tests/lab/run_scenario.sh --list${reset}"
  else
    say "${red}${bold}demo: $ok of ${#scenarios[@]} scenarios diagnosed; no diagnosis for: ${failed[*]} (see the messages above)${reset}"
    exit 1
  fi
}

main "$@"

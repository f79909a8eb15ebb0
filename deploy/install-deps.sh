#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian 12 package reachback needs to build, test and run its
# lab. Installs only what is missing, so a prepared machine pays nothing.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config
  libasio-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libgtest-dev
  # CI's checks: clang with ASan, UBSan and libFuzzer (its runtimes are in
  # libclang-rt-14-dev), clang-tidy and run-clang-tidy
  clang libclang-rt-14-dev clang-tidy
  # lab and tests: namespaces, NAT, peers that the benchmark compares with
  iproute2 iputils-ping nftables conntrack socat jq tcpdump traceroute nmap procps
  # lab routers that answer UPnP IGD, NAT-PMP and PCP, and clients to check
  # them. miniupnpd-nftables is the daemon alone: no service, no debconf
  # questions. The "miniupnpd" package (init script, systemd unit) is never
  # installed: the lab starts its own daemons inside its namespaces.
  miniupnpd-nftables miniupnpc natpmpc
  # tests/deploy: the Debian packages' checker, a Debian 12 root from the
  # mirror, and a container engine without a daemon (runc: crun cannot run
  # on a hybrid cgroup layout); python3 asks the kernel for a free port
  lintian debootstrap podman runc python3
  # the manual pages are the programs' --help (cmake/Packaging.cmake)
  help2man
  # Windows: the cross compiler (posix threads: std::thread and std::future),
  # GoogleTest's sources to build with it, and Wine to run the tests
  g++-mingw-w64-x86-64-posix googletest wine64
)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# No system-wide miniupnpd may serve the host's own network: if the service
# package is there (installed by hand), its service is stopped and disabled.
no_system_miniupnpd() {
  installed miniupnpd || return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: package miniupnpd (a system-wide UPnP service) is installed; run as root to disable it" >&2
    return 2
  fi
  echo "install-deps: stopping and disabling the system-wide miniupnpd service (the lab runs its own)" >&2
  if [ -d /run/systemd/system ]; then
    systemctl disable --now miniupnpd.service >/dev/null 2>&1 || true
  else
    service miniupnpd stop >/dev/null 2>&1 || true
    update-rc.d miniupnpd disable >/dev/null 2>&1 || true
  fi
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  no_system_miniupnpd
  exit
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 2
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
no_system_miniupnpd

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian 12 package reachback needs to build, test and run its
# lab. Installs only what is missing, so a prepared machine pays nothing.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config
  libasio-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libgtest-dev
  # lab and tests: namespaces, NAT, peers that the benchmark compares with
  iproute2 iputils-ping nftables conntrack socat jq tcpdump traceroute nmap procps
  # Windows: the cross compiler (posix threads: std::thread and std::future),
  # GoogleTest's sources to build with it, and Wine to run the tests
  g++-mingw-w64-x86-64-posix googletest wine64
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
  exit 2
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

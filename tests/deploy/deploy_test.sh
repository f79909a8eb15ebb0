#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The operator's path, one step per ctest test:
#   packages   build the Debian packages from a tree configured for /usr
#   lintian    lintian on both packages: no errors
#   unit       systemd-analyze verify on the packaged unit; no capabilities
#   base       a Debian 12 root made with debootstrap, with the packages' Depends
#   install    both packages installed in a copy of that root, then run there:
#              the relay from the package, probed by the client from the package
#   container  an image built with podman from that root and the relay package,
#              the relay run in it, probed on loopback by the client that was
#              packaged (from the package build tree)
# Usage: deploy_test.sh STEP SOURCE_DIR WORK_DIR BUILD_DIR INSTALL_PREFIX [COMPILER_LAUNCHER]
# A BUILD_DIR configured for /usr (tests/run.sh's build/) is packaged as it
# is; any other prefix gets its own Release tree under WORK_DIR, because the
# unit and the config path are fixed when CMake configures.
# Needs root (debootstrap, chroot, podman) and Debian's mirror (debootstrap).
set -euo pipefail

step=$1 src=$2 work=$3 build_dir=$4 install_prefix=$5 launcher=${6:-}
packages=$work/packages
base_tar=$work/base.tar
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}

say() { echo "deploy_test $step: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
timed() {
  local what=$1 start=$SECONDS
  shift
  "$@"
  say "$what took $((SECONDS - start)) s"
}

# remove_root DIR: unmounts what debootstrap or a test left mounted under DIR
# (proc, sys), deepest first, then removes DIR without crossing into any
# filesystem still mounted there.
remove_root() {
  findmnt -rn -o TARGET | { grep "^$1/" || true; } | sort -r | xargs -r umount -l
  rm -rf --one-file-system "$1"
}

deb_of() { # deb_of PACKAGE: the one .deb file of that package
  local files=("$packages/$1"_*.deb)
  [ ${#files[@]} -eq 1 ] && [ -f "${files[0]}" ] || fail "expected one $1 .deb in $packages, found: ${files[*]}"
  echo "${files[0]}"
}

# ---- packages ---------------------------------------------------------------

# The tree the packages come from, and whose probe-client the container test runs.
package_tree() {
  if [ "$install_prefix" = /usr ]; then echo "$build_dir"; else echo "$work/build-deb"; fi
}

build_packages() {
  local tree
  tree=$(package_tree)
  if [ "$tree" != "$build_dir" ]; then
    cmake -S "$src" -B "$tree" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DBUILD_TESTING=OFF ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER=$launcher} >/dev/null
  fi
  cmake --build "$tree" -j 2 --target probe-relay probe-client manual-pages
  rm -rf "$packages"
  cpack --config "$tree/CPackConfig.cmake" -B "$packages" >/dev/null
}

expect_in_deb() { # expect_in_deb DEB PATH...: each path is in the package
  local listing
  listing=$(dpkg-deb --contents "$1" | awk '{print $6}')
  shift
  for path in "$@"; do
    grep -qx "\./$path" <<<"$listing" || fail "$path is not in the package"
  done
}

step_packages() {
  timed "building the packages" build_packages
  local relay client
  relay=$(deb_of probe-relay)
  client=$(deb_of probe-client)
  expect_in_deb "$relay" usr/bin/probe-relay usr/lib/systemd/system/probe-relay.service \
    usr/lib/sysctl.d/60-reachback-relay.conf etc/reachback/relay.toml \
    usr/share/doc/probe-relay/copyright usr/share/doc/probe-relay/changelog.Debian.gz \
    usr/share/man/man1/probe-relay.1.gz
  expect_in_deb "$client" usr/bin/probe-client \
    usr/share/doc/probe-client/copyright usr/share/doc/probe-client/changelog.Debian.gz \
    usr/share/man/man1/probe-client.1.gz
  [ "$(dpkg-deb --ctrl-tarfile "$relay" | tar -xO ./conffiles)" = /etc/reachback/relay.toml ] ||
    fail "the relay's conffiles is not exactly /etc/reachback/relay.toml"
  for deb in "$relay" "$client"; do
    dpkg-deb --field "$deb" Package Version Depends >&2
    dpkg-deb --field "$deb" Depends | grep -q 'libc6' || fail "$deb: Depends lacks the shlibdeps (libc6)"
  done
  dpkg-deb --field "$relay" Depends | grep -qw adduser || fail "the relay package does not depend on adduser"
  # The manual page is the program's --help: its examples and exit status.
  # (grep -c reads to the end: grep -q would cut the pipe under pipefail.)
  manual_page "$client" probe-client | grep -c 'vps.example.net' >/dev/null || fail "probe-client(1) has no examples"
  manual_page "$relay" probe-relay | grep -c 'Exit status' >/dev/null || fail "probe-relay(1) has no exit status"
}

manual_page() { # manual_page DEB PROGRAM: its manual page's source
  dpkg-deb --fsys-tarfile "$1" | tar -xO "./usr/share/man/man1/$2.1.gz" | gunzip
}

# ---- lintian ----------------------------------------------------------------

step_lintian() {
  # Every tag is printed (warnings too, for the reader); errors fail, and so
  # does a program without its manual page.
  local report=$work/lintian.txt
  timed "lintian" lintian --fail-on error --display-info --tag-display-limit 0 \
    "$(deb_of probe-relay)" "$(deb_of probe-client)" | tee "$report"
  ! grep -q 'no-manual-page' "$report" || fail "lintian: a program without its manual page"
}

# ---- the systemd unit -------------------------------------------------------

step_unit() {
  local root=$work/unit-root
  remove_root "$root"
  mkdir -p "$root"
  trap "remove_root '$root'" EXIT
  # The host's systemd units (the targets ours refers to), then the package:
  # its unit, with the binary it names in place under --root.
  mkdir -p "$root/usr/lib/systemd"
  cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
  dpkg-deb --extract "$(deb_of probe-relay)" "$root"
  local unit=$root/usr/lib/systemd/system/probe-relay.service
  grep -qx 'ExecStart=/usr/bin/probe-relay --config /etc/reachback/relay.toml' "$unit" ||
    fail "ExecStart does not run /usr/bin/probe-relay with /etc/reachback/relay.toml"
  grep -qx 'CapabilityBoundingSet=' "$unit" || fail "the unit keeps capabilities (CapabilityBoundingSet= is not empty)"
  grep -qx 'AmbientCapabilities=' "$unit" || fail "the unit grants ambient capabilities"
  grep -qx 'User=probe-relay' "$unit" || fail "the unit does not run as the probe-relay user"
  if grep -E '^(CapabilityBoundingSet|AmbientCapabilities)=.+' "$unit"; then
    fail "the unit grants a capability"
  fi
  # verify prints its findings and exits non-zero on errors; warnings are
  # findings too, so any output fails.
  # Its Documentation= names the package's own manual page, which verify
  # looks up with man(1): in the package's tree, not the host's.
  local out
  out=$(MANPATH=$root/usr/share/man systemd-analyze verify --root="$root" probe-relay.service 2>&1) ||
    fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
  # The exposure score, for the reader (0 is best, 10 worst).
  systemd-analyze security --offline=true --root="$root" probe-relay.service 2>&1 | grep 'Overall exposure' >&2
}

# ---- the Debian 12 root -----------------------------------------------------

depends_of() { # the package names in a .deb's Depends, without versions
  dpkg-deb --field "$1" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | grep -v '^$'
}

step_base() {
  local root=$work/base-root include
  include=$( { depends_of "$(deb_of probe-relay)"; depends_of "$(deb_of probe-client)"; } | sort -u | paste -sd,)
  remove_root "$root"
  rm -f "$base_tar"
  trap "remove_root '$root'" EXIT
  say "debootstrap bookworm (minbase) from $mirror with $include"
  timed "debootstrap" debootstrap --variant=minbase --include="$include" bookworm "$root" "$mirror" >/dev/null
  # The downloaded .debs are installed already: the image needs none of them.
  rm -f "$root"/var/cache/apt/archives/*.deb
  timed "packing the root" tar -C "$root" --numeric-owner -cf "$base_tar" .
}

# ---- both packages installed in a copy of the root -------------------------

in_root() { chroot "$root" "$@"; }

free_port() { # an unused TCP port on loopback, from the kernel
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listening FD: reads the relay's log from FD until it says where it
# listens, and sets relay_endpoint; its end or 10 s of silence is a failure.
wait_listening() {
  local line
  while IFS= read -r -t 10 -u "$1" line; do
    echo "$line" >&2
    case $line in
    "probe-relay: listening on "*)
      relay_endpoint=${line##* }
      return 0
      ;;
    esac
  done
  fail "the relay did not say where it listens"
}

# start_relay COMMAND...: runs the relay in the background, reading its log,
# and waits until it listens.
start_relay() {
  exec {relay_log}< <(exec "$@" 2>&1)
  relay_pid=$!
  wait_listening "$relay_log"
}

# expect_reachable COMMAND...: the client's JSON report says "reachable".
expect_reachable() {
  local report
  report=$("$@") || fail "probe-client exited $?: $report"
  jq -e '.verdict.cause == "reachable" and .probe.connect_back.outcome == "verified"' <<<"$report" >/dev/null ||
    fail "the probe is not a verified reachable: $report"
  say "probe: $(jq -c '{cause: .verdict.cause, connect_back: .probe.connect_back.outcome}' <<<"$report")"
}

stop_relay() {
  [ -n "${relay_pid:-}" ] || return 0
  kill "$relay_pid" 2>/dev/null || true
  wait "$relay_pid" 2>/dev/null || true
  relay_pid=
}

step_install() {
  root=$work/install-root
  remove_root "$root"
  mkdir -p "$root"
  trap 'stop_relay; remove_root "$root"' EXIT
  tar -C "$root" -xf "$base_tar"
  cp "$(deb_of probe-relay)" "$(deb_of probe-client)" "$root/tmp/"
  mount -t proc proc "$root/proc"
  # Inside the root there is no systemd: postinst creates the user and the
  # config's permissions and leaves the service alone.
  timed "dpkg -i of both packages" in_root sh -c 'dpkg -i /tmp/probe-relay_*.deb /tmp/probe-client_*.deb' >&2
  in_root dpkg-query -W probe-relay probe-client >&2
  in_root getent passwd probe-relay | grep -q ':/nonexistent:/usr/sbin/nologin$' ||
    fail "postinst did not create the probe-relay system user"
  [ "$(in_root stat -c '%U:%G %a' /etc/reachback/relay.toml)" = "root:probe-relay 640" ] ||
    fail "/etc/reachback/relay.toml is not root:probe-relay 640"
  in_root probe-relay --version | grep -q . || fail "probe-relay --version printed nothing"
  in_root probe-relay --help >/dev/null || fail "probe-relay --help failed"
  in_root probe-client --version | grep -q . || fail "probe-client --version printed nothing"
  in_root probe-client --help >/dev/null || fail "probe-client --help failed"
  # The relay as the unit runs it: its own user and the packaged config, only
  # on loopback here.
  start_relay chroot --userspec=probe-relay:probe-relay "$root" \
    /usr/bin/probe-relay --config /etc/reachback/relay.toml --listen 127.0.0.1:0
  expect_reachable in_root probe-client --relay "$relay_endpoint" --port "$(free_port)" --json
  stop_relay
  # An upgrade (here: the same version again) keeps the user and the config's
  # permissions; a purge takes the config and its override away.
  in_root sh -c 'dpkg -i /tmp/probe-relay_*.deb' >/dev/null
  [ "$(in_root stat -c '%U:%G %a' /etc/reachback/relay.toml)" = "root:probe-relay 640" ] ||
    fail "reinstalling changed /etc/reachback/relay.toml's owner or mode"
  in_root dpkg --purge probe-relay >/dev/null
  [ ! -e "$root/etc/reachback/relay.toml" ] || fail "purge left /etc/reachback/relay.toml"
  ! in_root dpkg-statoverride --list /etc/reachback/relay.toml >/dev/null || fail "purge left the statoverride"
}

# ---- the container ----------------------------------------------------------

# Storage of this test's own, under the build tree, so the host's images and
# containers are never touched; its run state (locks, sockets) goes in a
# directory of its own under /run, because podman refuses a runroot path
# longer than 50 characters. The runtime is runc: crun 1.8 refuses a
# hybrid cgroup layout whose cgroup2 tree holds a controller ("cgroups in
# hybrid mode not supported"), which is what this kind of machine has
# (hugetlb on /sys/fs/cgroup/unified).
podman_here() {
  podman --root "$work/containers/storage" --runroot "$container_run" \
    --storage-driver overlay --cgroup-manager cgroupfs --runtime runc "$@"
}

# Podman gives a root container RLIMIT_NOFILE 1048576; where that is above
# the caller's hard limit and the caller lacks CAP_SYS_RESOURCE (this
# machine's sessions do), the runtime fails with "error setting rlimit type 7:
# operation not permitted". The container gets the caller's hard limit on
# files instead, and 4096 processes (the relay runs one thread): the
# caller's own process limit was refused too ("rlimit type 6").
container_limits() {
  local files
  files=$(ulimit -Hn)
  [ "$files" = unlimited ] && files=1048576
  echo --ulimit "nofile=$files:$files" --ulimit nproc=4096:4096
}

container_cleanup() {
  podman_here rm --force --ignore --time 5 reachback-deploy-test >/dev/null 2>&1 || true
  podman_here rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work/containers" "$work/container-context" "$container_run"
}

step_container() {
  local context=$work/container-context
  rm -rf "$work/containers" "$context"
  container_run=$(mktemp -d /run/reachback-deploy.XXXXXX)
  trap container_cleanup EXIT
  mkdir -p "$context"
  cp "$src/deploy/container/Containerfile" "$(deb_of probe-relay)" "$context/"
  timed "podman import of the debootstrap root" \
    podman_here import "$base_tar" localhost/reachback-base:bookworm >/dev/null
  # No network while building: everything the relay needs is in the base.
  # shellcheck disable=SC2046 # container_limits is a list of words
  timed "podman build" podman_here build --network=none --pull=never $(container_limits) \
    --build-arg BASE=localhost/reachback-base:bookworm -t localhost/reachback/probe-relay "$context" >&2
  # shellcheck disable=SC2046
  podman_here run --detach --pull=never --name reachback-deploy-test --network=host $(container_limits) \
    localhost/reachback/probe-relay --config /etc/reachback/relay.toml --listen 127.0.0.1:0 >/dev/null
  exec {relay_log}< <(podman_here logs --follow reachback-deploy-test 2>&1)
  wait_listening "$relay_log"
  [ "$(podman_here inspect --format '{{.Config.User}}' localhost/reachback/probe-relay)" = probe-relay ] ||
    fail "the image does not run as the probe-relay user"
  expect_reachable "$(package_tree)/client/probe-client" --relay "$relay_endpoint" --port "$(free_port)" --json
}

[ "$(id -u)" -eq 0 ] || fail "needs root (chroot, dpkg, podman)"
mkdir -p "$work"
case "$step" in
packages | lintian | unit | base | install | container) "step_$step" ;;
*) fail "unknown step '$step'" ;;
esac

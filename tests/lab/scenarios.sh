#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The lab's named scenarios, built only from lab.sh's functions. Source it
# after lab.sh. Each scenario_<name> (dashes in the name become underscores)
# builds the network and its services and sets:
#   SCENARIO_TITLE        one line for headings
#   SCENARIO_CLIENT_ARGS  extra probe-client arguments (array)
# The expected verdicts live in CMakeLists.txt, next to the tests.
# shellcheck disable=SC2034 # the SCENARIO_* globals are read by the caller

readonly LAB_PORT=3000
SCENARIO_TITLE=""
SCENARIO_CLIENT_ARGS=()

# The protocol SCENARIO_CLIENT_ARGS has probe-client probe: udp or tcp.
client_protocol() {
  local arg
  for arg in "${SCENARIO_CLIENT_ARGS[@]}"; do
    [[ $arg != --udp ]] || { echo udp; return; }
  done
  echo tcp
}

# Names of every scenario, one per line, sorted.
scenario_names() {
  declare -F | awk '$3 ~ /^scenario_/ && $3 != "scenario_names" && $3 != "scenario_exists" &&
    $3 != "scenario_run" { sub(/^scenario_/, "", $3); gsub(/_/, "-", $3); print $3 }'
}

scenario_exists() {
  declare -F "scenario_${1//-/_}" >/dev/null
}

# Builds scenario NAME (in the current shell: it sets globals).
scenario_run() {
  scenario_exists "$1" || lab_die "unknown scenario '$1' (known: $(scenario_names | tr '\n' ' '))"
  "scenario_${1//-/_}"
}

# Both NATs forward the port down to the laptop.
forward_both() {
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP"
}

scenario_reachable() {
  SCENARIO_TITLE="Both routers forward 3000 to the laptop, the port is free"
  lab_up double
  forward_both
}

scenario_no_listener() {
  SCENARIO_TITLE="Forwards are right, but no server listens (--service)"
  lab_up double
  forward_both
  SCENARIO_CLIENT_ARGS=(--service)
}

scenario_fw_drop() {
  SCENARIO_TITLE="The laptop's firewall silently drops port 3000"
  lab_up double
  forward_both
  lab_host_firewall drop "$LAB_PORT"
}

scenario_fw_reset() {
  SCENARIO_TITLE="The laptop's firewall rejects port 3000 with a TCP reset"
  lab_up double
  forward_both
  lab_host_firewall reset "$LAB_PORT"
}

scenario_room_no_forward() {
  SCENARIO_TITLE="The ISP hub forwards, the room router does not"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
}

scenario_hub_no_forward() {
  SCENARIO_TITLE="The room router forwards, the ISP hub does not"
  lab_up double
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP"
}

scenario_ispgw_hub_no_forward() {
  SCENARIO_TITLE="Behind an ISP gateway with private addresses, the ISP hub does not forward"
  lab_up ispgw
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP"
}

scenario_ispgw_room_no_forward() {
  SCENARIO_TITLE="Behind an ISP gateway with private addresses, the room router does not forward"
  lab_up ispgw
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
}

scenario_wrong_target() {
  SCENARIO_TITLE="The room router forwards 3000 to the desktop, which serves SSH"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  lab_forward room "$LAB_PORT" "$LAB_DESK"
  lab_serve_banner desk "$LAB_PORT" "SSH-2.0-desk"
}

scenario_bind_conflict() {
  SCENARIO_TITLE="Another process already holds port 3000 on the laptop (--listen)"
  lab_up double
  forward_both
  lab_hold_port laptop "$LAB_PORT"
  SCENARIO_CLIENT_ARGS=(--listen)
}

scenario_loopback_only() {
  SCENARIO_TITLE="The server on the laptop listens on 127.0.0.1 only"
  lab_up double
  forward_both
  lab_hold_port laptop "$LAB_PORT" 127.0.0.1
}

scenario_cgnat() {
  SCENARIO_TITLE="A carrier-grade NAT sits above the ISP hub and forwards nothing"
  lab_up cgnat
  forward_both
}

scenario_lossy_room_no_forward() {
  SCENARIO_TITLE="Room router without forward, 40 ms one-way delay and 5 % loss on the internet"
  lab_up double --delay 40
  lab_loss 5
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
}

scenario_single_no_forward() {
  SCENARIO_TITLE="One home router, no forward"
  lab_up single
}

scenario_fw_icmp_admin() {
  SCENARIO_TITLE="The laptop's firewall rejects port 3000 with ICMP admin-prohibited"
  lab_up double
  forward_both
  lab_host_firewall icmp-admin "$LAB_PORT"
}

scenario_fw_icmp_port() {
  SCENARIO_TITLE="The laptop's firewall rejects port 3000 with ICMP port-unreachable"
  lab_up double
  forward_both
  lab_host_firewall icmp-port "$LAB_PORT"
}

scenario_wrong_port() {
  SCENARIO_TITLE="The room router forwards 3000 to the laptop's port 3001"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP:3001"
}

scenario_room_stealth_no_forward() {
  SCENARIO_TITLE="Room router without forward that also drops WAN input (stealth)"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  lab_router_input room drop
}

scenario_hub_stealth_no_forward() {
  SCENARIO_TITLE="ISP hub without forward that also drops WAN input (stealth)"
  lab_up double
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP"
  lab_router_input hub drop
}

scenario_room_forward_filtered() {
  SCENARIO_TITLE="The room router forwards 3000, but its firewall drops it"
  lab_up double
  forward_both
  lab_router_filter room "$LAB_PORT" drop
}

# ---------------------------------------------------------------- routers that answer: UPnP IGD, NAT-PMP, PCP
# An ISP hub usually holds a public address and would map (lenient); a
# router behind another NAT refuses (strict). lab_upnp's comment has the
# details; README.md says what each side observes.

scenario_hub_stale_forward() {
  SCENARIO_TITLE="The ISP hub forwards 3000 to the room router's old address, which nobody holds"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_OLD_WAN"
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP"
}

scenario_hub_forward_filtered() {
  SCENARIO_TITLE="The ISP hub forwards 3000, but its firewall drops it"
  lab_up double
  forward_both
  lab_router_filter hub "$LAB_PORT" drop
}

scenario_isp_block() {
  SCENARIO_TITLE="Both routers forward 3000, the ISP drops it before the home"
  lab_up double
  forward_both
  lab_isp_block "$LAB_PORT" drop
}

scenario_no_icmp_room_no_forward() {
  SCENARIO_TITLE="The room router does not forward, and neither router sends ICMP errors"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  lab_router_no_icmp hub
  lab_router_no_icmp room
}

# The same faults with the routers' UPnP on and the forwards made through
# it, so their own tables say what they forward: the room router's mapping
# to the laptop is listed (and right), the hub's to the room router's WAN is
# listed (its target unverifiable: a lenient room router reports ext_ip).
upnp_forward_room() {
  lab_upnp room lenient
  lab_upnp_map laptop room "$LAB_PORT" "$LAB_LAPTOP"
}

scenario_upnp_hub_stale_forward() {
  SCENARIO_TITLE="The hub forwards 3000 to nobody; the room router's UPnP lists its forward to the laptop"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_OLD_WAN"
  upnp_forward_room
}

scenario_upnp_hub_forward_filtered() {
  SCENARIO_TITLE="The hub forwards 3000 into its own firewall; the room router's UPnP lists its forward"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  lab_router_filter hub "$LAB_PORT" drop
  upnp_forward_room
}

scenario_upnp_isp_block() {
  SCENARIO_TITLE="Both routers' UPnP list their forwards of 3000; the ISP drops it before the home"
  lab_up double
  lab_upnp hub lenient
  lab_upnp_map laptop hub "$LAB_PORT" "$LAB_ROOM_WAN"
  upnp_forward_room
  lab_isp_block "$LAB_PORT" drop
}

scenario_upnp_wrong_target() {
  SCENARIO_TITLE="The room router's UPnP mapping of 3000 points at the desktop, which serves SSH"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  lab_upnp room lenient
  lab_upnp_map desk room "$LAB_PORT" "$LAB_DESK"
  lab_serve_banner desk "$LAB_PORT" "SSH-2.0-desk"
}

scenario_upnp_off_room_no_forward() {
  SCENARIO_TITLE="The hub forwards and speaks UPnP; the room router does neither"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  lab_upnp hub lenient
}

scenario_upnp_strict_room() {
  SCENARIO_TITLE="The hub forwards; the room router speaks UPnP but refuses to map (private WAN)"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  lab_upnp hub lenient
  lab_upnp room strict
}

scenario_fix_double_nat() {
  SCENARIO_TITLE="No forwards; both routers would map through UPnP"
  lab_up double
  lab_upnp hub lenient
  lab_upnp room lenient
}

scenario_fix_conflict() {
  SCENARIO_TITLE="No forwards, both routers speak UPnP; the desktop holds the room's mapping of 3000"
  lab_up double
  lab_upnp hub lenient
  lab_upnp room lenient
  lab_upnp_map desk room "$LAB_PORT" "$LAB_DESK"
}

scenario_delay_300() {
  SCENARIO_TITLE="Room router without forward, 300 ms one-way delay on each internet link"
  lab_up double --delay 300
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
}

scenario_fix_double_nat_no_upnp() {
  SCENARIO_TITLE="No forwards; UPnP off on both routers, NAT-PMP and PCP on"
  lab_up double
  lab_upnp --no-upnp hub lenient
  lab_upnp --no-upnp room lenient
}

# ---------------------------------------------------------------- one IP family, and NAT loopback

scenario_wrong_family() {
  SCENARIO_TITLE="The laptop's server listens on [::]:3000 IPv6-only; the relay probes over IPv4 (--service)"
  lab_up double
  forward_both
  lab_hold_port_v6only laptop "$LAB_PORT"
  SCENARIO_CLIENT_ARGS=(--service)
}

# The hub holds the public address: whether it loops it back from its LAN
# decides the hairpin finding.
scenario_hairpin_loopback() {
  SCENARIO_TITLE="Both routers forward 3000 to the laptop; the ISP hub has NAT loopback"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN" --loopback
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP"
}

scenario_hairpin_no_loopback() {
  SCENARIO_TITLE="Both routers forward 3000 to the laptop; the ISP hub has no NAT loopback"
  lab_up double
  forward_both
}

# ---------------------------------------------------------------- UDP (probe-client --udp)
# Without a forward, a router answers a datagram to a closed port with ICMP
# port unreachable itself (Linux does, as most routers do), unless it drops
# its UDP input (lab_router_input ... --proto udp). Forwards are UDP only:
# no TCP forward could let the relay's datagram through by accident.

# Both NATs forward UDP 3000 down to the laptop.
forward_both_udp() {
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN" --proto udp
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP" --proto udp
}

scenario_udp_reachable() {
  SCENARIO_TITLE="Both routers forward UDP 3000 to the laptop, the port is free (--udp)"
  lab_up double
  forward_both_udp
  SCENARIO_CLIENT_ARGS=(--udp)
}

scenario_udp_room_no_forward() {
  SCENARIO_TITLE="The ISP hub forwards UDP 3000; the room router does not and answers port unreachable (--udp)"
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN" --proto udp
  SCENARIO_CLIENT_ARGS=(--udp)
}

scenario_udp_hub_silent() {
  SCENARIO_TITLE="The room router forwards UDP 3000; the ISP hub does not and drops UDP silently (--udp)"
  lab_up double
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP" --proto udp
  lab_router_input hub drop --proto udp
  SCENARIO_CLIENT_ARGS=(--udp)
}

scenario_udp_fw_drop() {
  SCENARIO_TITLE="Both routers forward UDP 3000; the laptop's firewall drops it (--udp)"
  lab_up double
  forward_both_udp
  lab_host_firewall drop "$LAB_PORT" --proto udp
  SCENARIO_CLIENT_ARGS=(--udp)
}

scenario_udp_service_echo() {
  SCENARIO_TITLE="Both routers forward UDP 3000; a UDP echo server on the laptop answers (--udp --service)"
  lab_up double
  forward_both_udp
  lab_serve_udp laptop "$LAB_PORT"
  SCENARIO_CLIENT_ARGS=(--udp --service)
}

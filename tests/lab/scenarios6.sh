#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The lab's IPv6 scenarios, built only from lab.sh's and lab6.sh's
# functions. Source it after scenarios.sh, which defines LAB_PORT and lists
# and runs every scenario_<name>, these included. Each sets SCENARIO_TITLE
# and SCENARIO_CLIENT_ARGS as scenarios.sh describes.
#
# IPv6 is routed without NAT: the relay dials the laptop's own address
# (2001:db8:1000:1::23) through the hub's and the room router's stateful
# inbound filters, which drop new inbound connections unless a pinhole
# (lab6_pinhole) lets them in. "-6" scenarios probe IPv6 alone; dual-*
# scenarios leave the client to test both families. Each also sets
#   SCENARIO_RELAY        what probe-client gets as --relay: relay.test,
#                         which resolves to both relay addresses (lab6.sh);
#                         run_scenario.sh uses 203.0.113.10 when it is unset
# shellcheck disable=SC2034 # the SCENARIO_* globals are read by the caller

SCENARIO_RELAY=""

# Both home routers let the port in to the laptop.
pinhole_both() {
  lab6_pinhole hub "$LAB_PORT"
  lab6_pinhole room "$LAB_PORT"
}

scenario_v6_reachable() {
  SCENARIO_TITLE="IPv6: both routers' firewalls let 3000 in to the laptop"
  lab_up double
  SCENARIO_RELAY=$LAB_RELAY_NAME
  pinhole_both
  SCENARIO_CLIENT_ARGS=(-6)
}

scenario_v6_room_firewall() {
  SCENARIO_TITLE="IPv6: the hub lets 3000 in, the room router's firewall drops it"
  lab_up double
  SCENARIO_RELAY=$LAB_RELAY_NAME
  lab6_pinhole hub "$LAB_PORT"
  SCENARIO_CLIENT_ARGS=(-6)
}

scenario_v6_room_firewall_reject() {
  SCENARIO_TITLE="IPv6: the hub lets 3000 in, the room router's firewall rejects it (admin-prohibited)"
  lab_up double
  SCENARIO_RELAY=$LAB_RELAY_NAME
  lab6_pinhole hub "$LAB_PORT"
  lab6_router_reject room
  SCENARIO_CLIENT_ARGS=(-6)
}

scenario_v6_hub_firewall() {
  SCENARIO_TITLE="IPv6: the room router lets 3000 in, the ISP hub's firewall drops it"
  lab_up double
  SCENARIO_RELAY=$LAB_RELAY_NAME
  lab6_pinhole room "$LAB_PORT"
  SCENARIO_CLIENT_ARGS=(-6)
}

scenario_v6_fw_drop() {
  SCENARIO_TITLE="IPv6: both routers let 3000 in, the laptop's firewall drops it"
  lab_up double
  SCENARIO_RELAY=$LAB_RELAY_NAME
  pinhole_both
  lab6_host_firewall drop "$LAB_PORT"
  SCENARIO_CLIENT_ARGS=(-6)
}

# As wrong-family, in a home that also has IPv6: over IPv4 the laptop
# resets, over IPv6 the listener accepts.
scenario_dual_wrong_family() {
  SCENARIO_TITLE="Both families open to 3000; the laptop's server listens on [::]:3000 IPv6-only (--service)"
  lab_up double
  SCENARIO_RELAY=$LAB_RELAY_NAME
  forward_both
  pinhole_both
  lab_hold_port_v6only laptop "$LAB_PORT"
  SCENARIO_CLIENT_ARGS=(--service)
}

scenario_dual_room_no_forward() {
  SCENARIO_TITLE="IPv4: the room router does not forward 3000; IPv6: both routers let it in"
  lab_up double
  SCENARIO_RELAY=$LAB_RELAY_NAME
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN"
  pinhole_both
}

# --fix over IPv6: the room router runs miniupnpd with IPv6 on, and its
# filter honours the pinholes it makes (lab_upnp --ipv6). The relay's
# connect-back then passes the hub's pinhole and the one --fix opens.
scenario_v6_room_firewall_fix() {
  SCENARIO_TITLE="IPv6: the hub lets 3000 in; the room router's firewall drops it, its miniupnpd offers pinholes"
  lab_up double
  SCENARIO_RELAY=$LAB_RELAY_NAME
  lab6_pinhole hub "$LAB_PORT"
  lab_upnp --ipv6 room lenient
  SCENARIO_CLIENT_ARGS=(-6)
}

# The same, both families tested: IPv4 is forwarded through both NATs, so
# only IPv6's block needs --fix.
scenario_dual_room_firewall_fix() {
  SCENARIO_TITLE="IPv4 forwarded to the laptop; IPv6: the room router's firewall drops 3000, its miniupnpd offers pinholes"
  lab_up double
  SCENARIO_RELAY=$LAB_RELAY_NAME
  forward_both
  lab6_pinhole hub "$LAB_PORT"
  lab_upnp --ipv6 room lenient
}

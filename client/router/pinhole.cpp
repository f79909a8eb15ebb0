// SPDX-License-Identifier: MIT
#include "client/router/pinhole.hpp"

#include <algorithm>

#include "client/router/pcp.hpp"
#include "common/ascii_text.hpp"

namespace reachback::router {
namespace {

std::optional<bool> upnp_boolean(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  for (const auto* yes : {"1", "true", "yes"})
    if (reachback::iequals(*text, yes)) return true;
  for (const auto* no : {"0", "false", "no"})
    if (reachback::iequals(*text, no)) return false;
  return std::nullopt;
}

}  // namespace

// PCP's MAP names the protocol by the same IANA number.
std::string pinhole_protocol(transport t) { return std::to_string(pcp_protocol_of(t)); }

soap_arguments add_pinhole_arguments(const pinhole_request& p) {
  return {{"RemoteHost", ""},
          {"RemotePort", "0"},
          {"InternalClient", p.internal_client},
          {"InternalPort", std::to_string(p.internal_port)},
          {"Protocol", pinhole_protocol(p.protocol)},
          {"LeaseTime", std::to_string(p.lease_seconds)}};
}

soap_arguments pinhole_id_arguments(std::uint16_t unique_id) { return {{"UniqueID", std::to_string(unique_id)}}; }

std::optional<firewall_status> firewall_status_from_reply(const soap_reply& reply) {
  if (reply.fault) return std::nullopt;
  const auto enabled = upnp_boolean(reply.value("FirewallEnabled"));
  const auto allowed = upnp_boolean(reply.value("InboundPinholeAllowed"));
  if (!enabled || !allowed) return std::nullopt;
  return firewall_status{*enabled, *allowed};
}

std::optional<std::uint16_t> pinhole_id_from_reply(const soap_reply& reply) {
  if (reply.fault) return std::nullopt;
  const auto text = reply.value("UniqueID");
  if (!text || text->empty() || text->size() > 5) return std::nullopt;
  if (!std::all_of(text->begin(), text->end(), is_digit)) return std::nullopt;
  const auto value = std::stoul(*text);
  if (value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::string pinhole_error_name(int code) {
  switch (code) {
    case 701: return "PinholeSpaceExhausted";
    case 702: return "FirewallDisabled";
    case 703: return "InboundPinholeNotAllowed";
    case 704: return "NoSuchEntry";
    case 705: return "ProtocolNotSupported";
    case 706: return "InternalPortWildcardingNotAllowed";
    case 707: return "ProtocolWildcardingNotAllowed";
    case 708: return "WildCardNotPermittedInSrcIP";
    case 709: return "NoTrafficReceived";
    default: return upnp_error_name(code);
  }
}

}  // namespace reachback::router

// SPDX-License-Identifier: MIT
#include "client/router/soap.hpp"

#include <algorithm>

#include "client/router/xml_text.hpp"
#include "common/ascii_text.hpp"

namespace reachback::router {

namespace {

// Longest text kept from a router for a report field.
constexpr std::size_t max_field_size = 1024;

template <typename Unsigned>
std::optional<Unsigned> parse_number(std::string_view text, Unsigned max) {
  if (text.empty() || text.size() > 10 || !std::all_of(text.begin(), text.end(), is_digit))
    return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  if (value > static_cast<std::uint64_t>(max)) return std::nullopt;
  return static_cast<Unsigned>(value);
}

// Router text goes into reports and terminals: no control characters, bounded.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, max_field_size)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) out += c;
  }
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  });
  return out;
}

bool ends_with_response(std::string_view name) {
  constexpr std::string_view suffix = "Response";
  return name.size() > suffix.size() &&
         reachback::iequals(name.substr(name.size() - suffix.size()), suffix);
}

std::vector<std::pair<std::string, std::string>> child_values(const xml_document& doc,
                                                              std::size_t parent) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto child : xml_children(doc, parent))
    values.emplace_back(std::string(doc.elements[child].name), xml_text(doc.elements[child].inner));
  return values;
}

}  // namespace

std::string upnp_protocol(transport t) { return t == transport::udp ? "UDP" : "TCP"; }

std::string protocol_port_text(transport protocol, std::uint16_t port) {
  return upnp_protocol(protocol) + " " + std::to_string(port);
}

std::optional<transport> transport_from_upnp(std::string_view name) {
  for (const auto t : {transport::tcp, transport::udp})
    if (name == upnp_protocol(t)) return t;
  return std::nullopt;
}

soap_arguments port_mapping_key(std::uint16_t external_port, transport protocol) {
  return {{"NewRemoteHost", ""},
          {"NewExternalPort", std::to_string(external_port)},
          {"NewProtocol", upnp_protocol(protocol)}};
}

soap_arguments add_port_mapping_arguments(const port_mapping& m) {
  return {{"NewRemoteHost", m.remote_host},
          {"NewExternalPort", std::to_string(m.external_port)},
          {"NewProtocol", m.protocol},
          {"NewInternalPort", std::to_string(m.internal_port)},
          {"NewInternalClient", m.internal_client},
          {"NewEnabled", m.enabled ? "1" : "0"},
          {"NewPortMappingDescription", m.description},
          {"NewLeaseDuration", std::to_string(m.lease_seconds)}};
}

soap_arguments list_port_arguments(std::uint16_t port, transport protocol, std::size_t max_entries) {
  const auto p = std::to_string(port);
  return {{"NewStartPort", p},
          {"NewEndPort", p},
          {"NewProtocol", upnp_protocol(protocol)},
          {"NewManage", "1"},
          {"NewNumberOfPorts", std::to_string(max_entries)}};
}

std::string soap_request_body(std::string_view service_type, std::string_view action, const soap_arguments& arguments) {
  const auto escaped_action = xml_escape(action);
  std::string body =
      "<?xml version=\"1.0\"?>\r\n"
      "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>";
  body += "<u:" + escaped_action + " xmlns:u=\"" + xml_escape(service_type) + "\">";
  for (const auto& [name, value] : arguments) body += "<" + name + ">" + xml_escape(value) + "</" + name + ">";
  body += "</u:" + escaped_action + "></s:Body></s:Envelope>\r\n";
  return body;
}

std::string soap_action_header(std::string_view service_type, std::string_view action) {
  return "\"" + std::string(service_type) + "#" + std::string(action) + "\"";
}

std::optional<std::string> soap_reply::value(std::string_view name) const {
  for (const auto& [key, text] : values) {
    if (reachback::iequals(key, name)) return text;
  }
  return std::nullopt;
}

std::optional<soap_reply> parse_soap_reply(std::string_view xml) {
  const auto doc = parse_xml(xml);
  if (!doc) return std::nullopt;
  soap_reply reply;
  if (const auto fault = xml_find(*doc, xml_no_parent, "Fault")) {
    reply.fault = true;
    const auto code = xml_find(*doc, *fault, "errorCode");
    if (code) reply.error_code = parse_number<int>(xml_text(doc->elements[*code].inner), 99999).value_or(0);
    const auto description = xml_find(*doc, *fault, "errorDescription");
    const auto faultstring = xml_find(*doc, *fault, "faultstring");
    if (description) reply.error_description = printable(xml_text(doc->elements[*description].inner));
    else if (faultstring) reply.error_description = printable(xml_text(doc->elements[*faultstring].inner));
    return reply;
  }
  std::optional<std::size_t> response;
  for (std::size_t i = 0; i < doc->elements.size() && !response; ++i) {
    if (ends_with_response(doc->elements[i].name)) response = i;
  }
  if (!response) {
    const auto body = xml_find(*doc, xml_no_parent, "Body");
    if (!body) return std::nullopt;
    const auto children = xml_children(*doc, *body);
    if (children.empty()) return std::nullopt;
    response = children.front();
  }
  reply.values = child_values(*doc, *response);
  return reply;
}

std::optional<port_mapping> mapping_from_reply(const soap_reply& reply,
                                               std::uint16_t external_port_if_absent,
                                               std::string_view protocol_if_absent) {
  if (reply.fault) return std::nullopt;
  port_mapping mapping;
  const auto client = reply.value("NewInternalClient");
  if (!client || client->empty()) return std::nullopt;
  mapping.internal_client = printable(*client);
  if (mapping.internal_client.empty()) return std::nullopt;

  const auto internal_port = parse_number<std::uint16_t>(reply.value("NewInternalPort").value_or(""), 65535);
  if (!internal_port || *internal_port == 0) return std::nullopt;
  mapping.internal_port = *internal_port;

  if (const auto external = reply.value("NewExternalPort")) {
    // 0 is IGD:2's wildcard external port.
    const auto port = parse_number<std::uint16_t>(*external, 65535);
    if (!port) return std::nullopt;
    mapping.external_port = *port;
  } else {
    mapping.external_port = external_port_if_absent;
  }

  mapping.protocol = upper(reply.value("NewProtocol").value_or(std::string(protocol_if_absent)));
  if (mapping.protocol != "TCP" && mapping.protocol != "UDP") return std::nullopt;

  if (const auto enabled = reply.value("NewEnabled")) {
    mapping.enabled = !(*enabled == "0" || reachback::iequals(*enabled, "false") ||
                        reachback::iequals(*enabled, "no"));
  }
  auto description = reply.value("NewPortMappingDescription");
  if (!description) description = reply.value("NewDescription");
  mapping.description = printable(description.value_or(""));

  auto lease = reply.value("NewLeaseDuration");
  if (!lease) lease = reply.value("NewLeaseTime");
  mapping.lease_seconds = parse_number<std::uint32_t>(lease.value_or(""), 0xffffffffU).value_or(0);
  mapping.remote_host = printable(reply.value("NewRemoteHost").value_or(""));
  return mapping;
}

std::vector<port_mapping> parse_port_mapping_list(std::string_view port_listing_xml) {
  std::vector<port_mapping> mappings;
  std::string decoded;
  auto doc = parse_xml(port_listing_xml);
  const auto has_entries = [](const std::optional<xml_document>& parsed) {
    return parsed && xml_find(*parsed, xml_no_parent, "PortMappingEntry").has_value();
  };
  // Some routers escape the listing twice, so it is still text after the
  // SOAP reply's own decoding.
  if (!has_entries(doc) && port_listing_xml.find("&lt;") != std::string_view::npos) {
    decoded = xml_decode_entities(port_listing_xml);
    doc = parse_xml(decoded);
  }
  if (!has_entries(doc)) return mappings;
  for (std::size_t i = 0; i < doc->elements.size() && mappings.size() < max_listed_mappings; ++i) {
    if (!reachback::iequals(doc->elements[i].name, "PortMappingEntry")) continue;
    soap_reply entry;
    entry.values = child_values(*doc, i);
    if (!entry.value("NewExternalPort") || !entry.value("NewProtocol")) continue;
    if (auto mapping = mapping_from_reply(entry, 0, "")) mappings.push_back(std::move(*mapping));
  }
  return mappings;
}

bool is_mapping_of(const port_mapping& m, std::uint16_t external_port, transport protocol) {
  return m.external_port == external_port && m.protocol == upnp_protocol(protocol);
}

std::optional<port_mapping> specific_mapping_from_reply(const soap_reply& reply, std::uint16_t external_port,
                                                        transport protocol) {
  auto m = mapping_from_reply(reply, external_port, upnp_protocol(protocol));
  if (m && !is_mapping_of(*m, external_port, protocol)) return std::nullopt;
  return m;
}

std::optional<port_mapping> find_mapping(const std::vector<port_mapping>& mappings, std::uint16_t external_port,
                                         transport protocol) {
  const auto it = std::find_if(mappings.begin(), mappings.end(),
                               [&](const port_mapping& m) { return is_mapping_of(m, external_port, protocol); });
  if (it == mappings.end()) return std::nullopt;
  return *it;
}

std::string upnp_error_name(int code) {
  switch (code) {
    case 401: return "InvalidAction";
    case 402: return "InvalidArgs";
    case 501: return "ActionFailed";
    case 600: return "ArgumentValueInvalid";
    case 601: return "ArgumentValueOutOfRange";
    case 605: return "StringArgumentTooLong";
    case 606: return "ActionNotAuthorized";
    case 713: return "SpecifiedArrayIndexInvalid";
    case 714: return "NoSuchEntryInArray";
    case 715: return "WildCardNotPermittedInSrcIP";
    case 716: return "WildCardNotPermittedInExtPort";
    case 718: return "ConflictInMappingEntry";
    case 724: return "SamePortValuesRequired";
    case 725: return "OnlyPermanentLeasesSupported";
    case 726: return "RemoteHostOnlySupportsWildcard";
    case 727: return "ExternalPortOnlySupportsWildcard";
    case 728: return "NoPortMapsAvailable";
    case 729: return "ConflictWithOtherMechanisms";
    case 730: return "PortMappingNotFound";
    case 732: return "WildCardNotPermittedInIntPort";
    case 733: return "InconsistentParameters";
    default: return "error " + std::to_string(code);
  }
}

}  // namespace reachback::router

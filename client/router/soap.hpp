// SPDX-License-Identifier: MIT
#pragma once
// Pure SOAP for UPnP IGD control (UDA 1.1 section 3.2, WANIPConnection:1
// and :2): the request body and SOAPAction, the reply (a result or a
// UPnPError fault), and the port mappings a reply describes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/evidence.hpp"

namespace reachback::router {

/// The Content-Type of a SOAP request.
inline constexpr std::string_view soap_content_type = "text/xml; charset=\"utf-8\"";
/// The most entries parse_port_mapping_list returns.
inline constexpr std::size_t max_listed_mappings = 4096;

/// A SOAP action's arguments, name and value, in the order sent.
using soap_arguments = std::vector<std::pair<std::string, std::string>>;

/// "TCP" or "UDP": how NewProtocol and port_mapping::protocol name `t`.
[[nodiscard]] std::string upnp_protocol(transport t);

/// "UDP 3000": `protocol`'s `port`, as messages name it.
[[nodiscard]] std::string protocol_port_text(transport protocol, std::uint16_t port);

/// The transport "TCP" or "UDP" names (upper case, as upnp_protocol writes
/// it); nullopt for any other text.
[[nodiscard]] std::optional<transport> transport_from_upnp(std::string_view name);

/// The key of `protocol`'s mapping of `external_port` for any remote host:
/// the arguments of GetSpecificPortMappingEntry and DeletePortMapping.
[[nodiscard]] soap_arguments port_mapping_key(std::uint16_t external_port, transport protocol);

/// AddPortMapping's arguments for `m`, with every field of it.
[[nodiscard]] soap_arguments add_port_mapping_arguments(const port_mapping& m);

/// IGD:2 GetListOfPortMappings' arguments for `protocol`'s `port` alone, at
/// most `max_entries` of them, every host's (NewManage 1).
[[nodiscard]] soap_arguments list_port_arguments(std::uint16_t port, transport protocol, std::size_t max_entries);

/// The envelope for `action` of `service_type` with `arguments` (name,
/// value) in order. Values, the service type and the action are
/// XML-escaped; argument names are the action's own and written as given.
[[nodiscard]] std::string soap_request_body(std::string_view service_type, std::string_view action,
                                            const soap_arguments& arguments);

/// The SOAPAction header value: "\"urn:...:WANIPConnection:2#Action\"", quotes included.
[[nodiscard]] std::string soap_action_header(std::string_view service_type, std::string_view action);

/// What a router answered to a SOAP request.
struct soap_reply {
  bool fault = false;
  /// UPnPError's errorCode; 0 for a fault without one.
  int error_code = 0;
  /// UPnPError's errorDescription, else the SOAP faultstring.
  std::string error_description;
  /// The response element's children (local name, decoded text) in order.
  std::vector<std::pair<std::string, std::string>> values;

  /// The first value named `name`, compared without case.
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const;
  bool operator==(const soap_reply&) const = default;
};

/// Parses a reply body: a <Fault> anywhere makes a fault (HTTP status 500);
/// else the values are the children of the first element whose name ends
/// in "Response" ("u:GetExternalIPAddressResponse"), else of <Body>'s first
/// child. nullopt when the XML does not parse (parse_xml) or holds neither.
[[nodiscard]] std::optional<soap_reply> parse_soap_reply(std::string_view xml);

/// The mapping a GetSpecificPortMappingEntry or GetGenericPortMappingEntry
/// reply describes. GetSpecific's reply leaves out the external port and
/// protocol (they were the request's): `external_port_if_absent` and
/// `protocol_if_absent` fill them in. Reads NewPortMappingDescription or
/// NewDescription, NewLeaseDuration or NewLeaseTime. The protocol comes back
/// as "TCP" or "UDP" whatever its case. nullopt for a fault, a missing or
/// bad NewInternalClient or NewInternalPort, a bad port or another protocol.
[[nodiscard]] std::optional<port_mapping> mapping_from_reply(const soap_reply& reply,
                                                             std::uint16_t external_port_if_absent,
                                                             std::string_view protocol_if_absent);

/// The mappings of IGD:2 GetListOfPortMappings' NewPortListing, i.e.
/// soap_reply::value("NewPortListing") (already decoded once; still-escaped
/// text is decoded once more): a <p:PortMappingList> of <p:PortMappingEntry>.
/// Entries without an external port, protocol, internal client or port are
/// skipped; at most max_listed_mappings. Empty when nothing parses.
[[nodiscard]] std::vector<port_mapping> parse_port_mapping_list(std::string_view port_listing_xml);

/// Whether `m` maps `protocol`'s `external_port`: a TCP mapping of the
/// port is not its UDP one, nor the other way round. A router may answer
/// GetSpecificPortMappingEntry with an entry of another protocol than asked.
[[nodiscard]] bool is_mapping_of(const port_mapping& m, std::uint16_t external_port, transport protocol);

/// What a GetSpecificPortMappingEntry reply for `protocol`'s `external_port`
/// says (mapping_from_reply); nullopt also for an entry of another port or
/// protocol, which a router that ignores NewProtocol answers with.
[[nodiscard]] std::optional<port_mapping> specific_mapping_from_reply(const soap_reply& reply,
                                                                      std::uint16_t external_port, transport protocol);

/// The first of `mappings` that is_mapping_of `protocol`'s `external_port`.
[[nodiscard]] std::optional<port_mapping> find_mapping(const std::vector<port_mapping>& mappings,
                                                       std::uint16_t external_port, transport protocol);

/// The UPnP name of a SOAP error code ("NoSuchEntryInArray" for 714), or
/// "error <code>" for one not known here.
[[nodiscard]] std::string upnp_error_name(int code);

}  // namespace reachback::router

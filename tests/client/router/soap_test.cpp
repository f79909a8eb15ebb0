// SPDX-License-Identifier: MIT
#include "client/router/soap.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "client/router/igd_description.hpp"
#include "client/router/xml_text.hpp"

namespace reachback::router {
namespace {

std::string envelope(const std::string& body) {
  return "<?xml version=\"1.0\"?>\r\n"
         "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>" +
         body + "</s:Body></s:Envelope>\r\n";
}

// miniupnpd's answers.
const std::string external_ip_reply = envelope(
    "<u:GetExternalIPAddressResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">"
    "<NewExternalIPAddress>203.0.113.7</NewExternalIPAddress></u:GetExternalIPAddressResponse>");

const std::string specific_entry_reply = envelope(
    "<u:GetSpecificPortMappingEntryResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">"
    "<NewInternalPort>3000</NewInternalPort><NewInternalClient>192.168.1.23</NewInternalClient>"
    "<NewEnabled>1</NewEnabled><NewPortMappingDescription>node &amp; co</NewPortMappingDescription>"
    "<NewLeaseDuration>3597</NewLeaseDuration></u:GetSpecificPortMappingEntryResponse>");

const std::string no_such_entry_fault = envelope(
    "<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
    "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>714</errorCode>"
    "<errorDescription>NoSuchEntryInArray</errorDescription></UPnPError></detail></s:Fault>");

// A Fritz!Box-like generic entry: other prefixes, lower-case protocol, indented.
const std::string generic_entry_reply =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">\n"
    "<SOAP-ENV:Body>\n"
    "<m:GetGenericPortMappingEntryResponse xmlns:m=\"urn:schemas-upnp-org:service:WANIPConnection:1\">\n"
    "  <NewRemoteHost></NewRemoteHost>\n"
    "  <NewExternalPort>8080</NewExternalPort>\n"
    "  <NewProtocol>tcp</NewProtocol>\n"
    "  <NewInternalPort>80</NewInternalPort>\n"
    "  <NewInternalClient>192.168.178.20</NewInternalClient>\n"
    "  <NewEnabled>0</NewEnabled>\n"
    "  <NewPortMappingDescription>web</NewPortMappingDescription>\n"
    "  <NewLeaseDuration>0</NewLeaseDuration>\n"
    "</m:GetGenericPortMappingEntryResponse>\n"
    "</SOAP-ENV:Body>\n"
    "</SOAP-ENV:Envelope>\n";

TEST(soap, request_body_for_get_specific_port_mapping_entry) {
  EXPECT_EQ(soap_request_body(wan_ip_connection_2, "GetSpecificPortMappingEntry",
                              {{"NewRemoteHost", ""}, {"NewExternalPort", "3000"}, {"NewProtocol", "TCP"}}),
            "<?xml version=\"1.0\"?>\r\n"
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
            "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>"
            "<u:GetSpecificPortMappingEntry xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">"
            "<NewRemoteHost></NewRemoteHost><NewExternalPort>3000</NewExternalPort><NewProtocol>TCP</NewProtocol>"
            "</u:GetSpecificPortMappingEntry></s:Body></s:Envelope>\r\n");
}

TEST(soap, request_values_are_escaped) {
  const auto body = soap_request_body(wan_ip_connection_1, "AddPortMapping",
                                      {{"NewPortMappingDescription", "<b>&\"'"}});
  EXPECT_NE(body.find("<NewPortMappingDescription>&lt;b&gt;&amp;&quot;&apos;</NewPortMappingDescription>"),
            std::string::npos);
  // And a router reads back what was meant.
  const auto doc = parse_xml(body);
  ASSERT_TRUE(doc);
  const auto element = xml_find(*doc, xml_no_parent, "NewPortMappingDescription");
  ASSERT_TRUE(element);
  EXPECT_EQ(xml_text(doc->elements[*element].inner), "<b>&\"'");
}

TEST(soap, action_header_is_quoted) {
  EXPECT_EQ(soap_action_header(wan_ip_connection_2, "GetExternalIPAddress"),
            "\"urn:schemas-upnp-org:service:WANIPConnection:2#GetExternalIPAddress\"");
}

TEST(soap, our_own_request_parses_as_a_reply_of_its_arguments) {
  const auto reply = parse_soap_reply(soap_request_body(wan_ip_connection_2, "GetSpecificPortMappingEntry",
                                                        {{"NewExternalPort", "3000"}}));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->value("NewExternalPort"), "3000");
}

TEST(soap, external_ip_reply) {
  const auto reply = parse_soap_reply(external_ip_reply);
  ASSERT_TRUE(reply);
  EXPECT_FALSE(reply->fault);
  EXPECT_EQ(reply->value("NewExternalIPAddress"), "203.0.113.7");
  EXPECT_EQ(reply->value("newexternalipaddress"), "203.0.113.7");
  EXPECT_FALSE(reply->value("NewRemoteHost"));
}

TEST(soap, empty_external_ip_behind_another_nat) {
  const auto reply = parse_soap_reply(envelope(
      "<u:GetExternalIPAddressResponse xmlns:u=\"x\"><NewExternalIPAddress></NewExternalIPAddress>"
      "</u:GetExternalIPAddressResponse>"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->value("NewExternalIPAddress"), "");
}

TEST(soap, a_response_without_values) {
  const auto reply = parse_soap_reply(envelope("<u:AddPortMappingResponse xmlns:u=\"x\"/>"));
  ASSERT_TRUE(reply);
  EXPECT_FALSE(reply->fault);
  EXPECT_TRUE(reply->values.empty());
}

TEST(soap, body_child_without_response_suffix) {
  const auto reply = parse_soap_reply(envelope("<u:Status><NewConnectionStatus>Connected</NewConnectionStatus></u:Status>"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->value("NewConnectionStatus"), "Connected");
}

TEST(soap, upnp_error_fault) {
  const auto reply = parse_soap_reply(no_such_entry_fault);
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->fault);
  EXPECT_EQ(reply->error_code, 714);
  EXPECT_EQ(reply->error_description, "NoSuchEntryInArray");
  EXPECT_EQ(upnp_error_name(reply->error_code), "NoSuchEntryInArray");
  EXPECT_FALSE(mapping_from_reply(*reply, 3000, "TCP"));
}

TEST(soap, fault_without_upnp_error_uses_faultstring) {
  const auto reply = parse_soap_reply(envelope(
      "<s:Fault><faultcode>s:Server</faultcode><faultstring>Action not authorized</faultstring></s:Fault>"));
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->fault);
  EXPECT_EQ(reply->error_code, 0);
  EXPECT_EQ(reply->error_description, "Action not authorized");
}

TEST(soap, fault_with_a_bad_error_code) {
  const auto reply = parse_soap_reply(envelope(
      "<s:Fault><detail><UPnPError><errorCode>7x4</errorCode></UPnPError></detail></s:Fault>"));
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->fault);
  EXPECT_EQ(reply->error_code, 0);
}

TEST(soap, not_a_reply) {
  EXPECT_FALSE(parse_soap_reply(""));
  EXPECT_FALSE(parse_soap_reply("<html><body>401 Unauthorized</body></html>"));
  EXPECT_FALSE(parse_soap_reply(envelope("")));
}

TEST(soap, truncated_replies_are_refused) {
  for (const auto* fixture : {&external_ip_reply, &specific_entry_reply, &no_such_entry_fault, &generic_entry_reply}) {
    const auto end = fixture->rfind('>');
    for (std::size_t size = 0; size <= end; ++size)
      EXPECT_FALSE(parse_soap_reply(std::string_view(*fixture).substr(0, size))) << "at " << size;
  }
}

TEST(soap, specific_entry_fills_in_the_request_port_and_protocol) {
  const auto reply = parse_soap_reply(specific_entry_reply);
  ASSERT_TRUE(reply);
  port_mapping expected;
  expected.protocol = "TCP";
  expected.external_port = 3000;
  expected.internal_client = "192.168.1.23";
  expected.internal_port = 3000;
  expected.enabled = true;
  expected.description = "node & co";
  expected.lease_seconds = 3597;
  EXPECT_EQ(mapping_from_reply(*reply, 3000, "tcp"), expected);
}

TEST(soap, generic_entry_brings_its_own_port_and_protocol) {
  const auto reply = parse_soap_reply(generic_entry_reply);
  ASSERT_TRUE(reply);
  port_mapping expected;
  expected.protocol = "TCP";
  expected.external_port = 8080;
  expected.internal_client = "192.168.178.20";
  expected.internal_port = 80;
  expected.enabled = false;
  expected.description = "web";
  expected.lease_seconds = 0;
  EXPECT_EQ(mapping_from_reply(*reply, 1, "UDP"), expected);
}

struct rejected_mapping {
  std::string name;
  std::vector<std::pair<std::string, std::string>> values;
  friend void PrintTo(const rejected_mapping& c, std::ostream* os) { *os << c.name; }
};

const rejected_mapping rejected_mappings[] = {
    {"no_internal_client", {{"NewInternalPort", "3000"}}},
    {"empty_internal_client", {{"NewInternalClient", ""}, {"NewInternalPort", "3000"}}},
    {"no_internal_port", {{"NewInternalClient", "192.168.1.23"}}},
    {"internal_port_zero", {{"NewInternalClient", "192.168.1.23"}, {"NewInternalPort", "0"}}},
    {"internal_port_too_big", {{"NewInternalClient", "192.168.1.23"}, {"NewInternalPort", "65536"}}},
    {"internal_port_negative", {{"NewInternalClient", "192.168.1.23"}, {"NewInternalPort", "-1"}}},
    {"bad_external_port",
     {{"NewInternalClient", "192.168.1.23"}, {"NewInternalPort", "3000"}, {"NewExternalPort", "x"}}},
    {"protocol_both",
     {{"NewInternalClient", "192.168.1.23"}, {"NewInternalPort", "3000"}, {"NewProtocol", "BOTH"}}},
};

class soap_rejected_mapping : public testing::TestWithParam<rejected_mapping> {};

TEST_P(soap_rejected_mapping, gives_no_mapping) {
  soap_reply reply;
  reply.values = GetParam().values;
  EXPECT_FALSE(mapping_from_reply(reply, 3000, "TCP"));
}

INSTANTIATE_TEST_SUITE_P(samples, soap_rejected_mapping, testing::ValuesIn(rejected_mappings),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(soap, mapping_text_loses_control_characters) {
  soap_reply reply;
  reply.values = {{"NewInternalClient", "192.168.1.23"},
                  {"NewInternalPort", "3000"},
                  {"NewPortMappingDescription", "a\x1b[31mred\x07"},
                  {"NewEnabled", "false"},
                  {"NewLeaseDuration", "junk"}};
  const auto mapping = mapping_from_reply(reply, 3000, "TCP");
  ASSERT_TRUE(mapping);
  EXPECT_EQ(mapping->description, "a[31mred");
  EXPECT_FALSE(mapping->enabled);
  EXPECT_EQ(mapping->lease_seconds, 0U);
}

// IGD:2 GetListOfPortMappings, as miniupnpd sends it: the listing is an
// escaped XML document inside NewPortListing.
const std::string listing =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<p:PortMappingList xmlns:p=\"urn:schemas-upnp-org:gw:WANIPConnection\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xsi:schemaLocation=\"urn:schemas-upnp-org:gw:WANIPConnection "
    "http://www.upnp.org/schemas/gw/WANIPConnection-v2.xsd\">"
    "<p:PortMappingEntry><p:NewRemoteHost></p:NewRemoteHost><p:NewExternalPort>3000</p:NewExternalPort>"
    "<p:NewProtocol>TCP</p:NewProtocol><p:NewInternalPort>3000</p:NewInternalPort>"
    "<p:NewInternalClient>192.168.1.23</p:NewInternalClient><p:NewEnabled>1</p:NewEnabled>"
    "<p:NewDescription>node</p:NewDescription><p:NewLeaseTime>0</p:NewLeaseTime></p:PortMappingEntry>"
    "<p:PortMappingEntry><p:NewRemoteHost>198.51.100.9</p:NewRemoteHost>"
    "<p:NewExternalPort>51413</p:NewExternalPort><p:NewProtocol>UDP</p:NewProtocol>"
    "<p:NewInternalPort>51413</p:NewInternalPort><p:NewInternalClient>192.168.1.40</p:NewInternalClient>"
    "<p:NewEnabled>0</p:NewEnabled><p:NewDescription>Transmission at 51413</p:NewDescription>"
    "<p:NewLeaseTime>7200</p:NewLeaseTime></p:PortMappingEntry>"
    "</p:PortMappingList>";

std::vector<port_mapping> expected_listing() {
  port_mapping node;
  node.protocol = "TCP";
  node.external_port = 3000;
  node.internal_client = "192.168.1.23";
  node.internal_port = 3000;
  node.description = "node";
  port_mapping torrent;
  torrent.protocol = "UDP";
  torrent.external_port = 51413;
  torrent.internal_client = "192.168.1.40";
  torrent.internal_port = 51413;
  torrent.enabled = false;
  torrent.description = "Transmission at 51413";
  torrent.lease_seconds = 7200;
  torrent.remote_host = "198.51.100.9";
  return {node, torrent};
}

TEST(soap, port_listing_inside_a_reply) {
  const auto reply = parse_soap_reply(envelope(
      "<u:GetListOfPortMappingsResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">"
      "<NewPortListing>" + xml_escape(listing) + "</NewPortListing></u:GetListOfPortMappingsResponse>"));
  ASSERT_TRUE(reply);
  const auto value = reply->value("NewPortListing");
  ASSERT_TRUE(value);
  EXPECT_EQ(parse_port_mapping_list(*value), expected_listing());
}

TEST(soap, port_listing_in_cdata) {
  const auto reply = parse_soap_reply(envelope(
      "<u:GetListOfPortMappingsResponse xmlns:u=\"x\"><NewPortListing><![CDATA[" + listing +
      "]]></NewPortListing></u:GetListOfPortMappingsResponse>"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(parse_port_mapping_list(reply->value("NewPortListing").value_or("")), expected_listing());
}

TEST(soap, port_listing_escaped_twice) {
  EXPECT_EQ(parse_port_mapping_list(xml_escape(listing)), expected_listing());
}

TEST(soap, port_listing_skips_incomplete_entries) {
  const std::string partial =
      "<p:PortMappingList xmlns:p=\"urn:schemas-upnp-org:gw:WANIPConnection\">"
      "<p:PortMappingEntry><p:NewInternalPort>1</p:NewInternalPort>"
      "<p:NewInternalClient>10.0.0.2</p:NewInternalClient><p:NewProtocol>TCP</p:NewProtocol>"
      "</p:PortMappingEntry>"
      "<p:PortMappingEntry><p:NewExternalPort>22</p:NewExternalPort><p:NewProtocol>TCP</p:NewProtocol>"
      "<p:NewInternalPort>22</p:NewInternalPort><p:NewInternalClient>10.0.0.2</p:NewInternalClient>"
      "</p:PortMappingEntry></p:PortMappingList>";
  const auto mappings = parse_port_mapping_list(partial);
  ASSERT_EQ(mappings.size(), 1U);
  EXPECT_EQ(mappings[0].external_port, 22);
}

TEST(soap, empty_or_broken_listings_give_no_mappings) {
  EXPECT_TRUE(parse_port_mapping_list("").empty());
  EXPECT_TRUE(parse_port_mapping_list("<p:PortMappingList xmlns:p=\"x\"></p:PortMappingList>").empty());
  EXPECT_TRUE(parse_port_mapping_list("&lt;p:PortMappingList").empty());
  const auto end = listing.rfind('>');
  for (std::size_t size = 0; size <= end; ++size)
    EXPECT_TRUE(parse_port_mapping_list(std::string_view(listing).substr(0, size)).empty()) << "at " << size;
}

// ---------------------------------------------------------------------------
// The probed protocol: what is asked for, and which entry is its answer.

TEST(soap, protocol_names_both_ways) {
  EXPECT_EQ(upnp_protocol(transport::tcp), "TCP");
  EXPECT_EQ(upnp_protocol(transport::udp), "UDP");
  EXPECT_EQ(transport_from_upnp("TCP"), transport::tcp);
  EXPECT_EQ(transport_from_upnp("UDP"), transport::udp);
  EXPECT_EQ(transport_from_upnp("udp"), std::nullopt) << "upper case only, as written";
  EXPECT_EQ(transport_from_upnp("BOTH"), std::nullopt);
  EXPECT_EQ(protocol_port_text(transport::udp, 3000), "UDP 3000");
}

TEST(soap, udp_delete_and_specific_entry_ask_for_udp) {
  const auto key = port_mapping_key(3000, transport::udp);
  EXPECT_EQ(key, (soap_arguments{{"NewRemoteHost", ""}, {"NewExternalPort", "3000"}, {"NewProtocol", "UDP"}}));
  EXPECT_EQ(soap_request_body(wan_ip_connection_1, "DeletePortMapping", key),
            "<?xml version=\"1.0\"?>\r\n"
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
            "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>"
            "<u:DeletePortMapping xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\">"
            "<NewRemoteHost></NewRemoteHost><NewExternalPort>3000</NewExternalPort><NewProtocol>UDP</NewProtocol>"
            "</u:DeletePortMapping></s:Body></s:Envelope>\r\n");
  EXPECT_EQ(port_mapping_key(3000, transport::tcp).back().second, "TCP");
}

TEST(soap, udp_add_port_mapping) {
  port_mapping m;
  m.protocol = upnp_protocol(transport::udp);
  m.external_port = 3000;
  m.internal_client = "192.168.1.23";
  m.internal_port = 3000;
  m.description = "reachback";
  m.lease_seconds = 7200;
  const auto arguments = add_port_mapping_arguments(m);
  EXPECT_EQ(arguments, (soap_arguments{{"NewRemoteHost", ""},
                                       {"NewExternalPort", "3000"},
                                       {"NewProtocol", "UDP"},
                                       {"NewInternalPort", "3000"},
                                       {"NewInternalClient", "192.168.1.23"},
                                       {"NewEnabled", "1"},
                                       {"NewPortMappingDescription", "reachback"},
                                       {"NewLeaseDuration", "7200"}}));
  EXPECT_NE(soap_request_body(wan_ip_connection_1, "AddPortMapping", arguments)
                .find("<NewExternalPort>3000</NewExternalPort><NewProtocol>UDP</NewProtocol>"
                      "<NewInternalPort>3000</NewInternalPort><NewInternalClient>192.168.1.23</NewInternalClient>"),
            std::string::npos);
}

TEST(soap, udp_list_of_port_mappings_for_one_port) {
  EXPECT_EQ(list_port_arguments(3000, transport::udp, 32),
            (soap_arguments{{"NewStartPort", "3000"},
                            {"NewEndPort", "3000"},
                            {"NewProtocol", "UDP"},
                            {"NewManage", "1"},
                            {"NewNumberOfPorts", "32"}}));
  EXPECT_EQ(list_port_arguments(3000, transport::tcp, 32)[2].second, "TCP");
}

/// A GetSpecificPortMappingEntry reply for 192.168.1.23:3000, naming `protocol` ("" for none).
soap_reply specific_reply(const std::string& protocol) {
  soap_reply reply;
  reply.values = {{"NewInternalPort", "3000"}, {"NewInternalClient", "192.168.1.23"}, {"NewEnabled", "1"}};
  if (!protocol.empty()) reply.values.emplace_back("NewProtocol", protocol);
  return reply;
}

struct specific_case {
  std::string name;
  std::string reply_protocol;  ///< what the reply names, "" for nothing
  transport asked;
  std::optional<std::string> taken;  ///< the mapping's protocol, or none taken
  friend void PrintTo(const specific_case& c, std::ostream* os) { *os << c.name; }
};

const specific_case specific_cases[] = {
    {"udp_asked_reply_without_protocol_is_udp", "", transport::udp, "UDP"},
    {"tcp_asked_reply_without_protocol_is_tcp", "", transport::tcp, "TCP"},
    {"udp_asked_udp_named", "UDP", transport::udp, "UDP"},
    {"udp_asked_tcp_entry_is_not_it", "TCP", transport::udp, std::nullopt},
    {"tcp_asked_udp_entry_is_not_it", "UDP", transport::tcp, std::nullopt},
    {"udp_asked_lower_case_udp", "udp", transport::udp, "UDP"},
};

class soap_specific_entry : public testing::TestWithParam<specific_case> {};

TEST_P(soap_specific_entry, is_the_asked_protocols_only) {
  const auto& c = GetParam();
  const auto m = specific_mapping_from_reply(specific_reply(c.reply_protocol), 3000, c.asked);
  ASSERT_EQ(m.has_value(), c.taken.has_value());
  if (!m) return;
  EXPECT_EQ(m->protocol, *c.taken);
  EXPECT_EQ(m->external_port, 3000);
  EXPECT_EQ(m->internal_client, "192.168.1.23");
}

INSTANTIATE_TEST_SUITE_P(cases, soap_specific_entry, testing::ValuesIn(specific_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(soap, specific_entry_of_another_port_is_not_it) {
  auto reply = specific_reply("UDP");
  reply.values.emplace_back("NewExternalPort", "3001");
  EXPECT_FALSE(specific_mapping_from_reply(reply, 3000, transport::udp));
}

// A listing that holds the port twice: TCP to one host, UDP to another.
const std::string listing_of_both =
    "<p:PortMappingList xmlns:p=\"urn:schemas-upnp-org:gw:WANIPConnection\">"
    "<p:PortMappingEntry><p:NewExternalPort>3000</p:NewExternalPort><p:NewProtocol>TCP</p:NewProtocol>"
    "<p:NewInternalPort>3000</p:NewInternalPort><p:NewInternalClient>192.168.1.23</p:NewInternalClient>"
    "</p:PortMappingEntry>"
    "<p:PortMappingEntry><p:NewExternalPort>3000</p:NewExternalPort><p:NewProtocol>UDP</p:NewProtocol>"
    "<p:NewInternalPort>3000</p:NewInternalPort><p:NewInternalClient>192.168.1.40</p:NewInternalClient>"
    "</p:PortMappingEntry>"
    "</p:PortMappingList>";

TEST(soap, listing_of_both_protocols_gives_each_its_own_entry) {
  const auto mappings = parse_port_mapping_list(listing_of_both);
  ASSERT_EQ(mappings.size(), 2u);
  const auto udp = find_mapping(mappings, 3000, transport::udp);
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->protocol, "UDP");
  EXPECT_EQ(udp->internal_client, "192.168.1.40");
  const auto tcp = find_mapping(mappings, 3000, transport::tcp);
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->protocol, "TCP");
  EXPECT_EQ(tcp->internal_client, "192.168.1.23");
}

TEST(soap, listing_of_one_protocol_has_no_entry_for_the_other) {
  auto mappings = parse_port_mapping_list(listing_of_both);
  const auto tcp_only = std::vector<port_mapping>{mappings[0]};
  EXPECT_FALSE(find_mapping(tcp_only, 3000, transport::udp)) << "a TCP mapping of the port is not its UDP one";
  const auto udp_only = std::vector<port_mapping>{mappings[1]};
  EXPECT_FALSE(find_mapping(udp_only, 3000, transport::tcp)) << "nor the other way round";
  EXPECT_FALSE(find_mapping(mappings, 3001, transport::tcp));
}

struct error_name_case {
  int code;
  std::string name;
  friend void PrintTo(const error_name_case& c, std::ostream* os) { *os << c.code; }
};

const error_name_case error_names[] = {
    {402, "InvalidArgs"},
    {501, "ActionFailed"},
    {606, "ActionNotAuthorized"},
    {713, "SpecifiedArrayIndexInvalid"},
    {714, "NoSuchEntryInArray"},
    {715, "WildCardNotPermittedInSrcIP"},
    {716, "WildCardNotPermittedInExtPort"},
    {718, "ConflictInMappingEntry"},
    {724, "SamePortValuesRequired"},
    {725, "OnlyPermanentLeasesSupported"},
    {726, "RemoteHostOnlySupportsWildcard"},
    {727, "ExternalPortOnlySupportsWildcard"},
    {728, "NoPortMapsAvailable"},
    {729, "ConflictWithOtherMechanisms"},
    {0, "error 0"},
    {999, "error 999"},
};

class soap_error_name : public testing::TestWithParam<error_name_case> {};

TEST_P(soap_error_name, is_the_spec_name) { EXPECT_EQ(upnp_error_name(GetParam().code), GetParam().name); }

INSTANTIATE_TEST_SUITE_P(codes, soap_error_name, testing::ValuesIn(error_names),
                         [](const auto& test_info) { return "code_" + std::to_string(test_info.param.code); });

}  // namespace
}  // namespace reachback::router

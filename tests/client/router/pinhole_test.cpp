// SPDX-License-Identifier: MIT
// WANIPv6FirewallControl:1 requests and replies, the replies as miniupnpd
// 2.3.1 sent them in the lab and as other routers word them.
#include "client/router/pinhole.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace reachback::router {
namespace {

TEST(pinhole, add_pinhole_arguments_any_remote_host_in_the_services_order) {
  const auto arguments = add_pinhole_arguments({"2001:db8:1000:1::23", 3000, transport::tcp, 7200});
  const soap_arguments expected = {{"RemoteHost", ""},       {"RemotePort", "0"},
                                   {"InternalClient", "2001:db8:1000:1::23"}, {"InternalPort", "3000"},
                                   {"Protocol", "6"},        {"LeaseTime", "7200"}};
  EXPECT_EQ(arguments, expected);
}

TEST(pinhole, udp_is_protocol_17) {
  EXPECT_EQ(pinhole_protocol(transport::udp), "17");
  EXPECT_EQ(add_pinhole_arguments({"2001:db8::5", 51820, transport::udp, 60})[4].second, "17");
}

TEST(pinhole, unique_id_argument) {
  EXPECT_EQ(pinhole_id_arguments(65535), (soap_arguments{{"UniqueID", "65535"}}));
}

TEST(pinhole, request_body_parses_back_with_every_argument) {
  const auto body = soap_request_body(wan_ipv6_firewall_control_1, "AddPinhole",
                                      add_pinhole_arguments({"2001:db8::5", 3000, transport::tcp, 60}));
  const auto echoed = parse_soap_reply(body);
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->value("InternalClient"), "2001:db8::5");
  EXPECT_EQ(echoed->value("RemoteHost"), "");
  EXPECT_EQ(soap_action_header(wan_ipv6_firewall_control_1, "AddPinhole"),
            "\"urn:schemas-upnp-org:service:WANIPv6FirewallControl:1#AddPinhole\"");
}

/// miniupnpd 2.3.1's replies, as the lab's room router sent them.
const std::string miniupnpd_status =
    "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:GetFirewallStatusResponse "
    "xmlns:u=\"urn:schemas-upnp-org:service:WANIPv6FirewallControl:1\"><FirewallEnabled>1</FirewallEnabled>"
    "<InboundPinholeAllowed>1</InboundPinholeAllowed></u:GetFirewallStatusResponse></s:Body></s:Envelope>\r\n";
const std::string miniupnpd_added =
    "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:AddPinholeResponse "
    "xmlns:u=\"urn:schemas-upnp-org:service:WANIPv6FirewallControl:1\"><UniqueID>1</UniqueID>"
    "</u:AddPinholeResponse></s:Body></s:Envelope>\r\n";

std::string status_reply(const std::string& enabled, const std::string& allowed) {
  return "<s:Envelope><s:Body><u:GetFirewallStatusResponse>" + enabled + allowed +
         "</u:GetFirewallStatusResponse></s:Body></s:Envelope>";
}

std::string fault(int code, const std::string& description) {
  return "<s:Envelope><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>"
         "<detail><UPnPError><errorCode>" +
         std::to_string(code) + "</errorCode><errorDescription>" + description +
         "</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>";
}

struct status_case {
  std::string name;
  std::string reply;
  std::optional<firewall_status> expected;
  friend void PrintTo(const status_case& c, std::ostream* os) { *os << c.name; }
};

const std::vector<status_case> status_cases = {
    {"miniupnpd_enabled_and_allowed", miniupnpd_status, firewall_status{true, true}},
    {"pinholes_not_allowed",
     status_reply("<FirewallEnabled>1</FirewallEnabled>", "<InboundPinholeAllowed>0</InboundPinholeAllowed>"),
     firewall_status{true, false}},
    {"firewall_off",
     status_reply("<FirewallEnabled>0</FirewallEnabled>", "<InboundPinholeAllowed>0</InboundPinholeAllowed>"),
     firewall_status{false, false}},
    {"words_in_any_case",
     status_reply("<FirewallEnabled>True</FirewallEnabled>", "<InboundPinholeAllowed>no</InboundPinholeAllowed>"),
     firewall_status{true, false}},
    {"prefixed_elements",
     status_reply("<u:FirewallEnabled>1</u:FirewallEnabled>", "<u:InboundPinholeAllowed>1</u:InboundPinholeAllowed>"),
     firewall_status{true, true}},
    {"missing_allowed", status_reply("<FirewallEnabled>1</FirewallEnabled>", ""), std::nullopt},
    {"not_a_boolean",
     status_reply("<FirewallEnabled>on</FirewallEnabled>", "<InboundPinholeAllowed>1</InboundPinholeAllowed>"),
     std::nullopt},
    {"a_fault", fault(401, "Invalid Action"), std::nullopt},
};

class firewall_status_table : public testing::TestWithParam<status_case> {};

TEST_P(firewall_status_table, reads) {
  const auto reply = parse_soap_reply(GetParam().reply);
  ASSERT_TRUE(reply);
  EXPECT_EQ(firewall_status_from_reply(*reply), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(replies, firewall_status_table, testing::ValuesIn(status_cases),
                         [](const auto& test_info) { return test_info.param.name; });

struct id_case {
  std::string name;
  std::string unique_id;  ///< the element's text, or "absent"
  std::optional<std::uint16_t> expected;
  friend void PrintTo(const id_case& c, std::ostream* os) { *os << c.name; }
};

const std::vector<id_case> id_cases = {
    {"zero", "0", 0},
    {"largest", "65535", 65535},
    {"blanks_around", " 42 ", 42},
    {"too_large", "65536", std::nullopt},
    {"negative", "-1", std::nullopt},
    {"empty", "", std::nullopt},
    {"not_a_number", "1a", std::nullopt},
    {"too_many_digits", "000001", std::nullopt},
    {"absent", "absent", std::nullopt},
};

class pinhole_id_table : public testing::TestWithParam<id_case> {};

TEST_P(pinhole_id_table, reads) {
  const auto& c = GetParam();
  const auto element = c.unique_id == "absent" ? std::string() : "<UniqueID>" + c.unique_id + "</UniqueID>";
  const auto reply = parse_soap_reply("<s:Envelope><s:Body><u:AddPinholeResponse>" + element +
                                      "</u:AddPinholeResponse></s:Body></s:Envelope>");
  ASSERT_TRUE(reply);
  EXPECT_EQ(pinhole_id_from_reply(*reply), c.expected);
}

INSTANTIATE_TEST_SUITE_P(replies, pinhole_id_table, testing::ValuesIn(id_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(pinhole, miniupnpd_add_reply_gives_its_unique_id) {
  const auto reply = parse_soap_reply(miniupnpd_added);
  ASSERT_TRUE(reply);
  EXPECT_EQ(pinhole_id_from_reply(*reply), 1);
}

TEST(pinhole, a_fault_gives_no_id) {
  const auto reply = parse_soap_reply(fault(606, "Action not authorized"));
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->fault);
  EXPECT_FALSE(pinhole_id_from_reply(*reply));
}

TEST(pinhole, error_names_are_the_firewall_services_own) {
  EXPECT_EQ(pinhole_error_name(702), "FirewallDisabled");
  EXPECT_EQ(pinhole_error_name(703), "InboundPinholeNotAllowed");
  EXPECT_EQ(pinhole_error_name(704), "NoSuchEntry");
  EXPECT_EQ(pinhole_error_name(606), "ActionNotAuthorized");
  EXPECT_EQ(pinhole_error_name(799), "error 799");
}

}  // namespace
}  // namespace reachback::router

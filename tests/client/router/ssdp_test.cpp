// SPDX-License-Identifier: MIT
#include "client/router/ssdp.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "client/router/http_url.hpp"

namespace reachback::router::ssdp_test {
namespace {

TEST(ssdp, msearch_for_igd2_multicast) {
  EXPECT_EQ(msearch_request(igd2_search_target, ssdp_multicast_host, 2),
            "M-SEARCH * HTTP/1.1\r\n"
            "HOST: 239.255.255.250:1900\r\n"
            "MAN: \"ssdp:discover\"\r\n"
            "MX: 2\r\n"
            "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n"
            "\r\n");
}

TEST(ssdp, msearch_unicast_without_mx) {
  EXPECT_EQ(msearch_request(igd1_search_target, "10.20.0.1:1900", 0),
            "M-SEARCH * HTTP/1.1\r\n"
            "HOST: 10.20.0.1:1900\r\n"
            "MAN: \"ssdp:discover\"\r\n"
            "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
            "\r\n");
}

TEST(ssdp, msearch_mx_is_clamped_to_1_to_5) {
  EXPECT_NE(msearch_request(igd1_search_target, ssdp_multicast_host, 120).find("\r\nMX: 5\r\n"),
            std::string::npos);
  EXPECT_NE(msearch_request(igd1_search_target, ssdp_multicast_host, 1).find("\r\nMX: 1\r\n"),
            std::string::npos);
  EXPECT_EQ(msearch_request(igd1_search_target, ssdp_multicast_host, -3).find("MX:"), std::string::npos);
}

TEST(ssdp, msearch_drops_line_breaks_from_its_arguments) {
  const auto request = msearch_request("urn:x\r\nEVIL: 1", "h:1900\nMX: 9", 1);
  EXPECT_EQ(request.find("\nEVIL"), std::string::npos);
  EXPECT_EQ(request.find("\nMX: 9"), std::string::npos);
}

TEST(ssdp, our_own_msearch_is_no_response) {
  EXPECT_FALSE(parse_ssdp_response(msearch_request(igd2_search_target, ssdp_multicast_host, 2)));
}

struct reply_case {
  std::string name;
  std::string datagram;
  ssdp_response expected;
  friend void PrintTo(const reply_case& c, std::ostream* os) { *os << c.name; }
};

const std::string miniupnpd_reply =
    "HTTP/1.1 200 OK\r\n"
    "CACHE-CONTROL: max-age=120\r\n"
    "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n"
    "USN: uuid:4d696e69-444c-164e-9d41-b827eb5e1a02::urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n"
    "EXT:\r\n"
    "SERVER: OpenWRT/OpenWrt UPnP/1.1 MiniUPnPd/2.3.3\r\n"
    "LOCATION: http://10.20.0.1:5000/rootDesc.xml\r\n"
    "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
    "01-NLS: 1700000000\r\n"
    "BOOTID.UPNP.ORG: 1700000000\r\n"
    "CONFIGID.UPNP.ORG: 1337\r\n"
    "\r\n";

const reply_case replies[] = {
    {"miniupnpd_upper_case", miniupnpd_reply,
     {"http://10.20.0.1:5000/rootDesc.xml", "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
      "uuid:4d696e69-444c-164e-9d41-b827eb5e1a02::urn:schemas-upnp-org:device:InternetGatewayDevice:2",
      "OpenWRT/OpenWrt UPnP/1.1 MiniUPnPd/2.3.3"}},
    {"fritzbox_mixed_case",
     "HTTP/1.1 200 OK\r\n"
     "Location: http://192.168.178.1:49000/igddesc.xml\r\n"
     "Server: FRITZ!Box 7590 UPnP/1.0 AVM FRITZ!Box 7590 154.07.57\r\n"
     "Cache-Control: max-age=1800\r\n"
     "Ext: \r\n"
     "St: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
     "Usn: uuid:75802409-bccb-40e7-8e6c-3431C4D2A3B7::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
     "\r\n",
     {"http://192.168.178.1:49000/igddesc.xml", "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
      "uuid:75802409-bccb-40e7-8e6c-3431C4D2A3B7::urn:schemas-upnp-org:device:InternetGatewayDevice:1",
      "FRITZ!Box 7590 UPnP/1.0 AVM FRITZ!Box 7590 154.07.57"}},
    {"lower_case_bare_lf",
     "HTTP/1.1 200 OK\n"
     "location:http://192.168.1.1:1900/igd.xml\n"
     "st:upnp:rootdevice\n"
     "usn:uuid:upnp-InternetGatewayDevice-1_0-a0b1c2::upnp:rootdevice\n"
     "server:Linux/2.6 UPnP/1.0 TP-LINK/1.0\n"
     "\n",
     {"http://192.168.1.1:1900/igd.xml", "upnp:rootdevice",
      "uuid:upnp-InternetGatewayDevice-1_0-a0b1c2::upnp:rootdevice", "Linux/2.6 UPnP/1.0 TP-LINK/1.0"}},
    {"http10_without_final_empty_line",
     "HTTP/1.0 200 OK\r\n"
     "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
     "LOCATION:  http://10.0.0.138:80/IGD.xml  \r\n",
     {"http://10.0.0.138:80/IGD.xml", "urn:schemas-upnp-org:device:InternetGatewayDevice:1", "", ""}},
    {"only_location",
     "HTTP/1.1 200 OK\r\nLOCATION: http://[fe80::1]:5000/rootDesc.xml\r\n\r\n",
     {"http://[fe80::1]:5000/rootDesc.xml", "", "", ""}},
    {"trailing_bytes_ignored", miniupnpd_reply + std::string("\0\0garbage", 9),
     {"http://10.20.0.1:5000/rootDesc.xml", "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
      "uuid:4d696e69-444c-164e-9d41-b827eb5e1a02::urn:schemas-upnp-org:device:InternetGatewayDevice:2",
      "OpenWRT/OpenWrt UPnP/1.1 MiniUPnPd/2.3.3"}},
};

class ssdp_reply : public testing::TestWithParam<reply_case> {};

TEST_P(ssdp_reply, parses) { EXPECT_EQ(parse_ssdp_response(GetParam().datagram), GetParam().expected); }

// A datagram cut short either parses to the same LOCATION or not at all:
// never to a shortened URL.
TEST_P(ssdp_reply, truncated_never_gives_another_location) {
  const auto& datagram = GetParam().datagram;
  for (std::size_t size = 0; size < datagram.size(); ++size) {
    const auto parsed = parse_ssdp_response(std::string_view(datagram).substr(0, size));
    if (parsed) {
      EXPECT_EQ(parsed->location, GetParam().expected.location) << "at " << size;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(samples, ssdp_reply, testing::ValuesIn(replies),
                         [](const auto& test_info) { return test_info.param.name; });

struct rejected_case {
  std::string name;
  std::string datagram;
  friend void PrintTo(const rejected_case& c, std::ostream* os) { *os << c.name; }
};

const rejected_case rejected[] = {
    {"notify",
     "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n"
     "LOCATION: http://10.20.0.1:5000/rootDesc.xml\r\n\r\n"},
    {"msearch_from_another_host",
     "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
     "ST: ssdp:all\r\n\r\n"},
    {"not_found", "HTTP/1.1 404 Not Found\r\nLOCATION: http://10.20.0.1:5000/rootDesc.xml\r\n\r\n"},
    {"no_location", "HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n"},
    {"empty_location", "HTTP/1.1 200 OK\r\nLOCATION:\r\n\r\n"},
    {"https_location", "HTTP/1.1 200 OK\r\nLOCATION: https://10.20.0.1/rootDesc.xml\r\n\r\n"},
    {"relative_location", "HTTP/1.1 200 OK\r\nLOCATION: /rootDesc.xml\r\n\r\n"},
    {"cut_inside_last_line", "HTTP/1.1 200 OK\r\nLOCATION: http://10.20.0.1:5000/root"},
    {"empty", ""},
    {"binary", std::string("\x00\x80\x00\x00", 4)},
    {"too_big", "HTTP/1.1 200 OK\r\nLOCATION: http://10.20.0.1:5000/rootDesc.xml\r\nX: " +
                    std::string(max_ssdp_datagram, 'x') + "\r\n\r\n"},
};

class ssdp_rejected : public testing::TestWithParam<rejected_case> {};

TEST_P(ssdp_rejected, is_not_an_answer) { EXPECT_FALSE(parse_ssdp_response(GetParam().datagram)); }

INSTANTIATE_TEST_SUITE_P(samples, ssdp_rejected, testing::ValuesIn(rejected),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(ssdp, location_parses_as_an_http_url) {
  const auto reply = parse_ssdp_response(miniupnpd_reply);
  ASSERT_TRUE(reply);
  EXPECT_EQ(parse_http_url(reply->location), (http_url{"10.20.0.1", 5000, "/rootDesc.xml"}));
}

}  // namespace
}  // namespace reachback::router::ssdp_test

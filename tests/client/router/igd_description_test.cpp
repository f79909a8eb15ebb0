// SPDX-License-Identifier: MIT
#include "client/router/igd_description.hpp"

#include <gtest/gtest.h>

#include <string>

namespace reachback::router {
namespace {

// miniupnpd 2.3 (OpenWrt) at http://10.20.0.1:5000/rootDesc.xml: one line,
// no URLBase, IGD:2 with WANIPConnection:2 two devices down.
const std::string miniupnpd_description =
    "<?xml version=\"1.0\"?>\r\n"
    "<root xmlns=\"urn:schemas-upnp-org:device-1-0\" configId=\"1337\">"
    "<specVersion><major>1</major><minor>1</minor></specVersion>"
    "<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>"
    "<friendlyName>OpenWrt router</friendlyName><manufacturer>OpenWrt</manufacturer>"
    "<manufacturerURL>https://openwrt.org/</manufacturerURL><modelDescription>OpenWrt router</modelDescription>"
    "<modelName>OpenWrt router</modelName><modelNumber>1</modelNumber><modelURL>https://openwrt.org/</modelURL>"
    "<serialNumber>00000000</serialNumber><UDN>uuid:4d696e69-444c-164e-9d41-b827eb5e1a02</UDN>"
    "<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>"
    "<serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId><SCPDURL>/L3F.xml</SCPDURL>"
    "<controlURL>/ctl/L3F</controlURL><eventSubURL>/evt/L3F</eventSubURL></service></serviceList>"
    "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>"
    "<friendlyName>WANDevice</friendlyName><manufacturer>MiniUPnP</manufacturer>"
    "<manufacturerURL>http://miniupnp.free.fr/</manufacturerURL><modelDescription>WAN Device</modelDescription>"
    "<modelName>WAN Device</modelName><modelNumber>20230918</modelNumber>"
    "<modelURL>http://miniupnp.free.fr/</modelURL><serialNumber>00000000</serialNumber>"
    "<UDN>uuid:4d696e69-444c-164e-9d42-b827eb5e1a02</UDN><UPC>000000000000</UPC>"
    "<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>"
    "<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId><SCPDURL>/WANCfg.xml</SCPDURL>"
    "<controlURL>/ctl/CmnIfCfg</controlURL><eventSubURL>/evt/CmnIfCfg</eventSubURL></service></serviceList>"
    "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType>"
    "<friendlyName>WANConnectionDevice</friendlyName><manufacturer>MiniUPnP</manufacturer>"
    "<manufacturerURL>http://miniupnp.free.fr/</manufacturerURL><modelDescription>MiniUPnP daemon</modelDescription>"
    "<modelName>MiniUPnPd</modelName><modelNumber>20230918</modelNumber>"
    "<modelURL>http://miniupnp.free.fr/</modelURL><serialNumber>00000000</serialNumber>"
    "<UDN>uuid:4d696e69-444c-164e-9d43-b827eb5e1a02</UDN><UPC>000000000000</UPC>"
    "<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>"
    "<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/WANIPCn.xml</SCPDURL>"
    "<controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL></service>"
    "<service><serviceType>urn:schemas-upnp-org:service:WANIPv6FirewallControl:1</serviceType>"
    "<serviceId>urn:upnp-org:serviceId:WANIPv6Firewall1</serviceId><SCPDURL>/WANIP6FC.xml</SCPDURL>"
    "<controlURL>/ctl/IP6FCtl</controlURL><eventSubURL>/evt/IP6FCtl</eventSubURL></service>"
    "</serviceList></device></deviceList></device></deviceList>"
    "<presentationURL>http://10.20.0.1/</presentationURL></device></root>";

// A Fritz!Box-like IGD:1: indented, CRLF, a URLBase, WANIPConnection:1 and
// WANPPPConnection:1 side by side, the PPP one with a relative controlURL.
const std::string fritzbox_description =
    "<?xml version=\"1.0\"?>\r\n"
    "<root xmlns=\"urn:schemas-upnp-org:device-1-0\">\r\n"
    "<specVersion>\r\n<major>1</major>\r\n<minor>0</minor>\r\n</specVersion>\r\n"
    "<URLBase>http://192.168.178.1:49000</URLBase>\r\n"
    "<device>\r\n"
    "<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>\r\n"
    "<friendlyName>FRITZ!Box 7590</friendlyName>\r\n"
    "<manufacturer>AVM Berlin</manufacturer>\r\n"
    "<manufacturerURL>http://www.avm.de</manufacturerURL>\r\n"
    "<modelDescription>FRITZ!Box 7590</modelDescription>\r\n"
    "<modelName>FRITZ!Box 7590</modelName>\r\n"
    "<modelNumber>avm</modelNumber>\r\n"
    "<UDN>uuid:75802409-bccb-40e7-8e6c-3431C4D2A3B7</UDN>\r\n"
    "<iconList>\r\n<icon>\r\n<mimetype>image/gif</mimetype>\r\n<width>118</width>\r\n<height>119</height>\r\n"
    "<depth>8</depth>\r\n<url>/ligd.gif</url>\r\n</icon>\r\n</iconList>\r\n"
    "<serviceList>\r\n<service>\r\n"
    "<serviceType>urn:schemas-any-com:service:Any:1</serviceType>\r\n"
    "<serviceId>urn:any-com:serviceId:any1</serviceId>\r\n"
    "<controlURL>/igdupnp/control/any</controlURL>\r\n"
    "<eventSubURL>/igdupnp/control/any</eventSubURL>\r\n"
    "<SCPDURL>/any.xml</SCPDURL>\r\n"
    "</service>\r\n</serviceList>\r\n"
    "<deviceList>\r\n<device>\r\n"
    "<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>\r\n"
    "<friendlyName>WANDevice - FRITZ!Box 7590</friendlyName>\r\n"
    "<manufacturer>AVM Berlin</manufacturer>\r\n"
    "<modelName>WANDevice - FRITZ!Box 7590</modelName>\r\n"
    "<serviceList>\r\n<service>\r\n"
    "<serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>\r\n"
    "<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId>\r\n"
    "<controlURL>/igdupnp/control/WANCommonIFC1</controlURL>\r\n"
    "<eventSubURL>/igdupnp/control/WANCommonIFC1</eventSubURL>\r\n"
    "<SCPDURL>/igdicfgSCPD.xml</SCPDURL>\r\n"
    "</service>\r\n</serviceList>\r\n"
    "<deviceList>\r\n<device>\r\n"
    "<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>\r\n"
    "<friendlyName>WANConnectionDevice - FRITZ!Box 7590</friendlyName>\r\n"
    "<serviceList>\r\n"
    "<service>\r\n"
    "<serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType>\r\n"
    "<serviceId>urn:upnp-org:serviceId:WANPPPConn1</serviceId>\r\n"
    "<controlURL>igdupnp/control/WANPPPConn1</controlURL>\r\n"
    "<eventSubURL>/igdupnp/control/WANPPPConn1</eventSubURL>\r\n"
    "<SCPDURL>/igdconnSCPD.xml</SCPDURL>\r\n"
    "</service>\r\n"
    "<service>\r\n"
    "<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>\r\n"
    "<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>\r\n"
    "<controlURL>/igdupnp/control/WANIPConn1</controlURL>\r\n"
    "<eventSubURL>/igdupnp/control/WANIPConn1</eventSubURL>\r\n"
    "<SCPDURL>/igdconnSCPD.xml</SCPDURL>\r\n"
    "</service>\r\n"
    "</serviceList>\r\n</device>\r\n</deviceList>\r\n</device>\r\n</deviceList>\r\n"
    "<presentationURL>http://fritz.box</presentationURL>\r\n"
    "</device>\r\n</root>\r\n";

// An odd embedded server: namespace prefixes on every element, odd case,
// an entity and CDATA in the names, relative controlURLs without a URLBase.
const std::string prefixed_description =
    "<ns0:root xmlns:ns0=\"urn:schemas-upnp-org:device-1-0\">"
    "<ns0:device><ns0:friendlyName>Linksys &amp; Co <![CDATA[E1200]]></ns0:friendlyName>"
    "<ns0:Manufacturer>Linksys</ns0:Manufacturer><ns0:modelName>E1200 &#x2F; v2</ns0:modelName>"
    "<ns0:deviceList><ns0:device><ns0:deviceList><ns0:device><ns0:serviceList><ns0:service>"
    "<ns0:serviceType> urn:schemas-upnp-org:service:WANIPConnection:1 </ns0:serviceType>"
    "<ns0:controlURL>upnp/control/WANIPConn1</ns0:controlURL>"
    "</ns0:service></ns0:serviceList></ns0:device></ns0:deviceList></ns0:device></ns0:deviceList>"
    "</ns0:device></ns0:root>";

const http_url miniupnpd_location{"10.20.0.1", 5000, "/rootDesc.xml"};
const http_url fritzbox_location{"192.168.178.1", 49000, "/igddesc.xml"};
const http_url linksys_location{"192.168.1.1", 2869, "/igd/desc.xml"};

TEST(igd_description, miniupnpd_root_device_and_nested_wanipconnection2) {
  const auto description = parse_igd_description(miniupnpd_description, miniupnpd_location);
  ASSERT_TRUE(description);
  EXPECT_EQ(description->friendly_name, "OpenWrt router");
  EXPECT_EQ(description->manufacturer, "OpenWrt");
  EXPECT_EQ(description->model_name, "OpenWrt router");
  const std::vector<igd_service> expected = {
      {"urn:schemas-upnp-org:service:WANIPConnection:2", {"10.20.0.1", 5000, "/ctl/IPConn"}}};
  EXPECT_EQ(description->wan_services, expected);
}

TEST(igd_description, miniupnpd_pinhole_service_beside_its_wan_service) {
  const auto description = parse_igd_description(miniupnpd_description, miniupnpd_location);
  ASSERT_TRUE(description);
  const std::vector<igd_service> expected = {
      {"urn:schemas-upnp-org:service:WANIPv6FirewallControl:1", {"10.20.0.1", 5000, "/ctl/IP6FCtl"}}};
  EXPECT_EQ(description->pinhole_services, expected);
}

// Found over IPv6: miniupnpd 2.3.1's LOCATION is its LAN's global address.
TEST(igd_description, pinhole_control_url_resolved_against_an_ipv6_location) {
  const http_url location{"2001:db8:1000:1::1", 5000, "/rootDesc.xml"};
  const auto description = parse_igd_description(miniupnpd_description, location);
  ASSERT_TRUE(description);
  ASSERT_EQ(description->pinhole_services.size(), 1U);
  EXPECT_EQ(to_string(description->pinhole_services[0].control_url), "http://[2001:db8:1000:1::1]:5000/ctl/IP6FCtl");
}

TEST(igd_description, ipv4_only_router_offers_no_pinhole_service) {
  const auto description = parse_igd_description(fritzbox_description, fritzbox_location);
  ASSERT_TRUE(description);
  EXPECT_TRUE(description->pinhole_services.empty());
}

TEST(igd_description, fritzbox_urlbase_and_ip_before_ppp) {
  // Fetched through another address than its URLBase names: URLBase wins.
  const auto description =
      parse_igd_description(fritzbox_description, http_url{"fritz.box", 49000, "/igddesc.xml"});
  ASSERT_TRUE(description);
  EXPECT_EQ(description->friendly_name, "FRITZ!Box 7590");
  EXPECT_EQ(description->manufacturer, "AVM Berlin");
  EXPECT_EQ(description->model_name, "FRITZ!Box 7590");
  const std::vector<igd_service> expected = {
      {"urn:schemas-upnp-org:service:WANIPConnection:1",
       {"192.168.178.1", 49000, "/igdupnp/control/WANIPConn1"}},
      {"urn:schemas-upnp-org:service:WANPPPConnection:1",
       {"192.168.178.1", 49000, "/igdupnp/control/WANPPPConn1"}},
  };
  EXPECT_EQ(description->wan_services, expected);
}

TEST(igd_description, prefixes_case_entities_and_relative_url_against_location) {
  const auto description = parse_igd_description(prefixed_description, linksys_location);
  ASSERT_TRUE(description);
  EXPECT_EQ(description->friendly_name, "Linksys & Co E1200");
  EXPECT_EQ(description->manufacturer, "Linksys");
  EXPECT_EQ(description->model_name, "E1200 / v2");
  const std::vector<igd_service> expected = {
      {"urn:schemas-upnp-org:service:WANIPConnection:1",
       {"192.168.1.1", 2869, "/igd/upnp/control/WANIPConn1"}}};
  EXPECT_EQ(description->wan_services, expected);
}

std::string service(std::string_view type, std::string_view control_url) {
  return "<service><serviceType>" + std::string(type) + "</serviceType><controlURL>" +
         std::string(control_url) + "</controlURL></service>";
}

std::string description_with(const std::string& services, const std::string& url_base = "") {
  return "<root>" + url_base + "<device><friendlyName>r</friendlyName><serviceList>" + services +
         "</serviceList></device></root>";
}

TEST(igd_description, services_come_in_preference_order_then_document_order) {
  const auto xml = description_with(
      service(wan_ppp_connection_1, "/ppp") + service(wan_ip_connection_1, "/ip1a") +
      service("urn:schemas-upnp-org:service:WANIPv6FirewallControl:1", "/fw") +
      service(wan_ip_connection_2, "/ip2") + service(wan_ip_connection_1, "/ip1b"));
  const auto description = parse_igd_description(xml, miniupnpd_location);
  ASSERT_TRUE(description);
  std::vector<std::string> paths;
  for (const auto& s : description->wan_services) paths.push_back(s.control_url.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/ip2", "/ip1a", "/ip1b", "/ppp"}));
  ASSERT_EQ(description->pinhole_services.size(), 1U);
  EXPECT_EQ(description->pinhole_services[0].control_url.path, "/fw");
}

TEST(igd_description, service_type_matched_without_case_but_kept_as_written) {
  const auto xml = description_with(service("URN:schemas-upnp-org:service:WANIPConnection:1", "/c"));
  const auto description = parse_igd_description(xml, miniupnpd_location);
  ASSERT_TRUE(description);
  ASSERT_EQ(description->wan_services.size(), 1U);
  EXPECT_EQ(description->wan_services[0].service_type, "URN:schemas-upnp-org:service:WANIPConnection:1");
}

TEST(igd_description, unusable_control_urls_are_left_out) {
  const auto xml = description_with(
      service(wan_ip_connection_2, "") + service(wan_ip_connection_2, "https://10.20.0.1/ctl") +
      "<service><serviceType>" + std::string(wan_ip_connection_1) + "</serviceType></service>" +
      service(wan_ip_connection_1, "http://10.20.0.1:0/ctl") + service(wan_ppp_connection_1, "/ok"));
  const auto description = parse_igd_description(xml, miniupnpd_location);
  ASSERT_TRUE(description);
  ASSERT_EQ(description->wan_services.size(), 1U);
  EXPECT_EQ(description->wan_services[0].control_url, (http_url{"10.20.0.1", 5000, "/ok"}));
}

TEST(igd_description, absolute_control_url_on_another_port) {
  const auto xml = description_with(service(wan_ip_connection_1, "http://10.20.0.1:5001/ctl/IPConn"));
  const auto description = parse_igd_description(xml, miniupnpd_location);
  ASSERT_TRUE(description);
  ASSERT_EQ(description->wan_services.size(), 1U);
  EXPECT_EQ(description->wan_services[0].control_url, (http_url{"10.20.0.1", 5001, "/ctl/IPConn"}));
}

TEST(igd_description, urlbase_with_a_path_and_a_bad_urlbase) {
  const auto with_path = parse_igd_description(
      description_with(service(wan_ip_connection_1, "ctl"), "<URLBase>http://10.0.0.1:80/upnp/</URLBase>"),
      miniupnpd_location);
  ASSERT_TRUE(with_path);
  ASSERT_EQ(with_path->wan_services.size(), 1U);
  EXPECT_EQ(with_path->wan_services[0].control_url, (http_url{"10.0.0.1", 80, "/upnp/ctl"}));

  // An unusable URLBase falls back to the location.
  const auto bad = parse_igd_description(
      description_with(service(wan_ip_connection_1, "/ctl"), "<URLBase>ftp://10.0.0.1/</URLBase>"),
      miniupnpd_location);
  ASSERT_TRUE(bad);
  ASSERT_EQ(bad->wan_services.size(), 1U);
  EXPECT_EQ(bad->wan_services[0].control_url, (http_url{"10.20.0.1", 5000, "/ctl"}));
}

TEST(igd_description, a_router_without_wan_services_still_names_itself) {
  const auto description = parse_igd_description(
      description_with(service("urn:schemas-upnp-org:service:Layer3Forwarding:1", "/l3f")), miniupnpd_location);
  ASSERT_TRUE(description);
  EXPECT_EQ(description->friendly_name, "r");
  EXPECT_TRUE(description->wan_services.empty());
  EXPECT_TRUE(description->pinhole_services.empty());
}

TEST(igd_description, not_a_description) {
  EXPECT_FALSE(parse_igd_description("", miniupnpd_location));
  EXPECT_FALSE(parse_igd_description("<html><body>Login</body></html>", miniupnpd_location));
  EXPECT_FALSE(parse_igd_description("404 Not Found", miniupnpd_location));
}

TEST(igd_description, truncated_descriptions_are_refused) {
  for (const auto* fixture : {&miniupnpd_description, &fritzbox_description, &prefixed_description}) {
    const auto end = fixture->rfind('>');
    for (std::size_t size = 0; size <= end; ++size) {
      EXPECT_FALSE(parse_igd_description(std::string_view(*fixture).substr(0, size), miniupnpd_location))
          << "at " << size;
    }
  }
}

}  // namespace
}  // namespace reachback::router

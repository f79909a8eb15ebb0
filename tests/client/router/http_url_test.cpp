// SPDX-License-Identifier: MIT
#include "client/router/http_url.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace reachback::router {
namespace {

struct url_case {
  std::string name;
  std::string text;
  http_url expected;
  friend void PrintTo(const url_case& c, std::ostream* os) { *os << c.name; }
};

const url_case valid_urls[] = {
    {"miniupnpd_location", "http://10.20.0.1:5000/rootDesc.xml", {"10.20.0.1", 5000, "/rootDesc.xml"}},
    {"fritzbox_location", "http://192.168.178.1:49000/igddesc.xml", {"192.168.178.1", 49000, "/igddesc.xml"}},
    {"default_port", "http://router.lan/desc.xml", {"router.lan", 80, "/desc.xml"}},
    {"empty_port_is_default", "http://router.lan:/x", {"router.lan", 80, "/x"}},
    {"no_path", "http://10.0.0.1:1900", {"10.0.0.1", 1900, "/"}},
    {"query_only", "http://10.0.0.1?a=1", {"10.0.0.1", 80, "/?a=1"}},
    {"query_kept", "http://10.0.0.1/ctl?svc=ip#frag", {"10.0.0.1", 80, "/ctl?svc=ip"}},
    {"scheme_any_case", "HTTP://Router.Lan:8080/A", {"Router.Lan", 8080, "/A"}},
    {"blanks_around", " \r\n\thttp://10.0.0.1/d.xml \r\n", {"10.0.0.1", 80, "/d.xml"}},
    {"ipv6_literal", "http://[fe80::1]:5000/rootDesc.xml", {"fe80::1", 5000, "/rootDesc.xml"}},
    {"ipv6_zone_rfc6874", "http://[fe80::1%25eth0]:5000/", {"fe80::1%eth0", 5000, "/"}},
    {"ipv6_no_port", "http://[2001:db8::1]/", {"2001:db8::1", 80, "/"}},
    {"dot_segments", "http://10.0.0.1/a/./b/../ctl", {"10.0.0.1", 80, "/a/ctl"}},
    {"space_encoded", "http://10.0.0.1/my desc.xml", {"10.0.0.1", 80, "/my%20desc.xml"}},
    {"utf8_encoded", "http://10.0.0.1/\xc3\xa9", {"10.0.0.1", 80, "/%C3%A9"}},
    {"port_65535", "http://h:65535/", {"h", 65535, "/"}},
    {"underscore_host", "http://my_router.lan/", {"my_router.lan", 80, "/"}},
};

class http_url_valid : public testing::TestWithParam<url_case> {};

TEST_P(http_url_valid, parses) { EXPECT_EQ(parse_http_url(GetParam().text), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(samples, http_url_valid, testing::ValuesIn(valid_urls),
                         [](const auto& test_info) { return test_info.param.name; });

struct bad_url_case {
  std::string name;
  std::string text;
  friend void PrintTo(const bad_url_case& c, std::ostream* os) { *os << c.name; }
};

const bad_url_case invalid_urls[] = {
    {"empty", ""},
    {"https", "https://10.0.0.1/"},
    {"no_scheme", "10.0.0.1/desc.xml"},
    {"relative", "/ctl/IPConn"},
    {"empty_host", "http:///desc.xml"},
    {"port_zero", "http://10.0.0.1:0/"},
    {"port_too_big", "http://10.0.0.1:65536/"},
    {"port_not_numeric", "http://10.0.0.1:http/"},
    {"userinfo", "http://admin:pw@10.0.0.1/"},
    {"bad_ipv4", "http://10.0.0.256/"},
    {"short_ipv4", "http://10.0.1/"},
    {"leading_zero_ipv4", "http://010.0.0.1/"},
    {"unclosed_ipv6", "http://[fe80::1:5000/"},
    {"ipv6_without_brackets", "http://fe80::1/"},
    {"ipv6_bad_char", "http://[fe80::g]/"},
    {"junk_after_bracket", "http://[fe80::1]x/"},
    {"space_in_host", "http://my router/"},
    {"crlf_inside", "http://10.0.0.1/a\r\nX-Injected: 1"},
    {"nul_inside", std::string("http://10.0.0.1/a\0b", 19)},
    {"too_long", "http://h/" + std::string(max_url_size, 'a')},
    // 709 bytes as given, 2,109 once each non-ASCII byte is written as %XX.
    {"too_long_once_encoded", "http://h/" + std::string(700, '\xce')},
    {"host_too_long", "http://" + std::string(max_host_size + 1, 'a') + "/"},
};

class http_url_invalid : public testing::TestWithParam<bad_url_case> {};

TEST_P(http_url_invalid, is_rejected) { EXPECT_FALSE(parse_http_url(GetParam().text)); }

INSTANTIATE_TEST_SUITE_P(samples, http_url_invalid, testing::ValuesIn(invalid_urls),
                         [](const auto& test_info) { return test_info.param.name; });

struct resolve_case {
  std::string name;
  std::string base;
  std::string reference;
  std::optional<http_url> expected;
  friend void PrintTo(const resolve_case& c, std::ostream* os) { *os << c.name; }
};

const resolve_case resolve_cases[] = {
    {"absolute_path", "http://10.20.0.1:5000/rootDesc.xml", "/ctl/IPConn",
     http_url{"10.20.0.1", 5000, "/ctl/IPConn"}},
    {"relative_path", "http://192.168.1.1:1900/igd/desc.xml", "control/WANIPConn1",
     http_url{"192.168.1.1", 1900, "/igd/control/WANIPConn1"}},
    {"relative_against_urlbase_without_slash", "http://192.168.178.1:49000", "igdupnp/control/WANIPConn1",
     http_url{"192.168.178.1", 49000, "/igdupnp/control/WANIPConn1"}},
    {"relative_against_directory", "http://h/a/b/", "c", http_url{"h", 80, "/a/b/c"}},
    {"dot_dot", "http://h/a/b/desc.xml", "../ctl", http_url{"h", 80, "/a/ctl"}},
    {"dot_dot_above_root", "http://h/desc.xml", "../../ctl", http_url{"h", 80, "/ctl"}},
    {"absolute_url", "http://10.20.0.1:5000/rootDesc.xml", "http://10.20.0.1:5001/ctl/IPConn",
     http_url{"10.20.0.1", 5001, "/ctl/IPConn"}},
    {"absolute_url_any_case", "http://h/", "HTTP://10.0.0.1/x", http_url{"10.0.0.1", 80, "/x"}},
    {"network_path", "http://h:5000/d.xml", "//10.0.0.2:6000/x", http_url{"10.0.0.2", 6000, "/x"}},
    {"query_only", "http://h/ctl?a=1", "?b=2", http_url{"h", 80, "/ctl?b=2"}},
    {"empty_is_base", "http://h:81/d.xml?q", "", http_url{"h", 81, "/d.xml?q"}},
    {"fragment_only_is_base", "http://h/d.xml", "#top", http_url{"h", 80, "/d.xml"}},
    {"blanks_trimmed", "http://h/d.xml", "\n    /ctl/IPConn\n  ", http_url{"h", 80, "/ctl/IPConn"}},
    {"base_query_not_merged", "http://h/a/d.xml?x=/y/", "ctl", http_url{"h", 80, "/a/ctl"}},
    {"https_refused", "http://h/", "https://h/ctl", std::nullopt},
    {"other_scheme_refused", "http://h/", "mailto:x@y", std::nullopt},
    {"control_char_refused", "http://h/", "/ctl\r\nHost: evil", std::nullopt},
    {"too_long_once_encoded", "http://h/", std::string(700, '\xce'), std::nullopt},
};

class http_url_resolve : public testing::TestWithParam<resolve_case> {};

TEST_P(http_url_resolve, resolves) {
  const auto& c = GetParam();
  const auto base = parse_http_url(c.base);
  ASSERT_TRUE(base) << c.base;
  EXPECT_EQ(resolve_url(*base, c.reference), c.expected);
}

INSTANTIATE_TEST_SUITE_P(samples, http_url_resolve, testing::ValuesIn(resolve_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(http_url, to_string_always_writes_the_port) {
  EXPECT_EQ(to_string(http_url{"10.20.0.1", 5000, "/ctl/IPConn"}), "http://10.20.0.1:5000/ctl/IPConn");
  EXPECT_EQ(to_string(http_url{"router.lan", 80, "/"}), "http://router.lan:80/");
  EXPECT_EQ(to_string(http_url{"fe80::1%eth0", 5000, "/"}), "http://[fe80::1%25eth0]:5000/");
}

TEST(http_url, to_string_parses_back_to_the_same_url) {
  for (const auto& c : valid_urls) EXPECT_EQ(parse_http_url(to_string(c.expected)), c.expected) << c.name;
}

TEST(http_url, host_header_has_the_port_and_brackets_without_zone) {
  EXPECT_EQ(host_header_value(http_url{"10.20.0.1", 5000, "/"}), "10.20.0.1:5000");
  EXPECT_EQ(host_header_value(http_url{"router.lan", 80, "/"}), "router.lan:80");
  EXPECT_EQ(host_header_value(http_url{"fe80::1%eth0", 5000, "/"}), "[fe80::1]:5000");
}

}  // namespace
}  // namespace reachback::router

// SPDX-License-Identifier: MIT
#include "client/router/xml_text.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace reachback::router {
namespace {

const std::string soap_reply =
    "<?xml version=\"1.0\"?>\r\n"
    "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
    "<s:Body><u:GetExternalIPAddressResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">"
    "<NewExternalIPAddress>203.0.113.7</NewExternalIPAddress>"
    "</u:GetExternalIPAddressResponse></s:Body></s:Envelope>\r\n";

TEST(xml_text, local_name_drops_the_prefix) {
  EXPECT_EQ(local_name("s:Envelope"), "Envelope");
  EXPECT_EQ(local_name("Envelope"), "Envelope");
  EXPECT_EQ(local_name("a:b:c"), "c");
  EXPECT_EQ(local_name(""), "");
}

TEST(xml_text, elements_in_document_order_with_parents_and_depth) {
  const auto doc = parse_xml(soap_reply);
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->elements.size(), 4U);
  EXPECT_EQ(doc->elements[0].name, "Envelope");
  EXPECT_EQ(doc->elements[0].parent, xml_no_parent);
  EXPECT_EQ(doc->elements[1].name, "Body");
  EXPECT_EQ(doc->elements[1].parent, 0U);
  EXPECT_EQ(doc->elements[2].name, "GetExternalIPAddressResponse");
  EXPECT_EQ(doc->elements[2].depth, 2U);
  EXPECT_EQ(doc->elements[3].name, "NewExternalIPAddress");
  EXPECT_EQ(doc->elements[3].inner, "203.0.113.7");
  EXPECT_EQ(doc->elements[3].parent, 2U);
}

TEST(xml_text, find_and_child_ignore_prefix_and_case) {
  const auto doc = parse_xml(soap_reply);
  ASSERT_TRUE(doc);
  EXPECT_EQ(xml_find(*doc, xml_no_parent, "body"), 1U);
  EXPECT_EQ(xml_find(*doc, 0, "newexternalipaddress"), 3U);
  EXPECT_FALSE(xml_find(*doc, 3, "Body"));
  EXPECT_EQ(xml_child(*doc, 1, "GetExternalIPAddressResponse"), 2U);
  EXPECT_FALSE(xml_child(*doc, 0, "GetExternalIPAddressResponse")) << "a grandchild is no child";
  EXPECT_EQ(xml_child_text(*doc, 2, "NewExternalIPAddress"), "203.0.113.7");
  EXPECT_FALSE(xml_child_text(*doc, 2, "NewRemoteHost"));
  EXPECT_EQ(xml_children(*doc, 0), (std::vector<std::size_t>{1}));
  EXPECT_TRUE(xml_children(*doc, 3).empty());
  EXPECT_TRUE(xml_children(*doc, 99).empty());
}

TEST(xml_text, siblings_and_self_closing_elements) {
  const auto doc = parse_xml("<a><b/><c x='1>2'>t</c><b></b></a>");
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->elements.size(), 4U);
  EXPECT_EQ(xml_children(*doc, 0), (std::vector<std::size_t>{1, 2, 3}));
  EXPECT_EQ(doc->elements[1].inner, "");
  EXPECT_EQ(doc->elements[2].inner, "t") << "a '>' inside a quoted attribute does not end the tag";
}

TEST(xml_text, text_decodes_entities_unwraps_cdata_and_drops_markup) {
  EXPECT_EQ(xml_text("  Fish &amp; Chips\r\n"), "Fish & Chips");
  EXPECT_EQ(xml_text("<![CDATA[<raw> &amp;]]>"), "<raw> &amp;");
  EXPECT_EQ(xml_text("a<!-- c -->b<?pi x?>c<i>d</i>"), "abcd");
  EXPECT_EQ(xml_text("1 < 2"), "1 < 2");
  EXPECT_EQ(xml_text(""), "");
  EXPECT_EQ(xml_text("<![CDATA[cut"), "cut");
}

struct entity_case {
  std::string name;
  std::string text;
  std::string decoded;
  friend void PrintTo(const entity_case& c, std::ostream* os) { *os << c.name; }
};

const entity_case entity_cases[] = {
    {"named", "&lt;&gt;&amp;&quot;&apos;", "<>&\"'"},
    {"decimal", "&#65;&#233;", "A\xc3\xa9"},
    {"hex", "&#x41;&#X20AC;&#x1F600;", "A\xe2\x82\xac\xf0\x9f\x98\x80"},
    {"escaped_listing", "&lt;p:PortMappingList&gt;", "<p:PortMappingList>"},
    {"unknown_name_kept", "&nbsp;&copy;", "&nbsp;&copy;"},
    {"lone_ampersand", "AT&T", "AT&T"},
    {"no_semicolon", "&lt x", "&lt x"},
    {"nul_kept", "&#0;", "&#0;"},
    {"surrogate_kept", "&#xD800;", "&#xD800;"},
    {"too_big_kept", "&#x110000;", "&#x110000;"},
    {"overlong_digits_kept", "&#0000000065;", "&#0000000065;"},
    {"empty_reference", "&#;&#x;", "&#;&#x;"},
    {"double_escaped_once", "&amp;lt;", "&lt;"},
};

class xml_entities : public testing::TestWithParam<entity_case> {};

TEST_P(xml_entities, decode) { EXPECT_EQ(xml_decode_entities(GetParam().text), GetParam().decoded); }

INSTANTIATE_TEST_SUITE_P(samples, xml_entities, testing::ValuesIn(entity_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(xml_text, escape_round_trips_through_decode) {
  const std::string text = "<a href=\"x\">Tom's & Jerry's</a>";
  EXPECT_EQ(xml_escape(text), "&lt;a href=&quot;x&quot;&gt;Tom&apos;s &amp; Jerry&apos;s&lt;/a&gt;");
  EXPECT_EQ(xml_decode_entities(xml_escape(text)), text);
}

TEST(xml_text, comments_pis_cdata_and_doctype_are_not_elements) {
  const auto doc = parse_xml(
      "<?xml version=\"1.0\"?><!DOCTYPE root [<!ENTITY lol \"lol\"><!ELEMENT root ANY>]>"
      "<!-- <fake/> --><root><![CDATA[<fake/>]]>&lol;</root>");
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->elements.size(), 1U);
  EXPECT_EQ(xml_text(doc->elements[0].inner), "<fake/>&lol;") << "a DOCTYPE entity is never expanded";
}

TEST(xml_text, an_outer_end_tag_closes_inner_elements_left_open) {
  // A router that puts HTML into a description: <br> is never closed.
  const auto doc = parse_xml("<r><d>x <br> y</d><e>f</e></r>");
  ASSERT_TRUE(doc);
  const auto d = xml_find(*doc, xml_no_parent, "d");
  ASSERT_TRUE(d);
  EXPECT_EQ(doc->elements[*d].inner, "x <br> y");
  EXPECT_EQ(xml_text(doc->elements[*d].inner), "x  y");
  EXPECT_EQ(xml_child_text(*doc, 0, "e"), "f") << "e is r's child again, not br's";
}

TEST(xml_text, a_stray_end_tag_is_ignored) {
  const auto doc = parse_xml("<r></x><v>1</v></r>");
  ASSERT_TRUE(doc);
  EXPECT_EQ(xml_child_text(*doc, 0, "v"), "1");
}

TEST(xml_text, trailing_text_after_the_root_is_ignored) {
  const char text[] = "<r>1</r>\r\n\0garbage";
  const auto doc = parse_xml(std::string_view(text, sizeof text - 1));
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->elements.size(), 1U);
}

TEST(xml_text, every_truncation_is_refused) {
  // Cut anywhere before the root's end tag is complete, a document is refused.
  const auto end = soap_reply.rfind('>');
  for (std::size_t size = 0; size < end + 1; ++size)
    EXPECT_FALSE(parse_xml(std::string_view(soap_reply).substr(0, size))) << "at " << size;
  EXPECT_TRUE(parse_xml(std::string_view(soap_reply).substr(0, end + 1)));
}

struct refused_case {
  std::string name;
  std::string text;
  friend void PrintTo(const refused_case& c, std::ostream* os) { *os << c.name; }
};

const refused_case refused_cases[] = {
    {"empty", ""},
    {"text_only", "hello"},
    {"unclosed_root", "<root><a>1</a>"},
    {"unclosed_comment", "<root/><!-- x"},
    {"unclosed_cdata", "<root><![CDATA[x</root>"},
    {"unclosed_pi", "<?xml version=\"1.0\""},
    {"unclosed_doctype", "<!DOCTYPE root [ <root/>"},
    {"unclosed_start_tag", "<root attr=\"x>"},
    {"unclosed_end_tag", "<root></root"},
};

class xml_refused : public testing::TestWithParam<refused_case> {};

TEST_P(xml_refused, parse_fails) { EXPECT_FALSE(parse_xml(GetParam().text)); }

INSTANTIATE_TEST_SUITE_P(samples, xml_refused, testing::ValuesIn(refused_cases),
                         [](const auto& test_info) { return test_info.param.name; });

std::string nested(std::size_t depth) {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += "<d>";
  for (std::size_t i = 0; i < depth; ++i) text += "</d>";
  return text;
}

TEST(xml_text, depth_is_bounded) {
  EXPECT_TRUE(parse_xml(nested(max_xml_depth)));
  EXPECT_FALSE(parse_xml(nested(max_xml_depth + 1)));
}

TEST(xml_text, element_count_is_bounded) {
  std::string many = "<r>";
  for (std::size_t i = 1; i < max_xml_elements; ++i) many += "<e/>";
  EXPECT_TRUE(parse_xml(many + "</r>"));
  EXPECT_FALSE(parse_xml(many + "<e/></r>"));
}

TEST(xml_text, size_is_bounded) {
  const std::string padding(max_xml_bytes - 7, ' ');
  EXPECT_TRUE(parse_xml("<r>" + padding + "</r>"));
  EXPECT_FALSE(parse_xml("<r>" + padding + " </r>"));
}

}  // namespace
}  // namespace reachback::router

// SPDX-License-Identifier: MIT
#include "client/platform/excluded_ports.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace reachback::client::platform {
namespace {

// `netsh interface ipv4 show excludedportrange protocol=tcp` on an English
// Windows 10 with Hyper-V (layout as published in answers about
// "administered port exclusions"; netsh ends lines with CRLF).
const std::string english =
    "\r\n"
    "Protocol tcp Port Exclusion Ranges\r\n"
    "\r\n"
    "Start Port    End Port\r\n"
    "----------    --------\r\n"
    "      5357        5357\r\n"
    "      9800        9800\r\n"
    "     49671       49770\r\n"
    "     50000       50059     *\r\n"
    "     61902       62001\r\n"
    "\r\n"
    "* - Administered port exclusions.\r\n"
    "\r\n";

const std::vector<excluded_port_range> english_ranges = {
    {4, 5357, 5357, false},   {4, 9800, 9800, false},   {4, 49671, 49770, false},
    {4, 50000, 50059, true},  {4, 61902, 62001, false},
};

// Same table with the header and footer in other languages. Header words
// follow the localized Windows wording; the parser never looks at them.
const std::string german =
    "\r\n"
    "Protokoll tcp Portausschlussbereiche\r\n"
    "\r\n"
    "Startport    Endport\r\n"
    "----------    --------\r\n"
    "      5357        5357\r\n"
    "      9800        9800\r\n"
    "     49671       49770\r\n"
    "     50000       50059     *\r\n"
    "     61902       62001\r\n"
    "\r\n"
    "* - Verwaltete Portausschl\x81sse.\r\n"  // OEM code page 850: 0x81 is 'ü'
    "\r\n";

const std::string french =
    "\r\n"
    "Plages d'exclusion de ports du protocole tcp\r\n"
    "\r\n"
    "Port de d\x82" "but    Port de fin\r\n"  // code page 850: 0x82 is 'é'
    "----------    --------\r\n"
    "      5357        5357\r\n"
    "      9800        9800\r\n"
    "     49671       49770\r\n"
    "     50000       50059     *\r\n"
    "     61902       62001\r\n"
    "\r\n"
    "* - Exclusions de ports administr\x82" "es.\r\n"
    "\r\n";

// Korean in UTF-8 (a console set to code page 65001).
const std::string korean_utf8 =
    "\r\n"
    "\xed\x94\x84\xeb\xa1\x9c\xed\x86\xa0\xec\xbd\x9c tcp \xed\x8f\xac\xed\x8a\xb8 "
    "\xec\xa0\x9c\xec\x99\xb8 \xeb\xb2\x94\xec\x9c\x84\r\n"
    "\r\n"
    "\xec\x8b\x9c\xec\x9e\x91 \xed\x8f\xac\xed\x8a\xb8    \xeb\x81\x9d \xed\x8f\xac\xed\x8a\xb8\r\n"
    "----------    --------\r\n"
    "      5357        5357\r\n"
    "      9800        9800\r\n"
    "     49671       49770\r\n"
    "     50000       50059     *\r\n"
    "     61902       62001\r\n"
    "\r\n"
    "* - \xea\xb4\x80\xeb\xa6\xac\xeb\x90\x98\xeb\x8a\x94 \xed\x8f\xac\xed\x8a\xb8 "
    "\xec\xa0\x9c\xec\x99\xb8\xec\x9e\x85\xeb\x8b\x88\xeb\x8b\xa4.\r\n"
    "\r\n";

// Korean in the default OEM code page 949, as a pipe receives it.
const std::string korean_cp949 =
    "\r\n"
    "\xc7\xc1\xb7\xce\xc5\xe4\xc4\xdd tcp \xc6\xf7\xc6\xae "
    "\xc1\xa6\xbf\xdc \xb9\xfc\xc0\xa7\r\n"
    "\r\n"
    "\xbd\xc3\xc0\xdb \xc6\xf7\xc6\xae    \xb3\xa1 \xc6\xf7\xc6\xae\r\n"
    "----------    --------\r\n"
    "      5357        5357\r\n"
    "      9800        9800\r\n"
    "     49671       49770\r\n"
    "     50000       50059     *\r\n"
    "     61902       62001\r\n"
    "\r\n"
    "* - \xb0\xfc\xb8\xae\xb5\xc7\xb4\xc2 \xc6\xf7\xc6\xae "
    "\xc1\xa6\xbf\xdc\xc0\xd4\xb4\xcf\xb4\xd9.\r\n"
    "\r\n";

struct table_sample {
  std::string name;
  std::string output;
  friend void PrintTo(const table_sample& c, std::ostream* os) { *os << c.name; }
};

const table_sample translations[] = {
    {"english", english},         {"german_cp850", german},      {"french_cp850", french},
    {"korean_utf8", korean_utf8}, {"korean_cp949", korean_cp949},
};

class excluded_ports_translated : public testing::TestWithParam<table_sample> {};

TEST_P(excluded_ports_translated, gives_the_same_ranges) {
  EXPECT_EQ(parse_excluded_port_ranges(GetParam().output, 4), english_ranges);
}

TEST_P(excluded_ports_translated, is_recognised_as_the_table) {
  EXPECT_TRUE(looks_like_excluded_port_table(GetParam().output));
}

INSTANTIATE_TEST_SUITE_P(samples, excluded_ports_translated, testing::ValuesIn(translations),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(excluded_ports, empty_table_has_no_ranges_but_is_a_table) {
  const std::string empty =
      "\r\n"
      "Protocol tcp Port Exclusion Ranges\r\n"
      "\r\n"
      "Start Port    End Port\r\n"
      "----------    --------\r\n"
      "\r\n"
      "* - Administered port exclusions.\r\n"
      "\r\n";
  EXPECT_TRUE(parse_excluded_port_ranges(empty, 4).empty());
  EXPECT_TRUE(looks_like_excluded_port_table(empty));
}

TEST(excluded_ports, administered_rows_are_marked) {
  const std::string out =
      "Start Port    End Port\n"
      "----------    --------\n"
      "      3000        3000     *\n"
      "     50000       50099     *\n"
      "     55500       55599\n";
  const std::vector<excluded_port_range> expected = {
      {6, 3000, 3000, true}, {6, 50000, 50099, true}, {6, 55500, 55599, false}};
  EXPECT_EQ(parse_excluded_port_ranges(out, 6), expected);
}

TEST(excluded_ports, line_endings_and_tabs_do_not_matter) {
  const std::string lf = "----------    --------\n  1000  1099\n\t2000\t2000\t*\n";
  const std::string crlf = "----------    --------\r\n  1000  1099\r\n\t2000\t2000\t*\r\n";
  const std::string no_final_newline = "----------    --------\n  1000  1099\n\t2000\t2000\t*";
  const std::vector<excluded_port_range> expected = {{4, 1000, 1099, false},
                                                     {4, 2000, 2000, true}};
  EXPECT_EQ(parse_excluded_port_ranges(lf, 4), expected);
  EXPECT_EQ(parse_excluded_port_ranges(crlf, 4), expected);
  EXPECT_EQ(parse_excluded_port_ranges(no_final_newline, 4), expected);
}

TEST(excluded_ports, output_that_is_not_the_table_is_not_recognised) {
  // What a netsh without the command prints, in two shapes.
  const std::string not_found =
      "The following command was not found: interface ipv4 show excludedportrange "
      "protocol=tcp.\r\n";
  const std::string usage = "Usage: show excludedportrange [protocol=]tcp|udp\r\n";
  for (const auto& out : {not_found, usage, std::string(), std::string("\r\n\r\n")}) {
    EXPECT_TRUE(parse_excluded_port_ranges(out, 4).empty()) << out;
    EXPECT_FALSE(looks_like_excluded_port_table(out)) << out;
  }
}

TEST(excluded_ports, malformed_rows_are_skipped) {
  const std::string out =
      "----------    --------\n"
      "     50059       50000\n"       // reversed
      "      1000       70000\n"       // past 65535
      "        -1          10\n"       // negative
      "       1.5          10\n"       // not whole
      "      1000        1000     x\n" // unknown marker
      "      1000        1000     * extra\n"
      "      1000\n"
      "* - 1 2\n"                      // a footer with digits is still no row
      "0x10 0x20\n"
      "      4000        4000\n";      // the one good row
  const std::vector<excluded_port_range> expected = {{4, 4000, 4000, false}};
  EXPECT_EQ(parse_excluded_port_ranges(out, 4), expected);
}

TEST(excluded_ports, find_excluded_covers_both_ends_of_a_range) {
  EXPECT_EQ(find_excluded(english_ranges, 50000), (excluded_port_range{4, 50000, 50059, true}));
  EXPECT_EQ(find_excluded(english_ranges, 50059), (excluded_port_range{4, 50000, 50059, true}));
  EXPECT_EQ(find_excluded(english_ranges, 5357), (excluded_port_range{4, 5357, 5357, false}));
  EXPECT_FALSE(find_excluded(english_ranges, 49999));
  EXPECT_FALSE(find_excluded(english_ranges, 50060));
  EXPECT_FALSE(find_excluded(english_ranges, 3000));
  EXPECT_FALSE(find_excluded({}, 3000));
}

TEST(excluded_ports, find_excluded_takes_the_first_of_overlapping_ranges) {
  const std::vector<excluded_port_range> ranges = {{4, 2000, 2999, false}, {4, 2500, 2599, true}};
  EXPECT_EQ(find_excluded(ranges, 2550), ranges[0]);
}

}  // namespace
}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
// The state file of --fix: its JSON both ways, a corrupt or half-written
// file (an error, and the file left as it is), and the atomic save.
#include "client/fix_state.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace reachback::client {
namespace {

recorded_mapping upnp_record() {
  mapping_spec m;
  m.router_name = "room router";
  m.router_address = "192.168.1.1";
  m.method = map_method::upnp;
  m.control_url = "http://192.168.1.1:5000/ctl/IPConn";
  m.service_type = "urn:schemas-upnp-org:service:WANIPConnection:1";
  m.external_port = 3000;
  m.internal_client = "192.168.1.23";
  m.internal_port = 3000;
  m.lease_seconds = 7200;
  return {m, "2026-12-01T05:30:00Z"};
}

recorded_mapping natpmp_record() {
  mapping_spec m;
  m.router_name = "ISP hub";
  m.router_address = "192.168.0.1";
  m.method = map_method::natpmp;
  m.external_port = 3000;
  m.internal_port = 3000;
  m.lease_seconds = 600;
  m.via = "room router";
  return {m, "2026-12-01T05:30:01Z"};
}

recorded_mapping pcp_record() {
  mapping_spec m;
  m.router_name = "room router";
  m.router_address = "192.168.1.1";
  m.method = map_method::pcp;
  m.external_port = 3000;
  m.internal_client = "192.168.1.23";
  m.internal_port = 3000;
  m.lease_seconds = 7200;
  m.nonce = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0xff, 0x10, 0x9a};
  return {m, "2026-12-01T05:30:02Z"};
}

recorded_mapping pinhole_record() {
  mapping_spec m;
  m.kind = change_kind::pinhole;
  m.router_name = "room router";
  m.router_address = "2001:db8:1000:1::1";
  m.method = map_method::upnp;
  m.control_url = "http://[2001:db8:1000:1::1]:5000/ctl/IP6FCtl";
  m.service_type = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";
  m.external_port = 3000;
  m.internal_client = "2001:db8:1000:1::23";
  m.internal_port = 3000;
  m.lease_seconds = 7200;
  m.pinhole_id = 1;
  return {m, "2026-12-01T05:30:03Z"};
}

fix_state two_mappings() { return {{upnp_record(), natpmp_record()}}; }

/// A mapping document around `fields` (JSON members, no braces).
std::string one_mapping(const std::string& fields) {
  return R"({"schema": "reachback.fix-state/1", "mappings": [{"router_address": "192.168.1.1", )"
         R"("external_port": 3000, "protocol": "TCP", "internal_client": "192.168.1.23", "internal_port": 3000, )"
         R"("lease_seconds": 7200, "created": "2026-12-01T05:30:02Z", )" +
         fields + "}]}";
}

std::string error_of(std::string_view text) {
  const auto parsed = parse_fix_state(text);
  const auto* error = std::get_if<fix_state_error>(&parsed);
  return error ? error->message : "(parsed)";
}

TEST(fix_state, round_trips) {
  const auto state = two_mappings();
  const auto parsed = parse_fix_state(to_json_text(state));
  ASSERT_TRUE(std::holds_alternative<fix_state>(parsed)) << std::get<fix_state_error>(parsed).message;
  EXPECT_EQ(std::get<fix_state>(parsed), state);
}

TEST(fix_state, document_names_its_schema_and_every_field) {
  const auto text = to_json_text(two_mappings());
  for (const auto* field : {"\"schema\": \"reachback.fix-state/1\"", "\"router_address\": \"192.168.1.1\"",
                            "\"method\": \"upnp\"", "\"method\": \"natpmp\"", "\"control_url\"", "\"service_type\"",
                            "\"external_port\": 3000", "\"protocol\": \"TCP\"", "\"internal_client\": \"192.168.1.23\"",
                            "\"internal_port\": 3000", "\"lease_seconds\": 7200", "\"created\": \"2026-12-01T05:30:00Z\""})
    EXPECT_NE(text.find(field), std::string::npos) << field << " missing from\n" << text;
}

TEST(fix_state, pcp_mapping_round_trips_with_its_nonce) {
  const fix_state state{{upnp_record(), natpmp_record(), pcp_record()}};
  const auto text = to_json_text(state);
  EXPECT_NE(text.find("\"method\": \"pcp\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"nonce\": \"0123456789abcdef00ff109a\""), std::string::npos) << text;
  EXPECT_EQ(text.find("\"nonce\""), text.rfind("\"nonce\"")) << "only the PCP mapping carries a nonce";
  const auto parsed = parse_fix_state(text);
  ASSERT_TRUE(std::holds_alternative<fix_state>(parsed)) << std::get<fix_state_error>(parsed).message;
  EXPECT_EQ(std::get<fix_state>(parsed), state);
}

TEST(fix_state, file_written_before_pcp_loads_without_nonces) {
  // As reachback wrote it before PCP: no "nonce" anywhere.
  const auto parsed = parse_fix_state(R"({
  "schema": "reachback.fix-state/1",
  "mappings": [
    {"router_name": "room router", "router_address": "192.168.1.1", "method": "upnp",
     "control_url": "http://192.168.1.1:5000/ctl/IPConn",
     "service_type": "urn:schemas-upnp-org:service:WANIPConnection:1",
     "external_port": 3000, "protocol": "TCP", "internal_client": "192.168.1.23", "internal_port": 3000,
     "lease_seconds": 7200, "created": "2026-12-01T05:30:00Z"},
    {"router_name": "ISP hub", "router_address": "192.168.0.1", "method": "natpmp", "via": "room router",
     "external_port": 3000, "protocol": "TCP", "internal_client": "", "internal_port": 3000,
     "lease_seconds": 600, "created": "2026-12-01T05:30:01Z"}
  ]
})");
  ASSERT_TRUE(std::holds_alternative<fix_state>(parsed)) << std::get<fix_state_error>(parsed).message;
  EXPECT_EQ(std::get<fix_state>(parsed), two_mappings());
}

TEST(fix_state, udp_mappings_round_trip_with_their_protocol) {
  auto upnp = upnp_record();
  upnp.mapping.protocol = transport::udp;
  auto natpmp = natpmp_record();
  natpmp.mapping.protocol = transport::udp;
  auto pcp = pcp_record();
  pcp.mapping.protocol = transport::udp;
  const fix_state state{{upnp, natpmp, pcp}};
  const auto text = to_json_text(state);
  EXPECT_EQ(text.find("\"protocol\": \"TCP\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"protocol\": \"UDP\""), std::string::npos) << text;
  const auto parsed = parse_fix_state(text);
  ASSERT_TRUE(std::holds_alternative<fix_state>(parsed)) << std::get<fix_state_error>(parsed).message;
  EXPECT_EQ(std::get<fix_state>(parsed), state);
}

TEST(fix_state, mapping_without_a_protocol_is_tcp) {
  // One record as a state file without "protocol" has it.
  const auto text = R"({"schema": "reachback.fix-state/1", "mappings": [{"router_name": "room router",
      "router_address": "192.168.1.1", "method": "upnp", "control_url": "http://192.168.1.1:5000/ctl/IPConn",
      "service_type": "urn:schemas-upnp-org:service:WANIPConnection:1", "external_port": 3000,
      "internal_client": "192.168.1.23", "internal_port": 3000, "lease_seconds": 7200,
      "created": "2026-12-01T05:30:00Z"}]})";
  const auto parsed = parse_fix_state(text);
  ASSERT_TRUE(std::holds_alternative<fix_state>(parsed)) << std::get<fix_state_error>(parsed).message;
  ASSERT_EQ(std::get<fix_state>(parsed).mappings.size(), 1u);
  EXPECT_EQ(std::get<fix_state>(parsed).mappings[0], upnp_record());
  EXPECT_EQ(std::get<fix_state>(parsed).mappings[0].mapping.protocol, transport::tcp);
}

TEST(fix_state, unknown_protocol_is_an_error) {
  const auto with_protocol = [](const std::string& value) {
    return R"({"schema": "reachback.fix-state/1", "mappings": [{"router_address": "192.168.1.1", "method": "natpmp",
        "external_port": 3000, "protocol": )" + value + R"(, "internal_client": "", "internal_port": 3000,
        "lease_seconds": 600, "created": "2026-12-01T05:30:01Z"}]})";
  };
  EXPECT_EQ(error_of(with_protocol("\"SCTP\"")), "mapping 1: unknown protocol \"SCTP\" (\"TCP\" or \"UDP\")");
  EXPECT_EQ(error_of(with_protocol("\"udp\"")), "mapping 1: unknown protocol \"udp\" (\"TCP\" or \"UDP\")");
  EXPECT_EQ(error_of(with_protocol("17")), "mapping 1: \"protocol\" has the wrong type");
}

TEST(fix_state, record_keeps_both_protocols_of_a_port) {
  auto state = two_mappings();
  auto udp = upnp_record();
  udp.mapping.protocol = transport::udp;
  record(state, udp);
  ASSERT_EQ(state.mappings.size(), 3u) << "the UDP mapping of 3000 is another mapping than the TCP one";
  auto udp_again = udp;
  udp_again.created = "2026-12-02T00:00:00Z";
  record(state, udp_again);
  ASSERT_EQ(state.mappings.size(), 3u);
  EXPECT_EQ(state.mappings.back(), udp_again);
  EXPECT_EQ(state.mappings.front(), upnp_record());
}

TEST(fix_state, pcp_mapping_needs_its_nonce) {
  EXPECT_EQ(error_of(one_mapping(R"("method": "pcp")")), "mapping 1: no \"nonce\"");
  EXPECT_EQ(error_of(one_mapping(R"("method": "pcp", "nonce": "0123")")), "mapping 1: \"nonce\" is not 24 hex digits");
  EXPECT_EQ(error_of(one_mapping(R"("method": "pcp", "nonce": "0123456789abcdef00ff10zz")")),
            "mapping 1: \"nonce\" is not 24 hex digits");
  EXPECT_EQ(error_of(one_mapping(R"("method": "pcp", "nonce": 7)")), "mapping 1: \"nonce\" has the wrong type");
  const auto upper = parse_fix_state(one_mapping(R"("method": "pcp", "nonce": "0123456789ABCDEF00FF109A")"));
  ASSERT_TRUE(std::holds_alternative<fix_state>(upper)) << std::get<fix_state_error>(upper).message;
  EXPECT_EQ(std::get<fix_state>(upper).mappings[0].mapping.nonce, pcp_record().mapping.nonce);
}

TEST(fix_state, pinhole_round_trips_with_its_kind_and_id) {
  auto made_before_the_answer = pinhole_record();
  made_before_the_answer.mapping.pinhole_id.reset();
  made_before_the_answer.mapping.protocol = transport::udp;
  const fix_state state{{upnp_record(), pinhole_record(), made_before_the_answer}};
  const auto text = to_json_text(state);
  EXPECT_NE(text.find("\"kind\": \"pinhole\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"kind\": \"mapping\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"pinhole_id\": 1"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"pinhole_id\""), text.rfind("\"pinhole_id\"")) << "only a pinhole the router answered has an id";
  const auto parsed = parse_fix_state(text);
  ASSERT_TRUE(std::holds_alternative<fix_state>(parsed)) << std::get<fix_state_error>(parsed).message;
  EXPECT_EQ(std::get<fix_state>(parsed), state);
}

TEST(fix_state, record_without_a_kind_is_a_port_mapping) {
  const auto parsed = parse_fix_state(one_mapping(R"("method": "natpmp")"));
  ASSERT_TRUE(std::holds_alternative<fix_state>(parsed)) << std::get<fix_state_error>(parsed).message;
  EXPECT_EQ(std::get<fix_state>(parsed).mappings.at(0).mapping.kind, change_kind::port_mapping);
}

TEST(fix_state, bad_kinds_and_ids_are_errors) {
  EXPECT_EQ(error_of(one_mapping(R"("method": "natpmp", "kind": "tunnel")")),
            "mapping 1: unknown kind \"tunnel\" (\"mapping\" or \"pinhole\")");
  EXPECT_EQ(error_of(one_mapping(R"("method": "natpmp", "kind": "pinhole")")),
            "mapping 1: a pinhole is made by \"upnp\" only");
  const auto upnp_pinhole = std::string(R"("method": "upnp", "kind": "pinhole", "control_url": "http://[2001:db8::1]:5000/c", )"
                                        R"("service_type": "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1", )");
  EXPECT_EQ(error_of(one_mapping(upnp_pinhole + R"("pinhole_id": 65536)")), "mapping 1: \"pinhole_id\" is not 0 to 65535");
  EXPECT_EQ(error_of(one_mapping(upnp_pinhole + R"("pinhole_id": "1")")), "mapping 1: \"pinhole_id\" has the wrong type");
  EXPECT_EQ(error_of(one_mapping(upnp_pinhole + R"("pinhole_id": 0)")), "(parsed)");
}

TEST(fix_state, record_keeps_a_pinhole_beside_a_mapping_of_the_same_port) {
  fix_state state{{upnp_record()}};
  auto pinhole = pinhole_record();
  pinhole.mapping.router_address = upnp_record().mapping.router_address;
  record(state, pinhole);
  EXPECT_EQ(state.mappings.size(), 2u);
  auto renewed = pinhole;
  renewed.created = "2026-12-02T00:00:00Z";
  record(state, renewed);
  ASSERT_EQ(state.mappings.size(), 2u);
  EXPECT_EQ(state.mappings.back(), renewed);
}

TEST(fix_state, empty_state_round_trips) {
  const auto parsed = parse_fix_state(to_json_text({}));
  ASSERT_TRUE(std::holds_alternative<fix_state>(parsed));
  EXPECT_TRUE(std::get<fix_state>(parsed).mappings.empty());
}

TEST(fix_state, half_written_file_is_an_error_at_every_cut) {
  const auto text = to_json_text(two_mappings());
  // Every cut short of the closing brace is an error, never a shorter list.
  const auto end = text.rfind('}');
  for (std::size_t cut = 0; cut < end; ++cut) {
    const auto parsed = parse_fix_state(std::string_view(text).substr(0, cut));
    EXPECT_TRUE(std::holds_alternative<fix_state_error>(parsed)) << "cut at " << cut;
  }
}

TEST(fix_state, corrupt_documents_give_one_line) {
  EXPECT_EQ(error_of("garbage"), "not JSON, or cut short");
  EXPECT_EQ(error_of("{\"schema\": \"other/1\", \"mappings\": []}"), "not a reachback.fix-state/1 document");
  EXPECT_EQ(error_of("{\"schema\": \"reachback.fix-state/1\"}"), "no \"mappings\" list");
  EXPECT_EQ(error_of("{\"schema\": \"reachback.fix-state/1\", \"mappings\": [{\"method\": \"upnp\"}]}"),
            "mapping 1: no \"router_address\"");
  EXPECT_EQ(error_of(R"({"schema": "reachback.fix-state/1", "mappings": [{"router_address": "r", "method": "igd"}]})"),
            "mapping 1: unknown method \"igd\"");
  EXPECT_EQ(error_of(R"({"schema": "reachback.fix-state/1", "mappings": [{"router_address": "r", "method": "natpmp",
      "external_port": 70000}]})"),
            "mapping 1: \"external_port\" is not a port");
  EXPECT_EQ(error_of(R"({"schema": "reachback.fix-state/1", "mappings": [{"router_address": 7}]})"),
            "mapping 1: \"router_address\" has the wrong type");
  for (const auto& text : {std::string("garbage\n"), std::string("{\n\"a\":\n1")})
    EXPECT_EQ(error_of(text).find('\n'), std::string::npos);
}

TEST(fix_state, record_replaces_the_same_router_and_port) {
  auto state = two_mappings();
  auto again = upnp_record();
  again.created = "2026-12-02T00:00:00Z";
  record(state, again);
  ASSERT_EQ(state.mappings.size(), 2u);
  EXPECT_EQ(state.mappings.back(), again);
  auto other_port = upnp_record();
  other_port.mapping.external_port = 3001;
  record(state, other_port);
  EXPECT_EQ(state.mappings.size(), 3u);
}

TEST(fix_state, utc_timestamp) {
  using namespace std::chrono;
  EXPECT_EQ(utc_timestamp(system_clock::time_point{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_timestamp(sys_days{year{2026} / December / 1} + hours{5} + minutes{30} + seconds{7}),
            "2026-12-01T05:30:07Z");
}

TEST(fix_state, timestamp_reads_back) {
  const auto t = parse_utc_timestamp("2026-12-01T05:30:07Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(utc_timestamp(*t), "2026-12-01T05:30:07Z");
}

struct bad_timestamp {
  const char* name;
  const char* text;
};

class fix_state_bad_timestamp : public testing::TestWithParam<bad_timestamp> {};

TEST_P(fix_state_bad_timestamp, is_not_a_time) { EXPECT_EQ(parse_utc_timestamp(GetParam().text), std::nullopt); }

INSTANTIATE_TEST_SUITE_P(texts, fix_state_bad_timestamp,
                         testing::Values(bad_timestamp{"empty", ""}, bad_timestamp{"no_zone", "2026-12-01T05:30:07"},
                                         bad_timestamp{"hour_25", "2026-12-01T25:30:07Z"},
                                         bad_timestamp{"february_30", "2026-02-30T05:30:07Z"},
                                         bad_timestamp{"text_after", "2026-12-01T05:30:07Zx"},
                                         bad_timestamp{"spaces_for_digits", "2026-12- 1T05:30:07Z"},
                                         bad_timestamp{"signed_field", "2026-12-01T+5:30:07Z"}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(fix_state, lease_runs_out_at_its_end_and_never_when_permanent) {
  auto r = natpmp_record();  // 600 s from 05:30:01
  const auto at = [](const char* text) { return *parse_utc_timestamp(text); };
  EXPECT_FALSE(lease_ran_out(r, at("2026-12-01T05:40:00Z")));
  EXPECT_TRUE(lease_ran_out(r, at("2026-12-01T05:40:01Z")));
  r.mapping.lease_seconds = 0;
  EXPECT_FALSE(lease_ran_out(r, at("2027-12-01T00:00:00Z")));
  r = natpmp_record();
  r.created = "yesterday";
  EXPECT_FALSE(lease_ran_out(r, at("2027-12-01T00:00:00Z"))) << "an unreadable time is asked about, not assumed";
}

TEST(fix_state, path_is_in_the_state_directory) {
  const auto path = fix_state_path([](const char* name) -> std::optional<std::string> {
    if (std::string_view(name) == "XDG_STATE_HOME" || std::string_view(name) == "LOCALAPPDATA")
      return (std::filesystem::temp_directory_path() / "state").string();
    return std::nullopt;
  });
  ASSERT_TRUE(path);
  EXPECT_EQ(path->filename(), "fix-state.json");
  EXPECT_EQ(path->parent_path().filename(), "reachback");
}

class fix_state_file : public testing::Test {
 protected:
  // One directory per test: ctest runs the tests of this fixture in parallel.
  std::filesystem::path dir =
      std::filesystem::path(testing::TempDir()) /
      (std::string("reachback_fix_state_test-") + testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::path file = dir / "nested" / "fix-state.json";
  void SetUp() override { std::filesystem::remove_all(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string contents() const {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

TEST_F(fix_state_file, missing_file_is_an_empty_state) {
  const auto loaded = load_fix_state(file);
  ASSERT_TRUE(std::holds_alternative<fix_state>(loaded));
  EXPECT_TRUE(std::get<fix_state>(loaded).mappings.empty());
}

TEST_F(fix_state_file, saves_creating_its_directory_and_loads_back) {
  ASSERT_EQ(save_fix_state(file, two_mappings()), std::nullopt);
  const auto loaded = load_fix_state(file);
  ASSERT_TRUE(std::holds_alternative<fix_state>(loaded));
  EXPECT_EQ(std::get<fix_state>(loaded), two_mappings());
  auto temporary = file;
  temporary += ".tmp";
  EXPECT_FALSE(std::filesystem::exists(temporary)) << "the temporary file is renamed over the state file";
}

TEST_F(fix_state_file, save_replaces_the_whole_file) {
  ASSERT_EQ(save_fix_state(file, two_mappings()), std::nullopt);
  ASSERT_EQ(save_fix_state(file, fix_state{{natpmp_record()}}), std::nullopt);
  EXPECT_EQ(contents(), to_json_text(fix_state{{natpmp_record()}}));
}

TEST_F(fix_state_file, corrupt_file_is_one_line_and_left_as_it_is) {
  std::filesystem::create_directories(file.parent_path());
  const auto text = to_json_text(two_mappings());
  const auto half = text.substr(0, text.size() / 2);
  std::ofstream(file, std::ios::binary) << half;
  const auto loaded = load_fix_state(file);
  ASSERT_TRUE(std::holds_alternative<fix_state_error>(loaded));
  const auto& message = std::get<fix_state_error>(loaded).message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_NE(message.find("not JSON, or cut short"), std::string::npos) << message;
  EXPECT_NE(message.find("left as it is"), std::string::npos) << message;
  EXPECT_EQ(contents(), half) << "nothing lost";
}

}  // namespace
}  // namespace reachback::client

// SPDX-License-Identifier: MIT
// --fix and --unfix end to end against a fake world: the diagnoses, the
// routers and the clock are injected; the state file is real, in a temp dir.
#include "client/fix_command.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client/exit_codes.hpp"
#include "client/fix_state.hpp"

namespace reachback::client {
namespace {

router_evidence upnp_router(const std::string& address, const std::string& external) {
  router_evidence r;
  r.address = address;
  r.answered = {router_protocol::upnp_igd1};
  r.external_address = router_text_fact{external, router_protocol::upnp_igd1};
  r.mappings_read = true;
  r.upnp_control_url = "http://" + address + ":5000/ctl/IPConn";
  r.upnp_service_type = "urn:schemas-upnp-org:service:WANIPConnection:1";
  return r;
}

/// A double NAT without forwards, or (`reachable`) the same after the fix.
report double_nat(bool reachable) {
  report r;
  r.ev.port = 3000;
  r.ev.public_address = "203.0.113.7";
  r.ev.routers = std::vector<router_evidence>{upnp_router("192.168.1.1", "192.168.0.2"),
                                              upnp_router("192.168.0.1", "203.0.113.7")};
  r.result.why = reachable ? cause::reachable : cause::nat_no_forward;
  if (!reachable) r.result.candidates = {2};
  r.result.summary = reachable ? "Reachable." : "The room router does not forward port 3000.";
  r.result.hops = {
      {hop_role::internet, "internet", "203.0.113.7", hop_status::pass, {}, {}},
      {hop_role::nat, "ISP hub", "192.168.0.1", hop_status::pass, {}, r.ev.routers->at(1)},
      {hop_role::nat, "room router", "192.168.1.1", reachable ? hop_status::pass : hop_status::blocked, {}, r.ev.routers->at(0)},
      {hop_role::host, "this host", "192.168.1.23", reachable ? hop_status::pass : hop_status::not_reached, {}, {}},
  };
  return r;
}

/// The same double NAT with UPnP off on both routers: NAT-PMP and PCP only.
report double_nat_without_upnp(bool reachable) {
  auto r = double_nat(reachable);
  for (auto* router : {&r.ev.routers->at(0), &r.ev.routers->at(1), &*r.result.hops[1].router, &*r.result.hops[2].router}) {
    router->answered = {router_protocol::nat_pmp, router_protocol::pcp};
    router->external_address->source = router_protocol::nat_pmp;
    router->upnp_control_url.clear();
    router->upnp_service_type.clear();
  }
  return r;
}

router_evidence ipv6_router(const std::string& address) {
  router_evidence r;
  r.address = address;
  return r;
}

/// An IPv6 home: the hub lets the port in, the room router's firewall drops
/// it (router_firewall), or (`reachable`) the same after the pinhole.
report ipv6_room_firewall(bool reachable) {
  report r;
  r.ev.port = 3000;
  r.ev.public_address = "2001:db8:1000:1::23";
  r.ev.relay_address = "2001:db8:113::10";
  r.result.why = reachable ? cause::reachable : cause::router_firewall;
  if (!reachable) r.result.candidates = {2};
  r.result.summary = reachable ? "Reachable." : "The room router's IPv6 firewall stops port 3000.";
  r.result.hops = {
      {hop_role::internet, "internet", "2001:db8:100::1", hop_status::pass, {}, {}},
      {hop_role::router, "ISP hub", "2001:db8:1000::1", hop_status::pass, {}, ipv6_router("2001:db8:1000::1")},
      {hop_role::router, "room router", "2001:db8:1000:1::1", reachable ? hop_status::pass : hop_status::blocked, {},
       ipv6_router("2001:db8:1000:1::1")},
      {hop_role::host, "this host", "2001:db8:1000:1::23", reachable ? hop_status::pass : hop_status::not_reached, {},
       {}},
  };
  return r;
}

/// The room router's pinhole service, as miniupnpd offers it.
pinhole_offer room_pinhole_service() {
  pinhole_offer offer;
  offer.control_url = "http://[2001:db8:1000:1::1]:5000/ctl/IP6FCtl";
  offer.service_type = std::string(router::wan_ipv6_firewall_control_1);
  offer.status = router::firewall_status{true, true};
  return offer;
}

/// The run of both families: IPv4 as `v4`, IPv6 as `v6`.
run_report both_families(report v4, report v6) {
  run_report run;
  run.families.push_back({ip_family::ipv4, std::move(v4)});
  run.families.push_back({ip_family::ipv6, std::move(v6)});
  return run;
}

class fix_command : public testing::Test {
 protected:
  // One directory per test: ctest runs the tests of this fixture in parallel.
  std::filesystem::path dir =
      std::filesystem::path(testing::TempDir()) /
      (std::string("reachback_fix_command_test-") + testing::UnitTest::GetInstance()->current_test_info()->name());
  std::ostringstream out, err;
  std::istringstream in;
  output io{out, err, false, false};
  client_options options;
  std::vector<report> diagnoses;  ///< returned in order, each as the run's one family
  std::vector<run_report> runs;   ///< returned in order instead, when set
  int diagnosed = 0;
  std::map<std::string, pinhole_offer> offers;  ///< by router address; default: none found
  std::uint16_t next_pinhole_id = 7;
  std::vector<std::string> calls;  ///< "add 192.168.1.1", "remove ...", "read ..."
  std::map<std::string, mapper_failure> add_fails;     ///< by router address
  std::map<std::string, mapper_failure> remove_fails;  ///< by router address
  std::map<std::string, listed_entry> listed;          ///< by router address; default: none
  std::vector<mapping_spec> added;                     ///< what add was asked to make, in order
  std::vector<mapping_spec> removed;                   ///< what remove was asked to delete, in order
  router::pcp_nonce nonce{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};  ///< what new_nonce draws
  int nonces_drawn = 0;
  fix_backend backend;

  void SetUp() override {
    std::filesystem::remove_all(dir);
    options.port = 3000;
    options.action = client_action::fix;
    backend.diagnose = [this]() -> std::variant<run_report, diagnosis_failure> {
      const auto i = static_cast<std::size_t>(diagnosed);
      if (!runs.empty()) {
        if (i >= runs.size()) return diagnosis_failure{"relay gone", exit_relay};
        ++diagnosed;
        return runs[i];
      }
      if (i >= diagnoses.size()) return diagnosis_failure{"relay gone", exit_relay};
      ++diagnosed;
      const auto family = diagnoses[i].ev.public_address.find(':') == std::string::npos ? ip_family::ipv4
                                                                                         : ip_family::ipv6;
      run_report run;
      run.families.push_back({family, diagnoses[i]});
      return run;
    };
    backend.add = [this](const mapping_spec& m) -> add_outcome {
      calls.push_back("add " + m.router_address);
      added.push_back(m);
      if (add_fails.count(m.router_address)) return {add_fails[m.router_address], {}, {}};
      if (m.kind == change_kind::pinhole) return {std::nullopt, "", next_pinhole_id};
      return {std::nullopt, m.method == map_method::pcp ? "11.22.33.44" : "", {}};
    };
    backend.find_pinhole = [this](const mapping_spec& m) {
      calls.push_back("find " + m.router_address);
      if (offers.count(m.router_address)) return offers[m.router_address];
      return pinhole_offer{{}, {}, {}, "no answer to an IGD:2 search over IPv6 (asked twice)"};
    };
    backend.remove = [this](const mapping_spec& m) -> std::optional<mapper_failure> {
      calls.push_back("remove " + m.router_address);
      removed.push_back(m);
      if (remove_fails.count(m.router_address)) return remove_fails[m.router_address];
      return std::nullopt;
    };
    backend.read = [this](const mapping_spec& m) {
      calls.push_back("read " + m.router_address);
      return listed.count(m.router_address) ? listed[m.router_address] : listed_entry{};
    };
    backend.now = [] { return std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365); };
    backend.new_nonce = [this] {
      ++nonces_drawn;
      return nonce;
    };
    backend.state_path = dir / "fix-state.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  int fix(bool interactive = false) { return run_fix(options, io, fix_console{in, interactive}, backend); }
  int unfix() {
    options.action = client_action::unfix;
    return run_unfix(options, io, backend);
  }
  fix_state state() const {
    auto loaded = load_fix_state(*backend.state_path);
    return std::get<fix_state>(loaded);
  }
  static port_mapping entry(const std::string& client) {
    port_mapping m;
    m.external_port = 3000;
    m.internal_client = client;
    m.internal_port = 3000;
    return m;
  }
};

TEST_F(fix_command, refuses_without_a_terminal_or_yes_before_any_probe) {
  diagnoses = {double_nat(false)};
  EXPECT_EQ(fix(false), exit_usage);
  EXPECT_EQ(diagnosed, 0);
  EXPECT_TRUE(calls.empty());
  EXPECT_NE(err.str().find("add --yes"), std::string::npos);
  EXPECT_EQ(err.str().find('\n'), err.str().size() - 1);
}

TEST_F(fix_command, maps_innermost_first_records_and_verifies) {
  options.assume_yes = true;
  diagnoses = {double_nat(false), double_nat(true)};
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  EXPECT_EQ(diagnosed, 2);
  EXPECT_EQ(calls, (std::vector<std::string>{"read 192.168.1.1", "add 192.168.1.1", "read 192.168.0.1", "add 192.168.0.1"}));
  const auto s = state();
  ASSERT_EQ(s.mappings.size(), 2u);
  EXPECT_EQ(s.mappings[0].mapping.router_address, "192.168.1.1");
  EXPECT_EQ(s.mappings[0].mapping.internal_client, "192.168.1.23");
  EXPECT_EQ(s.mappings[1].mapping.internal_client, "192.168.0.2");
  EXPECT_EQ(s.mappings[0].created, "1971-01-01T00:00:00Z");
  const auto text = out.str();
  EXPECT_NE(text.find("1. room router 192.168.1.1: map TCP 3000 → 192.168.1.23:3000 for 2 h (UPnP)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("2. ISP hub 192.168.0.1: map TCP 3000 → 192.168.0.2:3000 for 2 h (UPnP)"), std::string::npos);
  EXPECT_NE(text.find("Before the fix: not reachable (nat_no_forward, at the room router 192.168.1.1)."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("After the fix:  reachable."), std::string::npos) << text;
}

/// `r` probed over UDP.
report probed_udp(report r) {
  r.ev.protocol = transport::udp;
  return r;
}

TEST_F(fix_command, udp_probe_maps_and_records_udp) {
  options.assume_yes = true;
  diagnoses = {probed_udp(double_nat(false)), probed_udp(double_nat(true))};
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  ASSERT_EQ(added.size(), 2u);
  for (const auto& m : added) EXPECT_EQ(m.protocol, transport::udp) << m.router_address;
  const auto s = state();
  ASSERT_EQ(s.mappings.size(), 2u);
  for (const auto& r : s.mappings) EXPECT_EQ(r.mapping.protocol, transport::udp) << r.mapping.router_address;
  const auto text = out.str();
  EXPECT_NE(text.find("1. room router 192.168.1.1: map UDP 3000 → 192.168.1.23:3000 for 2 h (UPnP)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("done: ISP hub 192.168.0.1: map UDP 3000 → 192.168.0.2:3000 for 2 h (UPnP)"), std::string::npos)
      << text;
}

TEST_F(fix_command, udp_json_names_the_protocol_of_each_change) {
  options.assume_yes = true;
  options.json = true;
  diagnoses = {probed_udp(double_nat(false)), probed_udp(double_nat(true))};
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  const auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["plan"]["steps"][0]["protocol"], "UDP");
  EXPECT_EQ(doc["changes"][1]["protocol"], "UDP");
}

TEST_F(fix_command, still_unreachable_after_the_fix_exits_one) {
  options.assume_yes = true;
  diagnoses = {double_nat(false), double_nat(false)};
  EXPECT_EQ(fix(), exit_unreachable);
  EXPECT_EQ(state().mappings.size(), 2u) << "the mappings stay, recorded, for --unfix";
}

TEST_F(fix_command, asks_on_a_terminal_and_takes_no_for_an_answer) {
  diagnoses = {double_nat(false)};
  in.str("n\n");
  EXPECT_EQ(fix(true), exit_fix_refused);
  EXPECT_NE(err.str().find("Apply these changes? [y/N]"), std::string::npos);
  EXPECT_TRUE(calls.empty());
  EXPECT_FALSE(std::filesystem::exists(*backend.state_path));
}

TEST_F(fix_command, empty_answer_is_no) {
  diagnoses = {double_nat(false)};
  EXPECT_EQ(fix(true), exit_fix_refused);
  EXPECT_TRUE(calls.empty());
}

TEST_F(fix_command, yes_at_the_prompt_applies) {
  diagnoses = {double_nat(false), double_nat(true)};
  in.str("y\n");
  EXPECT_EQ(fix(true), exit_reachable);
  EXPECT_EQ(state().mappings.size(), 2u);
}

TEST_F(fix_command, failed_step_undoes_this_runs_mappings_and_names_the_fault) {
  options.assume_yes = true;
  diagnoses = {double_nat(false)};
  add_fails["192.168.0.1"] = {"AddPortMapping: 718 ConflictInMappingEntry", 718};
  EXPECT_EQ(fix(), exit_fix_failed);
  EXPECT_EQ(calls, (std::vector<std::string>{"read 192.168.1.1", "add 192.168.1.1", "read 192.168.0.1",
                                             "add 192.168.0.1", "remove 192.168.1.1"}));
  EXPECT_NE(err.str().find("718 ConflictInMappingEntry"), std::string::npos) << err.str();
  EXPECT_TRUE(state().mappings.empty());
  EXPECT_EQ(diagnosed, 1) << "nothing to verify";
}

TEST_F(fix_command, undo_that_fails_stays_recorded) {
  options.assume_yes = true;
  diagnoses = {double_nat(false)};
  add_fails["192.168.0.1"] = {"AddPortMapping: 501 ActionFailed", 501};
  remove_fails["192.168.1.1"] = {"DeletePortMapping: no answer before the deadline", 0};
  EXPECT_EQ(fix(), exit_fix_failed);
  const auto s = state();
  ASSERT_EQ(s.mappings.size(), 1u);
  EXPECT_EQ(s.mappings[0].mapping.router_address, "192.168.1.1");
  EXPECT_NE(err.str().find("--unfix --port 3000"), std::string::npos);
}

TEST_F(fix_command, mapping_that_appeared_meanwhile_is_never_overwritten) {
  options.assume_yes = true;
  diagnoses = {double_nat(false)};
  listed["192.168.1.1"] = {entry("192.168.1.24"), std::nullopt};
  EXPECT_EQ(fix(), exit_fix_failed);
  EXPECT_EQ(calls, (std::vector<std::string>{"read 192.168.1.1"}));
  EXPECT_NE(err.str().find("already maps TCP 3000 to 192.168.1.24:3000, another host; reachback never overwrites it"),
            std::string::npos)
      << err.str();
}

TEST_F(fix_command, refused_plan_changes_nothing) {
  options.assume_yes = true;
  auto before = double_nat(false);
  before.result.hops[2].router->mapping = entry("192.168.1.24");
  diagnoses = {before};
  EXPECT_EQ(fix(), exit_fix_refused);
  EXPECT_TRUE(calls.empty());
  EXPECT_NE(out.str().find("no change made"), std::string::npos);
}

TEST_F(fix_command, reachable_already_exits_zero_without_change) {
  options.assume_yes = true;
  diagnoses = {double_nat(true)};
  EXPECT_EQ(fix(), exit_reachable);
  EXPECT_TRUE(calls.empty());
}

TEST_F(fix_command, json_is_one_document_with_before_changes_and_after) {
  options.assume_yes = true;
  options.json = true;
  diagnoses = {double_nat(false), double_nat(true)};
  EXPECT_EQ(fix(), exit_reachable);
  const auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["schema"], "reachback.fix/1");
  EXPECT_EQ(doc["outcome"], "applied");
  EXPECT_EQ(doc["before"]["verdict"]["cause"], "nat_no_forward");
  EXPECT_EQ(doc["after"]["verdict"]["cause"], "reachable");
  ASSERT_EQ(doc["changes"].size(), 2u);
  EXPECT_EQ(doc["changes"][0]["status"], "made");
  EXPECT_EQ(doc["changes"][0]["router_address"], "192.168.1.1");
  EXPECT_EQ(doc["changes"][1]["method"], "upnp");
  EXPECT_EQ(doc["exit_code"], 0);
}

TEST_F(fix_command, pcp_on_this_hosts_gateway_records_its_nonce_and_unfix_repeats_it) {
  options.assume_yes = true;
  options.json = true;
  diagnoses = {double_nat_without_upnp(false), double_nat_without_upnp(true)};
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  EXPECT_EQ(calls, (std::vector<std::string>{"add 192.168.1.1", "add 192.168.0.1"})) << "only UPnP entries are read";
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[0].method, map_method::pcp);
  EXPECT_EQ(added[0].nonce, nonce);
  EXPECT_EQ(added[1].method, map_method::natpmp);
  EXPECT_EQ(nonces_drawn, 1) << "a nonce for the PCP mapping only";
  ASSERT_EQ(state().mappings.size(), 2u);
  EXPECT_EQ(state().mappings[0].mapping.nonce, nonce);
  const auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["changes"][0]["method"], "pcp");
  EXPECT_EQ(doc["changes"][0]["external_address"], "11.22.33.44");
  EXPECT_TRUE(doc["changes"][1]["external_address"].is_null());

  calls.clear();
  options.json = false;
  out.str("");
  EXPECT_EQ(unfix(), exit_reachable) << err.str();
  EXPECT_EQ(calls, (std::vector<std::string>{"remove 192.168.0.1", "remove 192.168.1.1"}))
      << "outermost first, and no UPnP read for PCP or NAT-PMP";
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[1].nonce, nonce) << "a PCP delete repeats the mapping's nonce";
  EXPECT_TRUE(state().mappings.empty());
  EXPECT_NE(out.str().find("room router 192.168.1.1: TCP 3000 → 192.168.1.23:3000 (PCP, made"), std::string::npos)
      << out.str();
}

TEST_F(fix_command, text_shows_the_external_address_a_pcp_router_assigns) {
  options.assume_yes = true;
  diagnoses = {double_nat_without_upnp(false), double_nat_without_upnp(true)};
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  const auto text = out.str();
  EXPECT_NE(text.find("1. room router 192.168.1.1: map TCP 3000 → 192.168.1.23:3000 for 2 h (PCP)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("the room router says its external address is 11.22.33.44 (PCP)"), std::string::npos) << text;
}

TEST_F(fix_command, corrupt_state_file_stops_before_anything) {
  options.assume_yes = true;
  diagnoses = {double_nat(false)};
  std::filesystem::create_directories(dir);
  std::ofstream(*backend.state_path) << "{\"schema\": \"reachback.fix-state/1\", \"mapp";
  EXPECT_EQ(fix(), exit_usage);
  EXPECT_EQ(diagnosed, 0);
  EXPECT_TRUE(calls.empty());
  std::ifstream file(*backend.state_path);
  std::ostringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), "{\"schema\": \"reachback.fix-state/1\", \"mapp");
}

/// The state after a --fix of port 3000 (room by UPnP, hub by NAT-PMP) and one of 3001.
fix_state recorded_state() {
  mapping_spec room;
  room.router_name = "room router";
  room.router_address = "192.168.1.1";
  room.control_url = "http://192.168.1.1:5000/ctl/IPConn";
  room.service_type = "urn:schemas-upnp-org:service:WANIPConnection:1";
  room.external_port = 3000;
  room.internal_client = "192.168.1.23";
  room.internal_port = 3000;
  auto hub = room;
  hub.router_name = "ISP hub";
  hub.router_address = "192.168.0.1";
  hub.method = map_method::natpmp;
  hub.control_url.clear();
  hub.service_type.clear();
  hub.internal_client.clear();
  hub.via = "room router";
  auto other = room;
  other.external_port = 3001;
  other.internal_port = 3001;
  return {{{room, "2026-12-01T05:30:00Z"}, {hub, "2026-12-01T05:30:01Z"}, {other, "2026-12-01T05:31:00Z"}}};
}

TEST_F(fix_command, unfix_removes_exactly_the_ports_mappings) {
  ASSERT_EQ(save_fix_state(*backend.state_path, recorded_state()), std::nullopt);
  listed["192.168.1.1"] = {entry("192.168.1.23"), std::nullopt};
  EXPECT_EQ(unfix(), exit_reachable) << err.str();
  EXPECT_EQ(diagnosed, 0) << "no relay contact";
  EXPECT_EQ(calls, (std::vector<std::string>{"remove 192.168.0.1", "read 192.168.1.1", "remove 192.168.1.1"}));
  const auto s = state();
  ASSERT_EQ(s.mappings.size(), 1u);
  EXPECT_EQ(s.mappings[0].mapping.external_port, 3001);
  EXPECT_NE(out.str().find("room router 192.168.1.1: TCP 3000 → 192.168.1.23:3000 (UPnP, made 2026-12-01T05:30:00Z): removed"),
            std::string::npos)
      << out.str();
}

TEST_F(fix_command, without_a_state_directory_fix_and_unfix_say_so_in_one_line) {
  backend.state_path.reset();
  options.assume_yes = true;
  EXPECT_EQ(fix(), exit_usage);
  EXPECT_EQ(unfix(), exit_usage);
  EXPECT_EQ(err.str(),
            "probe-client: no state directory to record the mappings in (set XDG_STATE_HOME or HOME)\n"
            "probe-client: no state directory to read the mappings from (set XDG_STATE_HOME or HOME)\n");
  EXPECT_EQ(diagnosed, 0) << "no relay contact";
  EXPECT_TRUE(calls.empty());
}

TEST_F(fix_command, unfix_removes_each_protocols_mapping_with_its_own_protocol) {
  auto recorded = recorded_state();
  auto udp = recorded.mappings[0];
  udp.mapping.protocol = transport::udp;
  udp.created = "2026-12-01T06:00:00Z";
  recorded.mappings.push_back(udp);
  ASSERT_EQ(save_fix_state(*backend.state_path, recorded), std::nullopt);
  listed["192.168.1.1"] = {entry("192.168.1.23"), std::nullopt};
  EXPECT_EQ(unfix(), exit_reachable) << err.str();
  ASSERT_EQ(removed.size(), 3u);
  EXPECT_EQ(removed[0].protocol, transport::udp) << "the last made, removed first";
  EXPECT_EQ(removed[0].router_address, "192.168.1.1");
  EXPECT_EQ(removed[1].protocol, transport::tcp);
  EXPECT_EQ(removed[2].protocol, transport::tcp);
  EXPECT_NE(out.str().find("room router 192.168.1.1: UDP 3000 → 192.168.1.23:3000 (UPnP, made 2026-12-01T06:00:00Z): "
                           "removed"),
            std::string::npos)
      << out.str();
  ASSERT_EQ(state().mappings.size(), 1u);
  EXPECT_EQ(state().mappings[0].mapping.external_port, 3001);
}

TEST_F(fix_command, unfix_leaves_a_mapping_that_is_not_ours_any_more) {
  ASSERT_EQ(save_fix_state(*backend.state_path, recorded_state()), std::nullopt);
  listed["192.168.1.1"] = {entry("192.168.1.24"), std::nullopt};
  EXPECT_EQ(unfix(), exit_reachable);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "remove 192.168.1.1"), 0);
  EXPECT_NE(out.str().find("not ours any more (it now maps to 192.168.1.24:3000): left alone"), std::string::npos)
      << out.str();
  EXPECT_EQ(state().mappings.size(), 1u);
}

TEST_F(fix_command, unfix_of_an_expired_mapping_forgets_it) {
  ASSERT_EQ(save_fix_state(*backend.state_path, recorded_state()), std::nullopt);
  EXPECT_EQ(unfix(), exit_reachable);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "remove 192.168.1.1"), 0);
  EXPECT_NE(out.str().find("no longer on the router"), std::string::npos);
}

// Nothing is sent for a NAT-PMP or PCP mapping whose lease has run out: the
// router dropped it, and some answer a delete of it with an error for ever.
TEST_F(fix_command, unfix_of_a_natpmp_mapping_past_its_lease_asks_nobody) {
  auto recorded = recorded_state();
  backend.now = [] { return *parse_utc_timestamp("2026-12-01T07:30:01Z"); };  // the 2 h lease of 05:30:01 ran out
  ASSERT_EQ(save_fix_state(*backend.state_path, recorded), std::nullopt);
  listed["192.168.1.1"] = {entry("192.168.1.23"), std::nullopt};
  EXPECT_EQ(unfix(), exit_reachable) << err.str();
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "remove 192.168.0.1"), 0);
  EXPECT_NE(out.str().find("its lease ran out, so the router has dropped it"), std::string::npos) << out.str();
  ASSERT_EQ(state().mappings.size(), 1u);
  EXPECT_EQ(state().mappings[0].mapping.external_port, 3001);
}

TEST_F(fix_command, unfix_failure_keeps_the_record) {
  ASSERT_EQ(save_fix_state(*backend.state_path, recorded_state()), std::nullopt);
  listed["192.168.1.1"] = {std::nullopt, mapper_failure{"GetSpecificPortMappingEntry: connect: connection refused"}};
  EXPECT_EQ(unfix(), exit_fix_failed);
  const auto s = state();
  ASSERT_EQ(s.mappings.size(), 2u);
  EXPECT_EQ(s.mappings[0].mapping.router_address, "192.168.1.1");
  EXPECT_NE(err.str().find("run --unfix again"), std::string::npos);
}

TEST_F(fix_command, ipv6_router_firewall_opens_a_pinhole_records_its_id_and_verifies) {
  options.assume_yes = true;
  offers["2001:db8:1000:1::1"] = room_pinhole_service();
  diagnoses = {ipv6_room_firewall(false), ipv6_room_firewall(true)};
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  EXPECT_EQ(calls, (std::vector<std::string>{"find 2001:db8:1000:1::1", "add 2001:db8:1000:1::1"}))
      << "asked before the plan is shown; no port mapping read for a pinhole";
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].kind, change_kind::pinhole);
  EXPECT_EQ(added[0].internal_client, "2001:db8:1000:1::23");
  EXPECT_EQ(added[0].control_url, "http://[2001:db8:1000:1::1]:5000/ctl/IP6FCtl");
  const auto s = state();
  ASSERT_EQ(s.mappings.size(), 1u);
  EXPECT_EQ(s.mappings[0].mapping.kind, change_kind::pinhole);
  EXPECT_EQ(s.mappings[0].mapping.pinhole_id, 7);
  const auto text = out.str();
  EXPECT_NE(text.find("1. room router 2001:db8:1000:1::1: open an IPv6 pinhole for TCP 3000 → "
                      "[2001:db8:1000:1::23]:3000 for 2 h (UPnP IGD:2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Before the fix: not reachable (router_firewall, at the room router 2001:db8:1000:1::1)."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("After the fix:  reachable."), std::string::npos) << text;
}

TEST_F(fix_command, rerunning_the_fix_renews_the_same_pinhole_record) {
  options.assume_yes = true;
  offers["2001:db8:1000:1::1"] = room_pinhole_service();
  diagnoses = {ipv6_room_firewall(false), ipv6_room_firewall(true), ipv6_room_firewall(false),
               ipv6_room_firewall(true)};
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  ASSERT_EQ(state().mappings.size(), 1u) << "one record per router, port, protocol and kind";
  EXPECT_EQ(state().mappings[0].mapping.pinhole_id, 7);
}

TEST_F(fix_command, router_without_a_pinhole_service_changes_nothing) {
  options.assume_yes = true;
  diagnoses = {ipv6_room_firewall(false)};
  EXPECT_EQ(fix(), exit_fix_refused);
  EXPECT_EQ(calls, (std::vector<std::string>{"find 2001:db8:1000:1::1"}));
  EXPECT_NE(out.str().find("offers no UPnP IGD:2 pinholes (no answer to an IGD:2 search over IPv6 (asked twice))"),
            std::string::npos)
      << out.str();
  EXPECT_FALSE(std::filesystem::exists(*backend.state_path));
}

TEST_F(fix_command, router_that_allows_no_pinholes_is_named_and_left_alone) {
  options.assume_yes = true;
  offers["2001:db8:1000:1::1"] = room_pinhole_service();
  offers["2001:db8:1000:1::1"].status = router::firewall_status{true, false};
  diagnoses = {ipv6_room_firewall(false)};
  EXPECT_EQ(fix(), exit_fix_refused);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "add 2001:db8:1000:1::1"), 0);
  EXPECT_NE(out.str().find("InboundPinholeAllowed 0"), std::string::npos) << out.str();
}

TEST_F(fix_command, both_families_map_ipv4_and_open_the_ipv6_pinhole_together) {
  options.assume_yes = true;
  options.json = true;
  offers["2001:db8:1000:1::1"] = room_pinhole_service();
  runs = {both_families(double_nat(false), ipv6_room_firewall(false)),
          both_families(double_nat(true), ipv6_room_firewall(true))};
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  EXPECT_EQ(calls, (std::vector<std::string>{"find 2001:db8:1000:1::1", "read 192.168.1.1", "add 192.168.1.1",
                                             "read 192.168.0.1", "add 192.168.0.1", "add 2001:db8:1000:1::1"}));
  const auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["before"]["verdict"]["cause"], "nat_no_forward");
  EXPECT_EQ(doc["before"]["ipv6"]["verdict"]["cause"], "router_firewall");
  EXPECT_EQ(doc["after"]["ipv6"]["verdict"]["cause"], "reachable");
  ASSERT_EQ(doc["changes"].size(), 3u);
  EXPECT_EQ(doc["changes"][2]["kind"], "pinhole");
  EXPECT_EQ(doc["changes"][2]["pinhole_id"], 7);
  EXPECT_EQ(doc["changes"][0]["kind"], "mapping");
}

TEST_F(fix_command, reachable_ipv4_goes_unsaid_beside_the_ipv6_pinhole) {
  options.assume_yes = true;
  offers["2001:db8:1000:1::1"] = room_pinhole_service();
  runs = {both_families(double_nat(true), ipv6_room_firewall(false)),
          both_families(double_nat(true), ipv6_room_firewall(true))};
  EXPECT_EQ(fix(), exit_reachable) << err.str();
  const auto text = out.str();
  EXPECT_EQ(text.find("reachable from the internet already"), std::string::npos) << text;
  EXPECT_NE(text.find("Before the fix: IPv4 reachable; IPv6 not reachable (router_firewall"), std::string::npos)
      << text;
  EXPECT_NE(text.find("After the fix:  IPv4 reachable; IPv6 reachable."), std::string::npos) << text;
}

TEST_F(fix_command, one_family_refused_the_other_fixed_says_which_is_left) {
  options.assume_yes = true;
  auto v4 = double_nat(false);
  v4.result.hops[2].router->mapping = entry("192.168.1.24");
  runs = {both_families(v4, ipv6_room_firewall(false)), both_families(v4, ipv6_room_firewall(true))};
  offers["2001:db8:1000:1::1"] = room_pinhole_service();
  EXPECT_EQ(fix(), exit_unreachable) << "IPv4 is still not reachable";
  EXPECT_EQ(calls, (std::vector<std::string>{"find 2001:db8:1000:1::1", "add 2001:db8:1000:1::1"}));
  EXPECT_NE(out.str().find("Left as it is:\n  - IPv4: the room router already maps TCP 3000 to 192.168.1.24:3000"),
            std::string::npos)
      << out.str();
}

/// A pinhole --fix opened on the room router at 05:30 for 2 h, with its id.
fix_state recorded_pinhole() {
  mapping_spec m;
  m.kind = change_kind::pinhole;
  m.router_name = "room router";
  m.router_address = "2001:db8:1000:1::1";
  m.control_url = "http://[2001:db8:1000:1::1]:5000/ctl/IP6FCtl";
  m.service_type = std::string(router::wan_ipv6_firewall_control_1);
  m.external_port = 3000;
  m.internal_client = "2001:db8:1000:1::23";
  m.internal_port = 3000;
  m.pinhole_id = 7;
  return {{{m, "2026-12-01T05:30:00Z"}}};
}

struct pinhole_undo_case {
  std::string name;
  std::optional<mapper_failure> answer;  ///< the router's to DeletePinhole
  int exit_code;
  std::string says;
  std::size_t records_left;
  friend void PrintTo(const pinhole_undo_case& c, std::ostream* os) { *os << c.name; }
};

class fix_command_pinhole_undo : public fix_command, public testing::WithParamInterface<pinhole_undo_case> {};

TEST_P(fix_command_pinhole_undo, deletes_by_id_and_reads_the_answer) {
  const auto& c = GetParam();
  backend.now = [] { return *parse_utc_timestamp("2026-12-01T06:00:00Z"); };
  ASSERT_EQ(save_fix_state(*backend.state_path, recorded_pinhole()), std::nullopt);
  if (c.answer) remove_fails["2001:db8:1000:1::1"] = *c.answer;
  EXPECT_EQ(unfix(), c.exit_code) << err.str();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].pinhole_id, 7);
  EXPECT_NE(out.str().find("room router 2001:db8:1000:1::1: IPv6 pinhole for TCP 3000 → [2001:db8:1000:1::23]:3000 "
                           "(UPnP IGD:2 id 7, made 2026-12-01T05:30:00Z): " + c.says),
            std::string::npos)
      << out.str();
  EXPECT_EQ(state().mappings.size(), c.records_left);
}

INSTANTIATE_TEST_SUITE_P(
    answers, fix_command_pinhole_undo,
    testing::Values(pinhole_undo_case{"deleted", std::nullopt, exit_reachable, "removed", 0},
                    pinhole_undo_case{"no_such_entry", mapper_failure{"DeletePinhole: 704 NoSuchEntry", 704},
                                      exit_reachable, "no longer on the router", 0},
                    pinhole_undo_case{"now_another_hosts",
                                      mapper_failure{"DeletePinhole: 606 ActionNotAuthorized", 606}, exit_reachable,
                                      "not ours any more", 0},
                    pinhole_undo_case{"router_silent",
                                      mapper_failure{"DeletePinhole: no answer before the deadline", 0},
                                      exit_fix_failed, "DeletePinhole: no answer before the deadline", 1}),
    [](const auto& test_info) { return test_info.param.name; });

TEST_F(fix_command, unfix_of_a_pinhole_past_its_lease_asks_nobody) {
  backend.now = [] { return *parse_utc_timestamp("2026-12-01T07:30:00Z"); };
  ASSERT_EQ(save_fix_state(*backend.state_path, recorded_pinhole()), std::nullopt);
  EXPECT_EQ(unfix(), exit_reachable);
  EXPECT_TRUE(calls.empty());
  EXPECT_TRUE(state().mappings.empty());
}

TEST_F(fix_command, unfix_with_nothing_recorded) {
  EXPECT_EQ(unfix(), exit_reachable);
  EXPECT_TRUE(calls.empty());
  EXPECT_NE(out.str().find("nothing to remove"), std::string::npos);
}

}  // namespace
}  // namespace reachback::client

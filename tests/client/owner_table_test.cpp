// SPDX-License-Identifier: MIT
#include "client/platform/owner_table.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace reachback::client::platform {
namespace {

// Facts in the shape a real Windows host gives them (Wine gives pid 0 for
// every socket and runs one service per process, so it cannot).
const process_facts svchost_2936{2936, "svchost.exe", R"(C:\Windows\System32\svchost.exe)", false};
const service_facts iphlpsvc_2936{2936, "iphlpsvc", "IP Helper"};

TEST(owner_table, names_the_service_holding_a_portproxy_port) {
  // The original story: iphlpsvc listens on 3000 for a portproxy rule.
  const auto found =
      collect_listeners({{"0.0.0.0", 3000, 2936, "iphlpsvc"}}, {svchost_2936},
                        {iphlpsvc_2936, {812, "RpcSs", "Remote Procedure Call (RPC)"}}, {}, 3000);
  EXPECT_EQ(found.addresses, (std::vector<std::string>{"0.0.0.0:3000"}));
  EXPECT_FALSE(found.owners_hidden);
  ASSERT_EQ(found.owners.size(), 1U);
  const auto& owner = found.owners[0];
  EXPECT_EQ(owner.pid, 2936);
  EXPECT_EQ(owner.name, "svchost.exe");
  EXPECT_EQ(owner.image_path, R"(C:\Windows\System32\svchost.exe)");
  EXPECT_FALSE(owner.access_denied);
  EXPECT_EQ(owner.unit, "iphlpsvc");
  EXPECT_EQ(owner.services, (std::vector<hosted_service>{{"iphlpsvc", "IP Helper"}}));
  EXPECT_EQ(owner.addresses, (std::vector<std::string>{"0.0.0.0:3000"}));
  EXPECT_TRUE(owner.urls.empty());
}

TEST(owner_table, a_shared_service_host_puts_the_owner_module_service_first) {
  const std::vector<service_facts> services{
      {1200, "Dnscache", "DNS Client"},
      {1200, "iphlpsvc", "IP Helper"},
      {1200, "NlaSvc", "Network Location Awareness"},
  };
  // The module name's case need not match the service's.
  const auto found = collect_listeners({{"0.0.0.0", 3000, 1200, "IPHLPSVC"}},
                                       {{1200, "svchost.exe", "", false}}, services, {}, 3000);
  ASSERT_EQ(found.owners.size(), 1U);
  EXPECT_EQ(found.owners[0].unit, "iphlpsvc");
  EXPECT_EQ(found.owners[0].services,
            (std::vector<hosted_service>{{"iphlpsvc", "IP Helper"},
                                         {"Dnscache", "DNS Client"},
                                         {"NlaSvc", "Network Location Awareness"}}));
}

TEST(owner_table, a_shared_service_host_without_owner_module_has_no_unit) {
  // GetOwnerModuleFromTcpEntry needs rights the user may lack: then only
  // `services` says iphlpsvc runs there, and a squatter rule must look there.
  const std::vector<service_facts> services{{1200, "Dnscache", "DNS Client"},
                                            {1200, "iphlpsvc", "IP Helper"}};
  const auto found = collect_listeners({{"0.0.0.0", 3000, 1200, ""}},
                                       {{1200, "svchost.exe", "", false}}, services, {}, 3000);
  ASSERT_EQ(found.owners.size(), 1U);
  EXPECT_EQ(found.owners[0].unit, "");
  EXPECT_EQ(found.owners[0].services,
            (std::vector<hosted_service>{{"Dnscache", "DNS Client"}, {"iphlpsvc", "IP Helper"}}));
}

TEST(owner_table, the_only_service_in_a_process_is_its_unit) {
  const auto found =
      collect_listeners({{"0.0.0.0", 3000, 2936, ""}}, {svchost_2936}, {iphlpsvc_2936}, {}, 3000);
  ASSERT_EQ(found.owners.size(), 1U);
  EXPECT_EQ(found.owners[0].unit, "iphlpsvc");
}

TEST(owner_table, an_owner_module_that_is_no_service_is_ignored) {
  const auto found = collect_listeners(
      {{"::", 3000, 6100, "node.exe"}},
      {{6100, "node.exe", R"(C:\Program Files\nodejs\node.exe)", false}}, {}, {}, 3000);
  ASSERT_EQ(found.owners.size(), 1U);
  EXPECT_EQ(found.owners[0].name, "node.exe");
  EXPECT_EQ(found.owners[0].unit, "");
  EXPECT_TRUE(found.owners[0].services.empty());
  EXPECT_EQ(found.owners[0].addresses, (std::vector<std::string>{"[::]:3000"}));
}

TEST(owner_table, pid_4_is_system_with_the_http_sys_urls_on_the_port) {
  const std::vector<http_request_queue> queues{
      {{{5120, R"(C:\Windows\System32\inetsrv\w3wp.exe)"}}, {"HTTP://*:80/", "HTTPS://*:443/"}},
      {{{7312, ""}}, {"HTTP://+:8080/", "HTTP://+:80/Temporary_Listen_Addresses/"}},
  };
  const auto found = collect_listeners({{"0.0.0.0", 80, 4, "System"}, {"::", 80, 4, "System"}}, {},
                                       {}, queues, 80);
  EXPECT_EQ(found.addresses, (std::vector<std::string>{"0.0.0.0:80", "[::]:80"}));
  ASSERT_EQ(found.owners.size(), 1U);
  const auto& system = found.owners[0];
  EXPECT_EQ(system.pid, 4);
  EXPECT_EQ(system.name, "System");
  EXPECT_FALSE(system.access_denied);
  EXPECT_EQ(system.image_path, "");
  EXPECT_EQ(system.unit, "");
  EXPECT_EQ(system.urls, (std::vector<std::string>{"HTTP://*:80/ (registered by w3wp.exe (pid 5120))",
                                                   "HTTP://+:80/Temporary_Listen_Addresses/ (registered by pid 7312)"}));
  EXPECT_EQ(system.addresses, (std::vector<std::string>{"0.0.0.0:80", "[::]:80"}));
}

TEST(owner_table, pid_4_with_no_url_on_the_port_has_none) {
  const std::vector<http_request_queue> queues{{{}, {"HTTP://+:8080/"}}};
  const auto found = collect_listeners({{"0.0.0.0", 80, 4, ""}}, {}, {}, queues, 80);
  ASSERT_EQ(found.owners.size(), 1U);
  EXPECT_EQ(found.owners[0].name, "System");
  EXPECT_TRUE(found.owners[0].urls.empty());
}

TEST(owner_table, pid_0_hides_the_owner_but_keeps_the_address) {
  // What Wine reports for every listening socket.
  const auto found =
      collect_listeners({{"127.0.0.1", 3000, 0, ""}, {"::1", 3000, 0, ""}}, {}, {}, {}, 3000);
  EXPECT_TRUE(found.owners.empty());
  EXPECT_TRUE(found.owners_hidden);
  EXPECT_EQ(found.addresses, (std::vector<std::string>{"127.0.0.1:3000", "[::1]:3000"}));
}

TEST(owner_table, a_process_that_refused_access_keeps_its_snapshot_name) {
  const auto found = collect_listeners(
      {{"0.0.0.0", 3000, 2936, ""}}, {{2936, "svchost.exe", "", true}}, {iphlpsvc_2936}, {}, 3000);
  ASSERT_EQ(found.owners.size(), 1U);
  EXPECT_EQ(found.owners[0].name, "svchost.exe");
  EXPECT_TRUE(found.owners[0].access_denied);
  EXPECT_EQ(found.owners[0].image_path, "");
  EXPECT_EQ(found.owners[0].unit, "iphlpsvc");
}

TEST(owner_table, a_process_with_no_name_is_never_blank) {
  const auto found = collect_listeners(
      {{"0.0.0.0", 3000, 700, ""}, {"0.0.0.0", 3000, 900, ""}, {"0.0.0.0", 3000, 950, ""}},
      {{700, "", "", true}, {900, "", R"(C:\Tools\server.exe)", false}}, {}, {}, 3000);
  ASSERT_EQ(found.owners.size(), 3U);
  EXPECT_EQ(found.owners[0].name, access_denied_name);
  EXPECT_TRUE(found.owners[0].access_denied);
  EXPECT_EQ(found.owners[1].name, "server.exe");
  EXPECT_EQ(found.owners[1].image_path, R"(C:\Tools\server.exe)");
  // No facts at all: the process exited between the table and the lookup.
  EXPECT_EQ(found.owners[2].name, unknown_process_name);
  EXPECT_FALSE(found.owners[2].access_denied);
}

TEST(owner_table, one_owner_per_pid_sorted_with_its_own_addresses) {
  const std::vector<listener_row> rows{
      {"0.0.0.0", 3000, 900, ""}, {"127.0.0.1", 3000, 300, ""}, {"::", 3000, 900, ""},
      {"0.0.0.0", 3001, 300, ""}, {"0.0.0.0", 3000, 900, ""},   {"0.0.0.0", 8080, 0, ""},
  };
  const auto found =
      collect_listeners(rows, {{300, "a.exe", "", false}, {900, "b.exe", "", false}},
                        {{900, "svc", "Service"}, {400, "other", "Other"}}, {}, 3000);
  EXPECT_EQ(found.addresses,
            (std::vector<std::string>{"0.0.0.0:3000", "127.0.0.1:3000", "[::]:3000"}));
  // The pid 0 row is on another port.
  EXPECT_FALSE(found.owners_hidden);
  ASSERT_EQ(found.owners.size(), 2U);
  EXPECT_EQ(found.owners[0].pid, 300);
  EXPECT_EQ(found.owners[0].addresses, (std::vector<std::string>{"127.0.0.1:3000"}));
  EXPECT_TRUE(found.owners[0].services.empty());
  EXPECT_EQ(found.owners[1].pid, 900);
  EXPECT_EQ(found.owners[1].addresses, (std::vector<std::string>{"0.0.0.0:3000", "[::]:3000"}));
  EXPECT_EQ(found.owners[1].services, (std::vector<hosted_service>{{"svc", "Service"}}));
}

TEST(owner_table, nothing_on_the_port_gives_nothing) {
  const auto found =
      collect_listeners({{"0.0.0.0", 3001, 2936, ""}}, {svchost_2936}, {iphlpsvc_2936}, {}, 3000);
  EXPECT_TRUE(found.owners.empty());
  EXPECT_TRUE(found.addresses.empty());
  EXPECT_FALSE(found.owners_hidden);
}

struct path_sample {
  std::string name;
  std::string path;
  std::string image;
  friend void PrintTo(const path_sample& c, std::ostream* os) { *os << c.name; }
};

const path_sample path_samples[] = {
    {"windows_path", R"(C:\Windows\System32\svchost.exe)", "svchost.exe"},
    {"device_path", R"(\Device\HarddiskVolume3\Tools\a b.exe)", "a b.exe"},
    {"forward_slashes", "C:/Tools/server.exe", "server.exe"},
    {"bare_name", "System", "System"},
    {"trailing_separator", R"(C:\Tools\)", ""},
    {"empty", "", ""},
};

class image_name : public testing::TestWithParam<path_sample> {};

TEST_P(image_name, is_the_last_path_component) {
  EXPECT_EQ(image_name_of(GetParam().path), GetParam().image);
}

INSTANTIATE_TEST_SUITE_P(samples, image_name, testing::ValuesIn(path_samples),
                         [](const auto& test_info) { return test_info.param.name; });

}  // namespace
}  // namespace reachback::client::platform

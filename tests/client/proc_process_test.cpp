// SPDX-License-Identifier: MIT
#include "client/platform/proc_process.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace reachback::client::platform {
namespace {

using namespace std::string_literals;

TEST(socket_inode_from_link, reads_socket_links_only) {
  EXPECT_EQ(socket_inode_from_link("socket:[8496]"), 8496u);
  EXPECT_FALSE(socket_inode_from_link("pipe:[8496]"));
  EXPECT_FALSE(socket_inode_from_link("/dev/null"));
  EXPECT_FALSE(socket_inode_from_link("socket:[]"));
  EXPECT_FALSE(socket_inode_from_link("socket:[12a]"));
  EXPECT_FALSE(socket_inode_from_link("anon_inode:[eventpoll]"));
}

TEST(cmdline, splits_on_nul_and_joins_with_spaces) {
  const auto raw = "/usr/sbin/nginx\0-g\0daemon off;\0"s;
  const std::vector<std::string> args{"/usr/sbin/nginx", "-g", "daemon off;"};
  EXPECT_EQ(split_cmdline(raw), args);
  EXPECT_EQ(join_cmdline(args), "/usr/sbin/nginx -g daemon off;");
  EXPECT_TRUE(split_cmdline("").empty());  // kernel threads have no command line
  EXPECT_EQ(split_cmdline("python3 -m http.server"),  // rewritten argv without NULs
            std::vector<std::string>{"python3 -m http.server"});
}

struct cgroup_case {
  std::string name;
  std::string file;
  std::string unit;
  friend void PrintTo(const cgroup_case& c, std::ostream* os) { *os << c.name; }
};

const cgroup_case cgroup_cases[] = {
    {"system_service", "0::/system.slice/nginx.service\n", "nginx.service"},
    {"escaped_name", "0::/system.slice/system-getty.slice/getty@tty1.service\n", "getty@tty1.service"},
    {"delegated_subgroup", "0::/system.slice/docker.service/sub\n", "docker.service"},
    {"user_unit", "0::/user.slice/user-1000.slice/user@1000.service/app.slice/api.service\n",
     "api.service"},
    {"user_manager_itself", "0::/user.slice/user-1000.slice/user@1000.service/init.scope\n", ""},
    {"login_session", "0::/user.slice/user-1000.slice/session-2.scope\n", ""},
    {"container_scope", "0::/system.slice/docker-3f1a.scope\n", "docker-3f1a.scope"},
    {"root", "0::/\n", ""},
    {"pid1", "0::/init.scope\n", ""},
    {"cgroup_v1",
     "12:pids:/system.slice/sshd.service\n4:memory:/system.slice/sshd.service\n"
     "1:name=systemd:/system.slice/sshd.service\n",
     "sshd.service"},
    {"hybrid_prefers_named_unit", "1:name=systemd:/system.slice/cups.service\n0::/\n", "cups.service"},
    {"no_systemd", "4:memory:/process_api/8f73\n3:cpuset:/\n", ""},
    {"empty", "", ""},
};

class unit_from_cgroup_file : public testing::TestWithParam<cgroup_case> {};

TEST_P(unit_from_cgroup_file, finds_the_unit) {
  EXPECT_EQ(unit_from_cgroup(GetParam().file), GetParam().unit);
}

INSTANTIATE_TEST_SUITE_P(cases, unit_from_cgroup_file, testing::ValuesIn(cgroup_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(docker_proxy_target, reads_container_ip_and_port) {
  // As dockerd starts it (docker 20.10-24).
  const auto args = split_cmdline(
      "/usr/bin/docker-proxy\0-proto\0tcp\0-host-ip\0000.0.0.0\0-host-port\0003000\0"
      "-container-ip\000172.17.0.2\0-container-port\00080\0"s);
  EXPECT_EQ(docker_proxy_target(args), "container 172.17.0.2:80");
}

TEST(docker_proxy_target, accepts_go_flag_spellings) {
  EXPECT_EQ(docker_proxy_target({"docker-proxy", "--container-ip=172.18.0.5", "--container-port=443"}),
            "container 172.18.0.5:443");
  EXPECT_EQ(docker_proxy_target({"docker-proxy", "-container-ip", "fd00::5", "-container-port", "8080"}),
            "container [fd00::5]:8080");
}

TEST(docker_proxy_target, needs_both_flags) {
  EXPECT_FALSE(docker_proxy_target({"docker-proxy", "-container-ip", "172.17.0.2"}));
  EXPECT_FALSE(docker_proxy_target({"docker-proxy", "-container-port", "80"}));
  EXPECT_FALSE(docker_proxy_target({"docker-proxy", "-container-ip", "172.17.0.2", "-container-port"}));
  EXPECT_FALSE(docker_proxy_target({"docker-proxy", "-container-ip", "172.17.0.2", "-container-port", "x"}));
  EXPECT_FALSE(docker_proxy_target({"docker-proxy", "-container-ipx", "1.2.3.4", "-container-port", "80"}));
}

}  // namespace
}  // namespace reachback::client::platform

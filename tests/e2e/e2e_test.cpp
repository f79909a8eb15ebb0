// SPDX-License-Identifier: MIT
// End to end on loopback with real processes: probe-relay on 127.0.0.1 on an
// ephemeral port, probe-client against it, fake-peer playing the other
// programs a user meets. Paths come from CMake.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "common/codec.hpp"
#include "process.hpp"
#include "tests/support/reserved_port.hpp"

namespace reachback::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

/// A fake-peer bound to `address`, already listening.
class fake_peer {
 public:
  fake_peer(const std::string& address, std::uint16_t port, const std::string& mode)
      : process_({FAKE_PEER, "--bind", address, "--port", std::to_string(port), "--mode", mode}) {
    const auto line = process_.wait_for_line("listening ", false, 5s);
    if (!line) throw std::runtime_error("fake-peer did not start: " + process_.err());
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(10)));
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return process_.pid(); }
  /// Datagrams echoed so far (mode udp-echo).
  [[nodiscard]] std::size_t echoed() {
    process_.drain();
    std::size_t n = 0;
    for (auto at = process_.out().find("echoed"); at != std::string::npos; at = process_.out().find("echoed", at + 1))
      ++n;
    return n;
  }
  /// Connections accepted so far.
  [[nodiscard]] std::size_t accepted() {
    process_.drain();
    std::size_t n = 0;
    for (auto at = process_.out().find("accepted"); at != std::string::npos;
         at = process_.out().find("accepted", at + 1))
      ++n;
    return n;
  }

 private:
  child_process process_;
  std::uint16_t port_ = 0;
};

/// A probe-relay listening on `address` (port 0: an ephemeral one), ready.
class relay_process {
 public:
  explicit relay_process(const std::string& address)
      : process_({PROBE_RELAY, "--config", E2E_RELAY_CONFIG, "--listen", address}) {
    const auto line = process_.wait_for_line("probe-relay: listening on ", true, 10s);
    if (!line) throw std::runtime_error("probe-relay did not start: " + process_.err());
    endpoint_ = line->substr(line->rfind(' ') + 1);
  }
  /// "ADDR:PORT" as the relay printed it.
  [[nodiscard]] const std::string& endpoint() const { return endpoint_; }

 private:
  child_process process_;
  std::string endpoint_;
};

/// probe-client --json against `relay` for a free port; it must exit 0.
json reachable_report(const std::string& relay) {
  const auto r = run({PROBE_CLIENT, "--relay", relay, "--port", reserved_tcp_port().text(), "--json"}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  return json::parse(r.out);
}

/// One probe-relay for the whole suite, on 127.0.0.1 and an ephemeral port.
class e2e : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    relay_ = new relay_process("127.0.0.1:0");
    relay_endpoint_ = relay_->endpoint();
  }
  static void TearDownTestSuite() {
    delete relay_;
    relay_ = nullptr;
  }

  static run_result client(std::vector<std::string> args) {
    std::vector<std::string> argv = {PROBE_CLIENT, "--relay", relay_endpoint_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(std::move(argv), 30s);
  }

  static json client_json(std::vector<std::string> args, int expected_exit) {
    args.emplace_back("--json");
    const auto r = client(std::move(args));
    EXPECT_EQ(r.exit_code, expected_exit) << r.err << r.out;
    return json::parse(r.out);
  }

  static inline relay_process* relay_ = nullptr;
  static inline std::string relay_endpoint_;
};

TEST_F(e2e, free_port_is_reachable_through_our_listener) {
  const auto report = client_json({"--port", reserved_tcp_port().text()}, 0);
  EXPECT_EQ(report["schema"], "reachback.report/1");
  EXPECT_EQ(report["verdict"]["cause"], "reachable");
  EXPECT_TRUE(report["reachable"].get<bool>());
  EXPECT_TRUE(report["verdict"]["blocking_hop"].is_null());
  EXPECT_EQ(report["probe"]["connect_back"]["outcome"], "verified");
  EXPECT_EQ(report["local"]["bind"]["state"], "free");
  ASSERT_EQ(report["hops"].size(), 2U);
  EXPECT_EQ(report["hops"][0]["role"], "internet");
  EXPECT_EQ(report["hops"][1]["role"], "host");
}

TEST_F(e2e, port_held_by_another_process_with_listen_is_bind_conflict) {
  fake_peer holder("0.0.0.0", 0, "hold");
  const auto report = client_json({"--port", std::to_string(holder.port()), "--listen"}, 1);
  EXPECT_EQ(report["verdict"]["cause"], "bind_conflict");
  const auto& owners = report["local"]["bind"]["owners"];
  ASSERT_EQ(owners.size(), 1U) << report.dump(2);
  EXPECT_EQ(owners[0]["name"], "fake-peer");
  EXPECT_EQ(owners[0]["pid"], holder.pid());
  EXPECT_NE(report["verdict"]["summary"].get<std::string>().find("fake-peer"), std::string::npos);
  const auto blocking = report["verdict"]["blocking_hop"].get<std::size_t>();
  EXPECT_EQ(report["hops"][blocking]["role"], "host");
}

TEST_F(e2e, listener_on_loopback_only_is_loopback_only) {
  fake_peer server("127.0.0.1", 0, "hold");
  const auto report = client_json({"--port", std::to_string(server.port())}, 1);
  EXPECT_EQ(report["verdict"]["cause"], "loopback_only");
  EXPECT_EQ(report["local"]["bind"]["state"], "loopback_only");
}

TEST_F(e2e, users_service_on_all_addresses_is_reachable_and_named) {
  fake_peer server("0.0.0.0", 0, "banner");
  const auto report = client_json({"--port", std::to_string(server.port()), "--service"}, 0);
  EXPECT_EQ(report["verdict"]["cause"], "reachable") << report.dump(2);
  EXPECT_EQ(report["local"]["bind"]["owners"][0]["name"], "fake-peer");
  EXPECT_EQ(report["probe"]["connect_back"]["outcome"], "foreign");
  // Banners travel escaped (PROTOCOL.md): raw bytes never break JSON or a line.
  EXPECT_EQ(report["probe"]["connect_back"]["banner"], "SSH-2.0-fake-peer\\x0d\\x0a");
}

TEST_F(e2e, service_mode_with_nothing_listening_is_no_listener) {
  const auto report = client_json({"--port", reserved_tcp_port().text(), "--service"}, 1);
  EXPECT_EQ(report["verdict"]["cause"], "no_listener");
}

TEST_F(e2e, text_report_has_hops_verdict_and_no_colour_when_piped) {
  const auto r = client({"--port", reserved_tcp_port().text()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("internet"), std::string::npos);
  EXPECT_NE(r.out.find("this host"), std::string::npos);
  EXPECT_NE(r.out.find("REACHABLE"), std::string::npos);
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "colour on a pipe";
  EXPECT_TRUE(r.err.empty()) << "progress drawn on a pipe: " << r.err;
}

// --- UDP (--udp) ---

TEST_F(e2e, udp_free_port_is_verified_through_our_agent) {
  const auto report = client_json({"--port", reserved_udp_port().text(), "--udp"}, 0);
  EXPECT_EQ(report["protocol"], "udp");
  EXPECT_TRUE(report["reachable"].get<bool>()) << report.dump(2);
  EXPECT_EQ(report["probe"]["connect_back"]["outcome"], "verified");
  EXPECT_TRUE(report["probe"]["agent_listening"].get<bool>());
  EXPECT_EQ(report["local"]["bind"]["state"], "free");
}

TEST_F(e2e, udp_service_mode_reaches_the_users_program) {
  fake_peer echo("0.0.0.0", 0, "udp-echo");
  const auto r = client({"--port", std::to_string(echo.port()), "--udp", "--service", "--json"});
  const auto report = json::parse(r.out);
  EXPECT_EQ(report["protocol"], "udp");
  EXPECT_FALSE(report["probe"]["agent_listening"].get<bool>());
  const auto& cb = report["probe"]["connect_back"];
  EXPECT_EQ(cb["outcome"], "foreign") << report.dump(2);
  // An echo server sends the probe line back: that proves a program
  // answered, not that it is ours.
  EXPECT_EQ(cb["banner"].get<std::string>().rfind("REACHBACK-UDP-PROBE ", 0), 0U) << cb.dump();
  EXPECT_GE(echo.echoed(), 1U);
  EXPECT_EQ(report["local"]["bind"]["owners"][0]["name"], "fake-peer");
}

TEST_F(e2e, udp_port_held_by_another_program_is_named) {
  fake_peer holder("0.0.0.0", 0, "udp-hold");
  const auto r = client({"--port", std::to_string(holder.port()), "--udp", "--listen", "--json"});
  const auto report = json::parse(r.out);
  EXPECT_EQ(report["protocol"], "udp");
  EXPECT_EQ(report["local"]["bind"]["state"], "held");
  const auto& owners = report["local"]["bind"]["owners"];
  ASSERT_EQ(owners.size(), 1U) << report.dump(2);
  EXPECT_EQ(owners[0]["name"], "fake-peer");
  EXPECT_EQ(owners[0]["pid"], holder.pid());
  EXPECT_FALSE(report["probe"]["agent_listening"].get<bool>());
  EXPECT_NE(r.exit_code, 0) << r.err;
}

TEST(client_relay_errors, relay_without_udp_probe_refuses_a_udp_probe_in_one_line) {
  fake_peer relay("127.0.0.1", 0, "tcp-only-relay");
  const auto r = run({PROBE_CLIENT, "--relay", "127.0.0.1:" + std::to_string(relay.port()), "--port",
                      reserved_udp_port().text(), "--udp", "--timeout", "2"},
                     20s);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(line_count(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find("relay 127.0.0.1:" + std::to_string(relay.port()) +
                       ": cannot probe UDP ports (its welcome lacks \"udp_probe\"; relay version 0.8.0)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

/// Runs probe-client on a pseudo-terminal (util-linux `script`), as a user
/// at a shell would, optionally with NO_COLOR set.
run_result client_on_terminal(const std::string& relay, std::uint16_t port, bool no_color) {
  const std::string command = std::string(no_color ? "NO_COLOR=1 " : "") + PROBE_CLIENT + " --relay " + relay +
                              " --port " + std::to_string(port);
  return run({"/usr/bin/script", "--quiet", "--return", "--command", command, "/dev/null"}, 30s);
}

TEST_F(e2e, terminal_gets_colour_and_a_progress_line) {
  const auto r = client_on_terminal(relay_endpoint_, reserved_tcp_port().number(), false);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\x1b[1;32mREACHABLE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("checking port"), std::string::npos) << "no progress line: " << r.out;
}

TEST_F(e2e, no_color_turns_colour_off_on_a_terminal) {
  const auto r = client_on_terminal(relay_endpoint_, reserved_tcp_port().number(), true);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("REACHABLE"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\x1b[1;32m"), std::string::npos) << r.out;
}

TEST(e2e_ipv6, relay_and_client_over_ipv6_loopback) {
  const relay_process relay("[::1]:0");
  const auto report = reachable_report(relay.endpoint());
  EXPECT_EQ(report["public_address"], "::1");
  EXPECT_EQ(report["probe"]["connect_back"]["outcome"], "verified");
}

TEST(e2e_routes, probes_leave_from_the_address_the_client_reached) {
  // Reached at 127.0.0.5, the relay would otherwise dial 127.0.0.1 from
  // 127.0.0.1, and the client's capture, watching 127.0.0.5, would see
  // nothing: the same as a VPS with a floating IP.
  const relay_process relay("127.0.0.5:0");
  const auto report = reachable_report(relay.endpoint());
  EXPECT_TRUE(report["probe"]["capture"]["syn_seen"].get<bool>()) << report["probe"].dump(2);
}

// -- The relay invariant: it dials the control connection's source only. ---

int connect_from(const std::string& source, const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<std::uint16_t>(std::stoi(endpoint.substr(colon + 1))));
  inet_pton(AF_INET, endpoint.substr(0, colon).c_str(), &remote.sin_addr);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) return -1;
  return fd;
}

protocol::message read_frame(int fd) {
  std::string buffer;
  for (;;) {
    auto result = protocol::decode(buffer);
    if (auto* d = std::get_if<protocol::decoded>(&result)) return d->msg;
    if (std::holds_alternative<std::error_code>(result)) throw std::runtime_error("bad frame");
    char chunk[4096];
    const auto n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) throw std::runtime_error("relay closed or timed out");
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

/// A probe_request frame whose JSON also names other targets.
std::string hostile_probe_request(std::uint16_t port, const std::string& decoy) {
  const json payload = {{"protocol", "tcp"}, {"port", port}, {"nonce", std::string(32, 'a')},
                        {"sweep", false},     {"address", decoy}, {"host", decoy},
                        {"target", decoy + ":" + std::to_string(port)}};
  const auto body = payload.dump();
  std::string frame = {'R', 'B', static_cast<char>(protocol::version), 3};
  for (int shift = 24; shift >= 0; shift -= 8) frame += static_cast<char>((body.size() >> shift) & 0xff);
  return frame + body;
}

TEST_F(e2e, relay_dials_only_the_control_connections_source) {
  // The decoy takes the port the kernel gave the expected peer: nothing
  // else can hold it on another address while the expected peer listens.
  fake_peer expected("127.0.0.2", 0, "hold");
  const auto port = expected.port();
  fake_peer decoy("127.0.0.3", port, "hold");
  const int fd = connect_from("127.0.0.2", relay_endpoint_);
  ASSERT_GE(fd, 0);
  const auto hello = protocol::encode(protocol::hello{"e2e", std::nullopt});
  ASSERT_EQ(send(fd, hello.data(), hello.size(), 0), static_cast<ssize_t>(hello.size()));
  const auto welcome = std::get<protocol::welcome>(read_frame(fd));
  EXPECT_EQ(welcome.observed_address, "127.0.0.2");
  const auto request = hostile_probe_request(port, "127.0.0.3");
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  const auto result = std::get<protocol::probe_result>(read_frame(fd));
  close(fd);
  EXPECT_EQ(result.connect_back.dialed_address, "127.0.0.2");
  EXPECT_EQ(result.connect_back.outcome, connect_outcome::foreign);
  EXPECT_GE(expected.accepted(), 1U);
  EXPECT_EQ(decoy.accepted(), 0U);
}

// -- Bad input: one line on stderr, the documented exit code, no report. ---

struct bad_input {
  std::string name;
  std::vector<std::string> args;
  int exit_code;
  std::string message;  ///< must appear in the one line
  /// A client.toml the test writes, named after it, and passes as --config.
  std::string config_text = {};
};

std::ostream& operator<<(std::ostream& os, const bad_input& b) { return os << b.name; }

void expect_one_line_error(const run_result& r, const bad_input& b) {
  EXPECT_EQ(r.exit_code, b.exit_code) << r.err;
  EXPECT_EQ(line_count(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find(b.message), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << "partial output: " << r.out;
}

class usage_errors : public testing::TestWithParam<bad_input> {};

// The config is written in the test, not when the table is built: every
// test process builds the table, and ctest -j runs them side by side.
TEST_P(usage_errors, exit_2_with_one_line) {
  const auto& b = GetParam();
  std::vector<std::string> argv = {PROBE_CLIENT};
  argv.insert(argv.end(), b.args.begin(), b.args.end());
  const auto config = std::string(testing::TempDir()) + "reachback-" + b.name + "-" + std::to_string(getpid()) + ".toml";
  if (!b.config_text.empty()) {
    std::ofstream(config) << b.config_text;
    argv.insert(argv.end(), {"--config", config});
  }
  expect_one_line_error(run(argv, 10s), b);
  std::remove(config.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    client, usage_errors,
    testing::Values(
        bad_input{"port_zero", {"--relay", "127.0.0.1", "--port", "0"}, 2, "--port"},
        bad_input{"port_too_large", {"--relay", "127.0.0.1", "--port", "65536"}, 2, "--port"},
        bad_input{"port_not_a_number", {"--relay", "127.0.0.1", "--port", "abc"}, 2, "abc"},
        bad_input{"unknown_flag", {"--relay", "127.0.0.1", "--port", "3000", "--bogus"}, 2, "--bogus"},
        bad_input{"listen_with_service", {"--relay", "127.0.0.1", "--port", "3000", "--listen", "--service"}, 2,
                  "excludes"},
        bad_input{"no_relay", {"--port", "3000", "--config", "/dev/null"}, 2, "no relay given"},
        bad_input{"relay_bad_port", {"--relay", "127.0.0.1:99999", "--port", "3000"}, 2, "127.0.0.1:99999"},
        bad_input{"config_missing", {"--port", "3000", "--config", "/nonexistent/client.toml"}, 2,
                  "/nonexistent/client.toml"},
        bad_input{"config_unreadable", {"--port", "3000", "--config", "/"}, 2, "/"},
        bad_input{"config_malformed", {"--port", "3000"}, 2, ":2:", "relay = \"x\"\ntimeout_seconds = = 3\n"},
        bad_input{"config_wrong_type", {"--port", "3000"}, 2, "timeout_seconds", "timeout_seconds = \"ten\"\n"}),
    [](const testing::TestParamInfo<bad_input>& p) { return p.param.name; });

/// A fake relay of each bad kind, on an ephemeral loopback port.
struct relay_fault {
  std::string name;
  std::string mode;  ///< fake-peer mode, or "" for a closed port
  std::string message;
};

std::ostream& operator<<(std::ostream& os, const relay_fault& f) { return os << f.name; }

class relay_errors : public testing::TestWithParam<relay_fault> {};

TEST_P(relay_errors, exit_3_with_one_line) {
  const auto& f = GetParam();
  // A reserved port refuses connections: the relay that "refuses".
  const reserved_tcp_port closed;
  std::optional<fake_peer> peer;
  auto port = closed.number();
  if (!f.mode.empty()) {
    peer.emplace("127.0.0.1", 0, f.mode);
    port = peer->port();
  }
  const auto r = run({PROBE_CLIENT, "--relay", "127.0.0.1:" + std::to_string(port), "--port",
                      reserved_tcp_port().text(), "--timeout", "1"},
                     20s);
  expect_one_line_error(r, {f.name, {}, 3, f.message});
}

INSTANTIATE_TEST_SUITE_P(
    client, relay_errors,
    testing::Values(relay_fault{"refuses", "", "connection refused"},
                    relay_fault{"stays_silent", "hold", "no answer after hello"},
                    relay_fault{"http_server", "http", "not a reachback relay (it answered \"HTTP/1.1 400 Bad Request\")"},
                    relay_fault{"version_mismatch", "wrong-version", "protocol version mismatch"},
                    relay_fault{"drops_mid_session", "drop", "closed the connection"},
                    relay_fault{"drops_mid_frame", "half-frame", "in the middle of a frame"}),
    [](const testing::TestParamInfo<relay_fault>& p) { return p.param.name; });

TEST(client_relay_errors, relay_host_that_does_not_resolve) {
  // In a network namespace of its own, name lookup fails at once and no
  // query can leave this machine.
  const auto r = run({"/usr/bin/unshare", "--net", PROBE_CLIENT, "--relay", "no-such-relay.invalid", "--port",
                      "3000", "--timeout", "3"},
                     20s);
  expect_one_line_error(r, {"unresolvable", {}, 3, "relay host 'no-such-relay.invalid' does not resolve"});
}

}  // namespace
}  // namespace reachback::test

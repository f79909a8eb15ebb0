// SPDX-License-Identifier: MIT
#include "probe_client.hpp"

#include <future>
#include <memory>
#include <ostream>
#include <random>

#include "agent_listener.hpp"
#include "common/address.hpp"
#include "common/elapsed.hpp"
#include "common/messages.hpp"
#include "common/verdict_engine.hpp"
#include "common/verdict_hairpin.hpp"
#include "config/fixes.hpp"
#include "config/squatters.hpp"
#include "exit_codes.hpp"
#include "hairpin_probe.hpp"
#include "local_port.hpp"
#include "platform/capture.hpp"
#include "platform/firewall.hpp"
#include "platform/path.hpp"
#include "platform/system.hpp"
#include "progress.hpp"
#include "proxy_target.hpp"
#include "relay_session.hpp"
#include "report.hpp"
#include "router_query.hpp"
#include "settle_connect_back.hpp"
#include "udp_agent.hpp"

namespace reachback::client {
namespace {

using clock = std::chrono::steady_clock;

std::string make_nonce() {
  std::random_device rd;
  static constexpr char hex[] = "0123456789abcdef";
  std::string nonce;
  for (int i = 0; i < 32; ++i) nonce += hex[rd() % 16];
  return nonce;
}

/// A free port gets our own listener, unless the user asked to probe theirs.
bool wants_agent(probe_mode mode, const local_port_evidence& local) {
  return mode != probe_mode::service && local.state == bind_state::free;
}

/// probe-client's own listener on a free port: the TCP one accepts and
/// proves, the UDP one answers the probe datagram. Only the probed
/// transport's is opened.
struct own_agent {
  explicit own_agent(const asio::any_io_executor& executor) : tcp(executor), udp(executor) {}
  agent_listener tcp;
  udp_agent udp;

  [[nodiscard]] std::error_code open(transport protocol, std::uint16_t port) {
    return protocol == transport::udp ? udp.open(port) : tcp.open(port);
  }
  void start(transport protocol, const agent_nonces& nonces) {
    if (protocol == transport::udp) {
      udp.start(nonces);
    } else {
      tcp.start(nonces);
    }
  }
  void close() {
    tcp.close();
    udp.close();
  }
};

/// Opens the agent; if the port was taken in between, the check is redone.
void open_agent(own_agent& agent, const agent_nonces& nonces, evidence& ev) {
  if (!wants_agent(ev.mode, ev.local)) return;
  if (const auto ec = agent.open(ev.protocol, ev.port)) {
    ev.local = check_local_port(ev.port, config::builtin_squatters(), ev.protocol);
    if (ev.local.state == bind_state::free) ev.local.state = bind_state::held;
    return;
  }
  agent.start(ev.protocol, nonces);
  ev.agent_listening = true;
}

/// Evidence the client gathers alongside the relay session.
struct side_evidence {
  /// Started with the path trace, which tells it the routers it hears; so it
  /// is declared first, to outlive the trace's thread (path's destructor waits for it).
  std::unique_ptr<router_query> routers;
  platform::packet_capture capture;
  std::shared_future<path_evidence> path;
  std::future<std::optional<host_firewall_evidence>> firewall;
};

/// The program a host firewall rule must admit: the agent is this
/// executable; otherwise the user's server, when the OS named its image.
std::string listening_program(const evidence& ev) {
  if (ev.agent_listening) return platform::this_executable_path();
  for (const auto& owner : ev.local.owners)
    if (!owner.image_path.empty()) return owner.image_path;
  return {};
}

/// The host firewall's own answer for the relay's SYN, read while the relay
/// works: on Windows a COM round through the whole rule set, which must not
/// add wall time.
std::future<std::optional<host_firewall_evidence>> evaluate_firewall_async(const evidence& ev,
                                                                          const std::string& relay_address) {
  return std::async(std::launch::async, [port = ev.port, program = listening_program(ev), relay_address] {
    return platform::evaluate_host_firewall(port, program, relay_address);
  });
}

// A local proxy target answers within a few milliseconds or not at all.
constexpr std::chrono::milliseconds proxy_check_timeout{500};

/// Routers are asked only when some may lie in between: a relay on this
/// host's loopback leaves nobody on the path to ask.
bool routers_worth_asking(const client_options& o, const std::string& relay_address) {
  // The query speaks to routers over IPv4; the IPv4 run asks them.
  if (!o.ask_routers || relay_address.find(':') != std::string::npos) return false;
  const auto cls = classify_address(relay_address);
  return cls != address_class::loopback && cls != address_class::unknown;
}

/// The path trace toward the relay, in a thread of its own; the router query,
/// if any, hears each router as the trace finds it.
std::shared_future<path_evidence> trace_path_async(const std::string& relay_address, router_query* routers) {
  return std::async(std::launch::async,
                    [relay_address, routers] {
                      platform::path_options options;
                      if (routers) options.heard = [routers](const platform::probe_reply& r) { routers->hear(r); };
                      auto path = platform::trace_path(relay_address, options);
                      if (routers) routers->path_traced(path);
                      return path;
                    })
      .share();
}

session_hooks make_hooks(const client_options& o, ip_family family, evidence& ev, side_evidence& side,
                         progress_line& progress, own_agent& agent) {
  session_hooks hooks{
      .on_connected =
          [&o, &ev, &side](const std::string& relay_address) {
            ev.relay_address = relay_address;
            side.capture.start(relay_address, ev.protocol);
            if (routers_worth_asking(o, relay_address))
              side.routers =
                  std::make_unique<router_query>(ev.port, ev.protocol, relay_address, platform::first_hop_toward(relay_address));
            side.path = trace_path_async(relay_address, side.routers.get());
            side.firewall = evaluate_firewall_async(ev, relay_address);
          },
      .on_welcome =
          [&ev, &progress](const protocol::welcome& w) {
            const auto* probing = ev.protocol == transport::udp ? "; it is sending a datagram to UDP port "
                                                                 : "; it is connecting back to port ";
            progress.stage("relay sees you as " + w.observed_address + probing + std::to_string(ev.port) +
                           " and walking the path");
          },
      .agent_greeted = {},
      .answer_worth_waiting =
          [&ev, &side] {
            return answer_worth_waiting_for({ev.port, holder_in_the_way(ev), side.capture.peek(ev.port)});
          },
  };
  // The greeting travels on a TCP connect-back; a UDP probe has none.
  if (ev.agent_listening && ev.protocol == transport::tcp)
    hooks.agent_greeted = [&agent, family] { return agent.tcp.greeted(family); };
  return hooks;
}

protocol::probe_request probe_request_for(const client_options& o, const std::string& nonce, bool greet) {
  protocol::probe_request request;
  const bool udp = o.protocol == transport::udp;
  request.protocol = std::string(udp ? protocol::protocol_udp : protocol::protocol_tcp);
  request.port = o.port;
  request.nonce = nonce;
  // UDP has no handshake to greet or to report early: one final result.
  request.greet = greet;
  request.early_result = !udp;
  return request;
}

void take_relay_answer(const relay_exchange& x, evidence& ev) {
  ev.public_address = unmap_v4(x.welcome.observed_address);
  ev.client_hops = x.welcome.client_hops;
  ev.connect_back = settle_connect_back({
      .reported = x.result.connect_back,
      .answer = x.answer ? std::optional(x.answer->connect_back) : std::nullopt,
      .agent_greeted = x.agent_greeted,
      .answer_awaited = x.answer_awaited,
      .waited_ms = x.answer_wait_ms,
  });
  ev.sweep = x.result.sweep;
  ev.control_probe = x.result.control;
  ev.relay_rtt_ms = x.result.rtt_ms;
}

// A connection to the public address from inside the LAN goes no further
// than the router holding it: a LAN round trip, even on a slow Wi-Fi.
constexpr std::chrono::milliseconds hairpin_deadline{500};

/// The hairpin test, once the verdict says the internet reaches the port:
/// one connection to the public address and port, which the agent, when it
/// listens, proves came back to it. ctx runs again for it alone.
std::optional<hairpin_evidence> test_hairpin(asio::io_context& ctx, const std::string& nonce, const evidence& ev,
                                             const verdict& v, progress_line& progress) {
  if (hairpin_skip_reason(ev, v)) return std::nullopt;
  progress.stage(std::string(ev.protocol == transport::udp ? "sending a datagram to " : "connecting to ") +
                 format_endpoint(ev.public_address, ev.port) + " from inside the LAN");
  const hairpin_target target{ev.public_address, ev.port, ev.agent_listening ? protocol::proof_line(nonce) : "",
                              ev.protocol, protocol::udp_probe_line(nonce)};
  auto tested = run_hairpin_probe(ctx, target, hairpin_deadline);
  progress.clear();
  return tested;
}

/// Who holds the port on this host, before anything goes on the wire.
void check_this_host(const client_options& o, progress_line& progress, evidence& ev) {
  ev.port = o.port;
  ev.protocol = o.protocol;
  ev.os = platform::this_host_os();
  ev.mode = o.mode;
  ev.relay = format_endpoint(o.relay.host, o.relay.port);
  progress.stage("checking port " + std::to_string(o.port) + " on this host");
  ev.local = check_local_port(o.port, config::builtin_squatters(), o.protocol);
  ev.local.proxy_target_accepts = proxy_target_accepts(ev.local, ev.mode, proxy_check_timeout);
}

/// Collects what was gathered beside the relay session.
void finish_side_evidence(side_evidence& side, progress_line& progress, evidence& ev, bool complete_router_answers) {
  if (side.routers) {
    progress.stage("asking the routers");
    ev.routers = complete_router_answers ? side.routers->complete() : side.routers->finish(clock::now() + router_budget);
  }
  if (side.path.valid()) {
    progress.stage("finishing the path trace");
    ev.path = side.path.get();
  }
  ev.capture = side.capture.finish(ev.port);
  if (side.firewall.valid()) ev.firewall = side.firewall.get();
  progress.clear();
}

}  // namespace

namespace {

/// One IP family's share of a run: its own relay session, nonce, evidence
/// and side evidence.
struct family_run {
  family_target target;
  client_options options;  ///< the run's, dialling target.relay_address
  std::string nonce = make_nonce();
  evidence ev;
  side_evidence side;
  std::variant<relay_exchange, relay_failure> outcome = relay_failure{"relay session did not finish"};
  double session_ms = 0;
};

using family_runs = std::vector<std::unique_ptr<family_run>>;

/// What the agent proves to each family's relay session.
agent_nonces nonces_of(const family_runs& runs) {
  if (runs.size() == 1) return agent_nonces::same(runs.front()->nonce);
  agent_nonces nonces;
  for (const auto& run : runs) (run->target.family == ip_family::ipv4 ? nonces.ipv4 : nonces.ipv6) = run->nonce;
  return nonces;
}

/// Runs every family's relay session at once on `ctx`, until the last ends.
void run_sessions(asio::io_context& ctx, family_runs& runs, own_agent& agent, progress_line& progress) {
  auto remaining = runs.size();
  const auto start = clock::now();
  for (auto& run : runs) {
    auto hooks = make_hooks(run->options, run->target.family, run->ev, run->side, progress, agent);
    auto request = probe_request_for(run->options, run->nonce, static_cast<bool>(hooks.agent_greeted));
    asio::co_spawn(ctx, run_relay_session(run->options, std::move(request), std::move(hooks)),
                   [&ctx, &remaining, start, r = run.get()](const std::exception_ptr& e,
                                                            std::variant<relay_exchange, relay_failure> result) {
                     r->session_ms = ms_since(start);
                     // The agent's accept loop keeps ctx running; the agent stays
                     // open for the hairpin test after the verdict.
                     if (--remaining == 0) ctx.stop();
                     if (e) std::rethrow_exception(e);
                     r->outcome = std::move(result);
                   });
  }
  ctx.run();
}

/// One family's verdict from its evidence, then its hairpin test.
std::variant<report, diagnosis_failure> conclude(family_run& run, asio::io_context& ctx, progress_line& progress,
                                                 const diagnosis_settings& settings, run_timings timings,
                                                 clock::time_point start) {
  finish_side_evidence(run.side, progress, run.ev, settings.complete_router_answers);
  if (const auto* failure = std::get_if<relay_failure>(&run.outcome)) return diagnosis_failure{failure->message, exit_relay};
  auto& ev = run.ev;
  take_relay_answer(std::get<relay_exchange>(run.outcome), ev);
  // The drop, if any, is logged by now: the relay's SYNs came and went.
  if (ev.firewall) platform::read_firewall_log(*ev.firewall, ev.relay_address, ev.port);
  auto result = diagnose(ev, config::builtin_fixes());
  ev.hairpin = test_hairpin(ctx, run.nonce, ev, result, progress);
  auto hairpin = judge_hairpin(ev, result);
  timings.session_ms = run.session_ms;
  timings.total_ms = ms_since(start);
  return report{std::move(ev), std::move(result), timings, std::move(hairpin)};
}

/// Checks this host once, opens one agent for every family, runs each
/// family's relay session at the same time and concludes each in turn.
std::vector<std::variant<report, diagnosis_failure>> diagnose_targets(const client_options& o, const output& io,
                                                                      const std::vector<family_target>& targets,
                                                                      const diagnosis_settings& settings) {
  const auto start = clock::now();
  progress_line progress(io.err, io.progress);
  evidence host;
  check_this_host(o, progress, host);
  run_timings timings;
  timings.local_ms = ms_since(start);

  family_runs runs;
  for (const auto& target : targets) {
    auto run = std::make_unique<family_run>();
    run->target = target;
    run->options = o;
    run->options.relay_address = target.relay_address;
    runs.push_back(std::move(run));
  }
  asio::io_context ctx{1};
  own_agent agent(ctx.get_executor());
  open_agent(agent, nonces_of(runs), host);
  for (auto& run : runs) run->ev = host;

  progress.stage("connecting to relay " + host.relay);
  run_sessions(ctx, runs, agent, progress);
  std::vector<std::variant<report, diagnosis_failure>> results;
  for (auto& run : runs) results.push_back(conclude(*run, ctx, progress, settings, timings, start));
  agent.close();
  return results;
}

/// The families this run tests, from the relay's addresses and this host's
/// routes toward them, or why none can be tested.
std::variant<family_plan, diagnosis_failure> plan_run(const client_options& o) {
  const auto resolved = resolve_relay(o);
  if (const auto* failure = std::get_if<relay_failure>(&resolved)) return diagnosis_failure{failure->message, exit_relay};
  const auto name = format_endpoint(o.relay.host, o.relay.port);
  auto planned = plan_families(o.families, std::get<std::vector<std::string>>(resolved), name,
                               [](const std::string& relay) { return platform::first_hop_toward(relay).source_address; });
  if (const auto* refusal = std::get_if<family_refusal>(&planned))
    return diagnosis_failure{"relay " + name + ": " + refusal->message, exit_relay};
  return std::get<family_plan>(std::move(planned));
}

/// Diagnoses each planned family over its own control connection, all at once.
run_report diagnose_families(const client_options& o, const output& io, const family_plan& plan,
                              const diagnosis_settings& settings) {
  run_report run{{}, plan.skipped};
  auto results = diagnose_targets(o, io, plan.targets, settings);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto family = plan.targets[i].family;
    if (auto* r = std::get_if<report>(&results[i])) {
      run.families.push_back({family, std::move(*r)});
    } else {
      run.families.push_back({family, std::get<diagnosis_failure>(results[i]).message});
    }
  }
  return run;
}

/// A run where no family could be diagnosed leaves as one line, like any
/// relay failure; its code is the first failure's.
std::optional<diagnosis_failure> nothing_diagnosed(const run_report& run) {
  for (const auto& f : run.families)
    if (std::holds_alternative<report>(f.outcome)) return std::nullopt;
  if (run.families.size() == 1) return diagnosis_failure{std::get<std::string>(run.families.front().outcome), exit_relay};
  std::string message;
  for (const auto& f : run.families)
    message += (message.empty() ? "" : "; ") + family_name(f.family) + ": " + std::get<std::string>(f.outcome);
  return diagnosis_failure{message, exit_relay};
}

}  // namespace

std::variant<run_report, diagnosis_failure> diagnose_run(const client_options& o, const output& io,
                                                         const diagnosis_settings& settings) {
  const auto planned = plan_run(o);
  if (const auto* failure = std::get_if<diagnosis_failure>(&planned)) return *failure;
  auto run = diagnose_families(o, io, std::get<family_plan>(planned), settings);
  if (auto none = nothing_diagnosed(run)) return *none;
  return run;
}

int run_probe_client(const client_options& o, const output& io) {
  auto diagnosed = diagnose_run(o, io);
  if (const auto* none = std::get_if<diagnosis_failure>(&diagnosed)) {
    io.err << "probe-client: " << none->message << '\n';
    return none->exit_code;
  }
  const auto& run = std::get<run_report>(diagnosed);
  for (const auto& f : run.families)
    if (const auto* line = std::get_if<std::string>(&f.outcome))
      io.err << "probe-client: " << family_name(f.family) << ": " << *line << '\n';
  io.out << (o.json ? render_json(run) : render_text(run, io.colour));
  return run_exit_code(run);
}

}  // namespace reachback::client

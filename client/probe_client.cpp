// SPDX-License-Identifier: MIT
#include "probe_client.hpp"

#include <future>
#include <memory>
#include <ostream>
#include <random>

#include "agent_listener.hpp"
#include "common/address.hpp"
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

double ms_since(clock::time_point start) {
  return std::chrono::duration<double, std::milli>(clock::now() - start).count();
}

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
  void start(transport protocol, const std::string& nonce) {
    if (protocol == transport::udp) {
      udp.start(nonce);
    } else {
      tcp.start(nonce);
    }
  }
  void close() {
    tcp.close();
    udp.close();
  }
};

/// Opens the agent; if the port was taken in between, the check is redone.
void open_agent(own_agent& agent, const std::string& nonce, evidence& ev) {
  if (!wants_agent(ev.mode, ev.local)) return;
  if (const auto ec = agent.open(ev.protocol, ev.port)) {
    ev.local = check_local_port(ev.port, config::builtin_squatters(), ev.protocol);
    if (ev.local.state == bind_state::free) ev.local.state = bind_state::held;
    return;
  }
  agent.start(ev.protocol, nonce);
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

session_hooks make_hooks(const client_options& o, evidence& ev, side_evidence& side, progress_line& progress,
                         own_agent& agent) {
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
    hooks.agent_greeted = [&agent] { return agent.tcp.greeted(); };
  return hooks;
}

std::variant<relay_exchange, relay_failure> run_session(const client_options& o, const std::string& nonce,
                                                        asio::io_context& ctx, session_hooks hooks) {
  std::variant<relay_exchange, relay_failure> outcome = relay_failure{"relay session did not finish"};
  protocol::probe_request request;
  const bool udp = o.protocol == transport::udp;
  request.protocol = std::string(udp ? protocol::protocol_udp : protocol::protocol_tcp);
  request.port = o.port;
  request.nonce = nonce;
  // UDP has no handshake to greet or to report early: one final result.
  request.greet = static_cast<bool>(hooks.agent_greeted);
  request.early_result = !udp;
  asio::co_spawn(ctx, run_relay_session(o, request, std::move(hooks)),
                 [&](std::exception_ptr e, std::variant<relay_exchange, relay_failure> result) {
                   // The agent's accept loop keeps ctx running; the agent stays
                   // open for the hairpin test after the verdict.
                   ctx.stop();
                   if (e) std::rethrow_exception(e);
                   outcome = std::move(result);
                 });
  ctx.run();
  return outcome;
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

std::variant<report, diagnosis_failure> diagnose_once(const client_options& o, const output& io,
                                                      const diagnosis_settings& settings) {
  const auto start = clock::now();
  progress_line progress(io.err, io.progress);
  evidence ev;
  check_this_host(o, progress, ev);
  run_timings timings;
  timings.local_ms = ms_since(start);

  asio::io_context ctx{1};
  own_agent agent(ctx.get_executor());
  const auto nonce = make_nonce();
  open_agent(agent, nonce, ev);

  progress.stage("connecting to relay " + ev.relay);
  side_evidence side;
  const auto session_start = clock::now();
  auto outcome = run_session(o, nonce, ctx, make_hooks(o, ev, side, progress, agent));
  timings.session_ms = ms_since(session_start);
  finish_side_evidence(side, progress, ev, settings.complete_router_answers);

  if (const auto* failure = std::get_if<relay_failure>(&outcome)) return diagnosis_failure{failure->message, exit_relay};
  take_relay_answer(std::get<relay_exchange>(outcome), ev);
  // The drop, if any, is logged by now: the relay's SYNs came and went.
  if (ev.firewall) platform::read_firewall_log(*ev.firewall, ev.relay_address, ev.port);

  auto result = diagnose(ev, config::builtin_fixes());
  ev.hairpin = test_hairpin(ctx, nonce, ev, result, progress);
  agent.close();
  auto hairpin = judge_hairpin(ev, result);
  timings.total_ms = ms_since(start);
  return report{std::move(ev), std::move(result), timings, std::move(hairpin)};
}

namespace {

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

/// Diagnoses each planned family over its own control connection, one after
/// the other: each gets its own nonce, agent, capture and verdict.
run_report diagnose_families(const client_options& o, const output& io, const family_plan& plan) {
  run_report run{{}, plan.skipped};
  for (const auto& target : plan.targets) {
    auto family_options = o;
    family_options.relay_address = target.relay_address;
    auto diagnosed = diagnose_once(family_options, io);
    if (auto* r = std::get_if<report>(&diagnosed)) {
      run.families.push_back({target.family, std::move(*r)});
    } else {
      run.families.push_back({target.family, std::get<diagnosis_failure>(diagnosed).message});
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

int run_probe_client(const client_options& o, const output& io) {
  const auto planned = plan_run(o);
  const auto* failure = std::get_if<diagnosis_failure>(&planned);
  const auto run = failure ? run_report{} : diagnose_families(o, io, std::get<family_plan>(planned));
  const auto none = failure ? std::optional(*failure) : nothing_diagnosed(run);
  if (none) {
    io.err << "probe-client: " << none->message << '\n';
    return none->exit_code;
  }
  for (const auto& f : run.families)
    if (const auto* line = std::get_if<std::string>(&f.outcome))
      io.err << "probe-client: " << family_name(f.family) << ": " << *line << '\n';
  io.out << (o.json ? render_json(run) : render_text(run, io.colour));
  return run_exit_code(run);
}

}  // namespace reachback::client

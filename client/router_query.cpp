// SPDX-License-Identifier: MIT
#include "router_query.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "client/platform/path_collate.hpp"
#include "client/router/natpmp.hpp"
#include "client/router/pcp.hpp"
#include "client/router/ssdp.hpp"
#include "client/upnp_client.hpp"
#include "common/address.hpp"
#include "common/ascii_text.hpp"
#include "common/asio_compat.hpp"

namespace reachback::client {

using namespace asio::experimental::awaitable_operators;
using asio::ip::udp;
using clock = std::chrono::steady_clock;

std::vector<std::string> routers_to_ask(const path_evidence& path, bool trace_done) {
  std::vector<std::string> routers;
  const auto add = [&](const std::string& address) {
    if (routers.size() < max_routers_asked && std::find(routers.begin(), routers.end(), address) == routers.end())
      routers.push_back(address);
  };
  if (path.default_gateway) add(*path.default_gateway);
  for (const auto& h : path.hops) {
    if (!h.address) {
      if (!trace_done) break;
      continue;
    }
    if (h.cls == address_class::public_net) break;
    if (h.cls == address_class::private_net || h.cls == address_class::carrier_nat) add(*h.address);
  }
  return routers;
}

namespace {

// A lost datagram is sent again once: first wait, then the wait after the resend.
constexpr std::chrono::milliseconds first_wait{250};
constexpr std::chrono::milliseconds second_wait{500};
// A router on the LAN answers within milliseconds: one that said nothing in
// this long after it was asked is not waited for once the relay is done.
constexpr std::chrono::milliseconds silent_after{100};
constexpr std::string_view ssdp_multicast_address = "239.255.255.250";
// How far a router's mapping table is walked when the port has no entry of
// its own (a mapping for one remote host only is listed there alone).
constexpr int max_table_entries = 32;

/// One router being asked, and which questions are still open.
struct asked_router {
  router_evidence facts;
  bool located = false;  ///< an SSDP answer gave its description's address
  bool upnp_open = true;
  bool natpmp_open = true;
  bool pcp_open = true;
};

void add_answered(router_evidence& r, router_protocol p) {
  if (std::find(r.answered.begin(), r.answered.end(), p) == r.answered.end()) r.answered.push_back(p);
}

}  // namespace

struct router_query::state {
  std::uint16_t port = 0;
  transport protocol = transport::tcp;  ///< whose mapping of the port is asked for
  std::string relay_address;
  std::vector<platform::probe_reply> heard;  ///< the trace's answers so far
  bool trace_running = true;
  clock::time_point cap;
  std::vector<asked_router> routers;
  platform::first_hop first;
  std::string source_address;  ///< PCP's client address: the route's own source
  bool multicast_sent = false;
  /// When the latest routers were asked; until the trace hears the first
  /// one, the query's start: a relay on a fast line may finish before that,
  /// and the routers still get their silent_after.
  clock::time_point asked_at = clock::now();
  asio::io_context ctx{1};
  asio::steady_timer stop{ctx};

  asked_router* find(const std::string& address) {
    const auto it = std::find_if(routers.begin(), routers.end(),
                                 [&](const asked_router& r) { return r.facts.address == address; });
    return it == routers.end() ? nullptr : &*it;
  }

  // -------------------------------------------------------------------------
  // UPnP IGD.

  /// The router's description, then its external address, status and mapping.
  asio::awaitable<void> ask_igd(asked_router& r, router::http_url location) {
    auto described = co_await fetch_description(location, cap);
    if (const auto* failed = std::get_if<upnp_failure>(&described)) {
      r.facts.missing.push_back({"UPnP device description", failed->reason});
      r.upnp_open = false;
      co_return;
    }
    const auto& igd = std::get<router::igd_description>(described);
    const auto& service = igd.wan_services.front();
    r.facts.friendly_name = igd.friendly_name;
    r.facts.manufacturer = igd.manufacturer;
    r.facts.model_name = igd.model_name;
    r.facts.upnp_control_url = router::to_string(service.control_url);
    r.facts.upnp_service_type = service.service_type;
    const auto source = iequals(service.service_type, router::wan_ip_connection_2) ? router_protocol::upnp_igd2
                                                                                   : router_protocol::upnp_igd1;
    add_answered(r.facts, source);
    // Three connections at once: a LAN router answers each in milliseconds.
    co_await (ask_external_address(r, service, source) && ask_status(r, service) && ask_mapping(r, service, source));
    r.upnp_open = false;
  }

  asio::awaitable<void> ask_external_address(asked_router& r, const router::igd_service& service,
                                             router_protocol source) {
    auto got = co_await soap_call(service, "GetExternalIPAddress", soap_arguments{}, cap);
    if (const auto* failed = std::get_if<upnp_failure>(&got)) {
      r.facts.missing.push_back({"UPnP external address", failed->reason});
      co_return;
    }
    const auto& reply = std::get<router::soap_reply>(got);
    if (reply.fault) {
      r.facts.missing.push_back({"UPnP external address", fault_text("GetExternalIPAddress", reply)});
      co_return;
    }
    r.facts.external_address = router_text_fact{reply.value("NewExternalIPAddress").value_or(""), source};
  }

  asio::awaitable<void> ask_status(asked_router& r, const router::igd_service& service) {
    auto got = co_await soap_call(service, "GetStatusInfo", soap_arguments{}, cap);
    const auto* reply = std::get_if<router::soap_reply>(&got);
    if (!reply || reply->fault) co_return;  // optional: the external address says more
    if (const auto status = reply->value("NewConnectionStatus")) r.facts.wan_connected = *status == "Connected";
  }

  /// "UPnP mapping of UDP 3000": the question, as a missing answer names it.
  [[nodiscard]] std::string mapping_question() const {
    return "UPnP mapping of " + router::protocol_port_text(protocol, port);
  }

  asio::awaitable<void> ask_mapping(asked_router& r, const router::igd_service& service, router_protocol source) {
    auto got =
        co_await soap_call(service, "GetSpecificPortMappingEntry", router::port_mapping_key(port, protocol), cap);
    if (const auto* failed = std::get_if<upnp_failure>(&got)) {
      r.facts.missing.push_back({mapping_question(), failed->reason});
      co_return;
    }
    const auto& reply = std::get<router::soap_reply>(got);
    if (!reply.fault) {
      take_mapping(r, router::specific_mapping_from_reply(reply, port, protocol), source);
      co_return;
    }
    // 714 NoSuchEntryInArray: no entry for any remote host; one for a
    // single remote host is found only by walking the table.
    if (reply.error_code != 714) {
      r.facts.missing.push_back({mapping_question(), fault_text("GetSpecificPortMappingEntry", reply)});
      co_return;
    }
    r.facts.mappings_read = true;
    co_await read_table(r, service, source);
  }

  /// The port has no entry for every remote host; one for a single remote
  /// host shows only in the table. IGD:2 lists the port's entries in one
  /// call; IGD:1, or an IGD:2 that refuses the listing, is walked.
  asio::awaitable<void> read_table(asked_router& r, const router::igd_service& service, router_protocol source) {
    // Two statements: g++ 12 miscompiles a co_await inside a && (SIGILL).
    bool listed = false;
    if (source == router_protocol::upnp_igd2) listed = co_await list_port(r, service, source);
    if (!listed) co_await walk_table(r, service, source);
  }

  /// IGD:2 GetListOfPortMappings for this port and protocol alone; false
  /// when the router gave no listing (e.g. 606 ActionNotAuthorized for NewManage).
  asio::awaitable<bool> list_port(asked_router& r, const router::igd_service& service, router_protocol source) {
    auto got = co_await soap_call(service, "GetListOfPortMappings",
                                  router::list_port_arguments(port, protocol, max_table_entries), cap);
    const auto* reply = std::get_if<router::soap_reply>(&got);
    if (!reply) co_return false;
    if (reply->fault) co_return reply->error_code == 730;  // PortMappingNotFound: none in the range
    const auto listing = reply->value("NewPortListing");
    if (!listing) co_return false;
    // A router may list the other protocol's entries too, whatever NewProtocol said.
    if (auto m = router::find_mapping(router::parse_port_mapping_list(*listing), port, protocol))
      take_mapping(r, m, source);
    co_return true;
  }

  asio::awaitable<void> walk_table(asked_router& r, const router::igd_service& service, router_protocol source) {
    for (int index = 0; index < max_table_entries; ++index) {
      soap_arguments at{{"NewPortMappingIndex", std::to_string(index)}};
      auto got = co_await soap_call(service, "GetGenericPortMappingEntry", std::move(at), cap);
      const auto* reply = std::get_if<router::soap_reply>(&got);
      if (!reply || reply->fault) co_return;  // 713 SpecifiedArrayIndexInvalid: the end of the table
      const auto m = router::mapping_from_reply(*reply, 0, "");
      if (m && router::is_mapping_of(*m, port, protocol)) {
        take_mapping(r, m, source);
        co_return;
      }
    }
  }

  void take_mapping(asked_router& r, const std::optional<port_mapping>& m, router_protocol source) {
    r.facts.mappings_read = true;
    if (!m) return;
    r.facts.mapping = m;
    r.facts.mapping_source = source;
  }

  static std::string fault_text(const std::string& action, const router::soap_reply& reply) {
    return action + " failed: " + std::to_string(reply.error_code) + " " +
           (reply.error_description.empty() ? router::upnp_error_name(reply.error_code) : reply.error_description);
  }

  /// Takes an SSDP answer from `from`: the first one with a LOCATION on the
  /// router's own address starts its description. A LOCATION elsewhere is
  /// never followed, so a device on the LAN cannot send this host anywhere.
  void take_ssdp_answer(const std::string& from, std::string_view datagram) {
    auto* r = find(from);
    if (!r || !r->upnp_open || r->located) return;
    const auto answer = router::parse_ssdp_response(datagram);
    if (!answer) return;
    const auto location = router::parse_http_url(answer->location);
    if (!location || location->host != from) return;
    r->located = true;
    spawn(ask_igd(*r, *location));
  }

  /// Routers asked together: those the trace has just heard, or the rest when it ends.
  using batch = std::vector<asked_router*>;

  asio::awaitable<void> send_searches(udp::socket& socket, const batch& targets, bool multicast) {
    for (auto* r : targets) {
      if (r->located || !r->upnp_open) continue;
      const udp::endpoint to(asio::ip::make_address(r->facts.address), router::ssdp_port);
      for (const auto target : {router::igd2_search_target, router::igd1_search_target}) {
        // No MX: a unicast search is answered at once (UPnP Device Architecture 1.1).
        const auto request =
            router::msearch_request(target, r->facts.address + ":" + std::to_string(router::ssdp_port), 0);
        co_await socket.async_send_to(asio::buffer(request), to, use_nothrow);
      }
    }
    if (!multicast) co_return;
    const udp::endpoint group(asio::ip::make_address(ssdp_multicast_address), router::ssdp_port);
    const auto request = router::msearch_request(router::igd1_search_target, router::ssdp_multicast_host, 1);
    co_await socket.async_send_to(asio::buffer(request), group, use_nothrow);
  }

  [[nodiscard]] static bool all_located(const batch& targets) {
    return std::all_of(targets.begin(), targets.end(), [](const asked_router* r) { return r->located; });
  }

  /// Takes answers until `until_time`, or until every router of `targets` has
  /// answered (an answer from any router asked is taken).
  asio::awaitable<void> receive_searches(udp::socket& socket, const batch& targets, clock::time_point until_time) {
    std::array<char, router::max_ssdp_datagram> datagram{};
    udp::endpoint from;
    while (clock::now() < until_time && !all_located(targets)) {
      auto got = co_await (socket.async_receive_from(asio::buffer(datagram), from, use_nothrow) ||
                           expire_at(until_time));
      if (got.index() == 1) co_return;
      const auto [e, n] = std::get<0>(got);
      if (e) co_return;
      take_ssdp_answer(from.address().to_string(), std::string_view(datagram.data(), n));
    }
  }

  /// SSDP: unicast to each router of `targets` (and multicast on the LAN), resent once.
  asio::awaitable<void> search(batch targets, bool multicast) {
    udp::socket socket(ctx, udp::endpoint(udp::v4(), 0));
    co_await send_searches(socket, targets, multicast);
    co_await receive_searches(socket, targets, clock::now() + first_wait);
    if (!all_located(targets)) {
      co_await send_searches(socket, targets, false);
      co_await receive_searches(socket, targets, clock::now() + second_wait);
    }
    for (auto* r : targets)
      if (!r->located) r->upnp_open = false;  // no UPnP answer: it has none, or it is off
  }

  // -------------------------------------------------------------------------
  // NAT-PMP and PCP share the routers' port 5351.

  /// Sends `request` to the router's 5351 (once more when lost) and returns
  /// the first answer from there that `accept` takes.
  template <typename Accept>
  asio::awaitable<bool> ask_5351(const std::string& address, std::span<const std::uint8_t> request, Accept accept) {
    udp::socket socket(ctx, udp::endpoint(udp::v4(), 0));
    const udp::endpoint to(asio::ip::make_address(address), router::natpmp_port);
    std::array<std::uint8_t, router::max_pcp_message> datagram{};
    for (const auto wait : {first_wait, second_wait}) {
      co_await socket.async_send_to(asio::buffer(request.data(), request.size()), to, use_nothrow);
      const auto until_time = clock::now() + wait;
      udp::endpoint from;
      while (clock::now() < until_time) {
        auto got = co_await (socket.async_receive_from(asio::buffer(datagram), from, use_nothrow) ||
                             expire_at(until_time));
        if (got.index() == 1) break;
        const auto [e, n] = std::get<0>(got);
        if (e) co_return false;  // ICMP port unreachable: nothing listens there
        if (from == to && accept(std::span<const std::uint8_t>(datagram.data(), n))) co_return true;
      }
    }
    co_return false;
  }

  asio::awaitable<void> ask_natpmp(asked_router& r) {
    const auto request = router::natpmp_external_address_request();
    co_await ask_5351(r.facts.address, request, [&](std::span<const std::uint8_t> answer) {
      const auto parsed = router::parse_natpmp_external_address_response(answer);
      if (!parsed) return false;
      add_answered(r.facts, router_protocol::nat_pmp);
      if (parsed->result_code == 0 && !r.facts.external_address)
        r.facts.external_address = router_text_fact{parsed->external_address == "0.0.0.0" ? "" : parsed->external_address,
                                                    router_protocol::nat_pmp};
      else if (parsed->result_code != 0)
        r.facts.missing.push_back({"NAT-PMP external address", router::natpmp_result_name(parsed->result_code)});
      return true;
    });
    r.natpmp_open = false;
  }

  asio::awaitable<void> ask_pcp(asked_router& r) {
    const auto request = router::pcp_announce_request(source_address.empty() ? "0.0.0.0" : source_address);
    if (request) {
      co_await ask_5351(r.facts.address, *request, [&](std::span<const std::uint8_t> answer) {
        if (router::is_natpmp_answer(answer)) return true;  // a NAT-PMP-only server: no PCP
        const auto parsed = router::parse_pcp_response(answer);
        if (!parsed) return false;
        add_answered(r.facts, router_protocol::pcp);
        return true;
      });
    }
    r.pcp_open = false;
  }

  // -------------------------------------------------------------------------

  /// Questions still running, and the trace while it runs: when the last
  /// one ends, so does the query.
  int running = 1;

  void one_ended() {
    if (--running == 0) stop.cancel();
  }

  void spawn(asio::awaitable<void> question) {
    ++running;
    asio::co_spawn(ctx, std::move(question), [this](const std::exception_ptr&) { one_ended(); });
  }

  /// Wakes at `t` (never after the cap) to decide whether to stop.
  void stop_at(clock::time_point t) {
    stop.expires_at(std::min(t, cap));
    stop.async_wait([this](std::error_code e) {
      if (!e) on_stop_timer();
    });
  }

  // Once the relay is done: when the routers must have said what they say.
  bool relay_done = false;
  bool budget_given = false;
  clock::time_point relay_deadline;

  [[nodiscard]] bool any_answer() const {
    return std::any_of(routers.begin(), routers.end(),
                       [](const asked_router& r) { return r.located || !r.facts.answered.empty(); });
  }

  /// The relay is done: routers silent since they were asked are not
  /// waited for; ones that answered get the budget for what is in flight.
  void on_relay_done(clock::time_point deadline) {
    relay_done = true;
    relay_deadline = deadline;
    if (running > 0) stop_at(std::max(clock::now(), asked_at + silent_after));
  }

  void on_stop_timer() {
    if (!relay_done || budget_given || !any_answer()) {
      ctx.stop();
      return;
    }
    // A LAN router that answered once answers the rest within the budget,
    // counted from now when it was late to start (the path trace was slow).
    budget_given = true;
    stop_at(std::max(relay_deadline, clock::now() + router_budget));
  }

  /// Adds the routers of `addresses` not asked yet, within max_routers_asked.
  batch add_routers(const std::vector<std::string>& addresses) {
    batch added;
    for (const auto& address : addresses) {
      if (find(address) || routers.size() == max_routers_asked) continue;
      routers.emplace_back().facts.address = address;  // no reallocation: capacity is reserved
      added.push_back(&routers.back());
    }
    return added;
  }

  /// Asks `targets` every question; the first batch also searches by multicast.
  void ask(const batch& targets) {
    if (targets.empty()) return;
    asked_at = clock::now();
    spawn(search(targets, !multicast_sent));
    multicast_sent = true;
    for (auto* r : targets) {
      spawn(ask_natpmp(*r));
      spawn(ask_pcp(*r));
    }
  }

  /// A router the trace heard: the gateway and the private hops heard from
  /// TTL 1 on are asked at once. Never before the trace heard them: a router
  /// answers a question on a closed port with an ICMP error, and its ICMP rate
  /// limit (6 at once, then 1 a second on Linux) would silence it for the trace.
  void hear(const platform::probe_reply& reply) {
    if (!trace_running) return;
    heard.push_back(reply);
    path_evidence so_far;
    so_far.hops = platform::collate_walk(heard, relay_address).hops;
    so_far.default_gateway = first.gateway;
    ask(add_routers(routers_to_ask(so_far, false)));
  }

  /// The whole path: hops beyond a silent TTL are asked now.
  void path_traced(const path_evidence& path) {
    if (!trace_running) return;
    trace_running = false;
    if (source_address.empty()) source_address = path.source_address;
    ask(add_routers(routers_to_ask(path)));
    one_ended();
  }

  void run() {
    routers.reserve(max_routers_asked);
    stop_at(cap);
    ctx.run();
  }

  /// The routers' answers, and a line for each question still open.
  std::vector<router_evidence> collect() {
    std::vector<router_evidence> answers;
    for (auto& r : routers) {
      std::sort(r.facts.answered.begin(), r.facts.answered.end());
      // A router that answered nothing is said once, as such; questions cut
      // short matter only beside the answers it did give.
      const auto cut = [&](bool open, const char* what) {
        if (open && !r.facts.answered.empty()) r.facts.missing.push_back({what, "no answer within the time budget"});
      };
      cut(r.upnp_open, "UPnP IGD");
      cut(r.natpmp_open, "NAT-PMP");
      cut(r.pcp_open, "PCP");
      answers.push_back(std::move(r.facts));
    }
    return answers;
  }
};

router_query::router_query(std::uint16_t port, transport protocol, std::string relay_address,
                           platform::first_hop first)
    : state_(std::make_unique<state>()) {
  state_->port = port;
  state_->protocol = protocol;
  state_->relay_address = std::move(relay_address);
  state_->source_address = first.source_address;
  state_->first = std::move(first);
  state_->cap = clock::now() + router_query_cap;
  worker_ = std::thread([s = state_.get()] {
    try {
      s->run();
    } catch (const std::exception&) {
      // A socket that cannot be opened leaves the questions open: collect() names them.
    }
  });
}

router_query::~router_query() {
  if (!worker_.joinable()) return;
  state_->ctx.stop();  // before run() too: run() then returns at once
  worker_.join();
}

void router_query::hear(const platform::probe_reply& reply) {
  asio::post(state_->ctx, [s = state_.get(), reply] { s->hear(reply); });
}

void router_query::path_traced(const path_evidence& path) {
  asio::post(state_->ctx, [s = state_.get(), path] { s->path_traced(path); });
}

std::vector<router_evidence> router_query::complete() {
  worker_.join();
  return state_->collect();
}

std::vector<router_evidence> router_query::finish(clock::time_point deadline) {
  asio::post(state_->ctx, [s = state_.get(), deadline] { s->on_relay_done(deadline); });
  worker_.join();
  return state_->collect();
}

}  // namespace reachback::client

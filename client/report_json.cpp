// SPDX-License-Identifier: MIT
#include "report.hpp"

#include <nlohmann/json.hpp>

#include "common/evidence_json.hpp"

namespace reachback::client {
namespace {

using nlohmann::json;

json optional_string(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

/// "upnp_igd1", "upnp_igd2", "nat_pmp", "pcp": each router fact's source.
std::string_view protocol_name(router_protocol p) {
  switch (p) {
    case router_protocol::upnp_igd1: return "upnp_igd1";
    case router_protocol::upnp_igd2: return "upnp_igd2";
    case router_protocol::nat_pmp: return "nat_pmp";
    case router_protocol::pcp: return "pcp";
  }
  return "upnp_igd1";
}

json mapping_json(const port_mapping& m, std::optional<router_protocol> source) {
  return {{"protocol", m.protocol},           {"external_port", m.external_port},
          {"internal_client", m.internal_client}, {"internal_port", m.internal_port},
          {"enabled", m.enabled},             {"description", m.description},
          {"lease_seconds", m.lease_seconds}, {"remote_host", m.remote_host},
          {"source", source ? json(protocol_name(*source)) : json(nullptr)}};
}

/// A router's answers, each fact with the protocol that told it.
json router_json(const router_evidence& r) {
  json answered = json::array();
  for (const auto p : r.answered) answered.push_back(protocol_name(p));
  json external = nullptr;
  if (r.external_address)
    external = {{"value", r.external_address->value}, {"source", protocol_name(r.external_address->source)}};
  return {{"address", r.address},
          {"answered", answered},
          {"friendly_name", r.friendly_name},
          {"manufacturer", r.manufacturer},
          {"model_name", r.model_name},
          {"external_address", external},
          {"wan_connected", r.wan_connected ? json(*r.wan_connected) : json(nullptr)},
          {"mappings_read", r.mappings_read},
          {"mapping", r.mapping ? mapping_json(*r.mapping, r.mapping_source) : json(nullptr)},
          {"missing", r.missing}};
}

json hops_json(const std::vector<hop>& hops) {
  json list = json::array();
  for (std::size_t i = 0; i < hops.size(); ++i) {
    const auto& h = hops[i];
    list.push_back({{"index", i}, {"role", to_string(h.role)}, {"address", optional_string(h.address)},
                    {"status", to_string(h.status)}, {"evidence", h.evidence},
                    {"router", h.router ? router_json(*h.router) : json(nullptr)}});
  }
  return list;
}

json probe_json(const report& r) {
  const auto& ev = r.ev;
  return {{"mode", to_string(ev.mode)},
          {"agent_listening", ev.agent_listening},
          {"relay_address", ev.relay_address},
          {"client_hops", ev.client_hops ? json(*ev.client_hops) : json(nullptr)},
          {"connect_back", ev.connect_back},
          {"sweep", ev.sweep ? json(*ev.sweep) : json(nullptr)},
          {"path", ev.path ? json(*ev.path) : json(nullptr)},
          {"capture", ev.capture},
          {"firewall", ev.firewall ? json(*ev.firewall) : json(nullptr)},
          {"control_probe", ev.control_probe ? json(*ev.control_probe) : json(nullptr)},
          {"relay_rtt_ms", ev.relay_rtt_ms ? json(*ev.relay_rtt_ms) : json(nullptr)},
          {"timings", {{"local_ms", r.timings.local_ms}, {"session_ms", r.timings.session_ms},
                       {"total_ms", r.timings.total_ms}}}};
}

/// The hairpin finding and the connection it rests on.
json hairpin_json(const report& r) {
  const auto& f = r.hairpin;
  const auto& h = r.ev.hairpin;
  return {{"tested", f.tested},
          {"loops_back", f.loops_back ? json(*f.loops_back) : json(nullptr)},
          {"skipped_because", optional_string(f.skipped_because)},
          {"router", f.router ? json(*f.router) : json(nullptr)},
          {"outcome", h ? json(to_string(h->outcome)) : json(nullptr)},
          {"target", h ? json(h->target) : json(nullptr)},
          {"elapsed_ms", h ? json(h->elapsed_ms) : json(nullptr)},
          {"summary", f.summary},
          {"fix", f.fix}};
}

json report_document(const report& r) {
  const auto& v = r.result;
  return {
      {"schema", "reachback.report/1"},
      {"protocol", to_string(r.ev.protocol)},
      {"port", r.ev.port},
      {"relay", r.ev.relay},
      {"public_address", r.ev.public_address},
      {"host_os", to_string(r.ev.os)},
      {"reachable", v.reachable()},
      {"verdict", {{"cause", to_string(v.why)},
                   {"blocking_hop", v.blocking_hop() ? json(*v.blocking_hop()) : json(nullptr)},
                   {"candidates", v.candidates},
                   {"summary", v.summary},
                   {"fix", v.fix}}},
      {"hops", hops_json(v.hops)},
      {"local", r.ev.local},
      {"probe", probe_json(r)},
      {"hairpin", hairpin_json(r)},
  };
}

std::string family_key(ip_family f) { return f == ip_family::ipv4 ? "ipv4" : "ipv6"; }

/// Which families were tested, which of them failed and why, and which
/// were left out and why.
json families_json(const run_report& run) {
  json tested = json::array();
  json failed = json::array();
  json skipped = json::array();
  for (const auto& f : run.families) {
    tested.push_back(family_key(f.family));
    if (const auto* line = std::get_if<std::string>(&f.outcome))
      failed.push_back({{"family", family_key(f.family)}, {"error", *line}});
  }
  for (const auto& s : run.skipped) skipped.push_back({{"family", family_key(s.family)}, {"why", s.why}});
  return {{"tested", tested}, {"failed", failed}, {"skipped", skipped}};
}

std::string dumped(const json& doc) {
  // Banners are arbitrary bytes: replace invalid UTF-8 rather than throw.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render_json(const report& r) { return dumped(report_document(r)); }

std::string render_json(const run_report& run) {
  json doc;
  const report* ipv6 = nullptr;
  for (const auto& f : run.families) {
    const auto* r = std::get_if<report>(&f.outcome);
    if (!r) continue;
    if (doc.is_null()) {
      doc = report_document(*r);
    } else if (f.family == ip_family::ipv6) {
      ipv6 = r;
    }
  }
  if (doc.is_null()) doc = {{"schema", "reachback.report/1"}, {"reachable", false}};
  if (ipv6) doc["ipv6"] = report_document(*ipv6);
  doc["families"] = families_json(run);
  return dumped(doc);
}

}  // namespace reachback::client

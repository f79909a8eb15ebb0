// SPDX-License-Identifier: MIT
#include "fix_command.hpp"

#include <algorithm>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "client/exit_codes.hpp"
#include "client/fix_state.hpp"
#include "client/router/soap.hpp"
#include "common/address.hpp"

namespace reachback::client {
namespace {

using nlohmann::json;

json mapping_json(const mapping_spec& m) {
  json j{{"kind", to_string(m.kind)},
         {"router_name", m.router_name},
         {"router_address", m.router_address},
         {"method", to_string(m.method)},
         {"external_port", m.external_port},
         {"protocol", router::upnp_protocol(m.protocol)},
         {"internal_client", m.internal_client.empty() ? json(nullptr) : json(m.internal_client)},
         {"internal_port", m.internal_port},
         {"lease_seconds", m.lease_seconds},
         {"description", describe(m)}};
  if (m.method == map_method::upnp) {
    j["control_url"] = m.control_url;
    j["service_type"] = m.service_type;
  }
  if (!m.via.empty()) j["via"] = m.via;
  if (m.pinhole_id) j["pinhole_id"] = *m.pinhole_id;
  return j;
}

/// "not reachable: nat_no_forward at the room router 192.168.1.1"
std::string verdict_line(const verdict& v) {
  if (v.reachable()) return "reachable";
  auto line = "not reachable (" + std::string(to_string(v.why));
  if (const auto at = v.blocking_hop(); at && *at < v.hops.size()) {
    const auto& h = v.hops[*at];
    line += ", at the " + h.name + (h.address ? " " + *h.address : std::string());
  }
  return line + ")";
}

/// The families' reports of a run, IPv4 first.
std::vector<std::pair<ip_family, const report*>> reports_of(const run_report& run) {
  std::vector<std::pair<ip_family, const report*>> reports;
  for (const auto& f : run.families)
    if (const auto* r = std::get_if<report>(&f.outcome)) reports.emplace_back(f.family, r);
  return reports;
}

/// verdict_line for one family, or "IPv4 reachable; IPv6 not reachable (...)" for several.
std::string run_verdict_line(const run_report& run) {
  const auto reports = reports_of(run);
  if (reports.size() == 1) return verdict_line(reports.front().second->result);
  std::string line;
  for (const auto& [family, r] : reports)
    line += (line.empty() ? "" : "; ") + family_name(family) + " " + verdict_line(r->result);
  return line;
}

bool every_family_reachable(const run_report& run) {
  return std::all_of(run.families.begin(), run.families.end(), [](const family_report& f) {
    const auto* r = std::get_if<report>(&f.outcome);
    return r && r->result.reachable();
  });
}

/// What happened to one step of the plan.
struct change {
  mapping_spec mapping;
  std::string status;  ///< "made", "already_there", "failed", "not_tried", "undone", "undo_failed"
  std::string error;
  std::string external_address;  ///< what the router's answer says it is (PCP), or ""
};

/// The recorded mappings, or nullopt after saying on `err` why they cannot
/// be read; `verb` says what --fix or --unfix wanted the state for.
std::optional<fix_state> load_state(const fix_backend& backend, std::ostream& err, const std::string& verb) {
  if (!backend.state_path) {
    err << "probe-client: no state directory to " << verb << " (set XDG_STATE_HOME or HOME)\n";
    return std::nullopt;
  }
  auto loaded = load_fix_state(*backend.state_path);
  if (const auto* error = std::get_if<fix_state_error>(&loaded)) {
    err << "probe-client: " << error->message << '\n';
    return std::nullopt;
  }
  return std::get<fix_state>(std::move(loaded));
}

/// One --fix run: its output and the state it keeps.
class fix_run {
 public:
  fix_run(const client_options& o, const output& io, const fix_console& console, const fix_backend& backend)
      : o_(o), io_(io), console_(console), backend_(backend) {}

  int run() {
    if (!o_.assume_yes && !console_.interactive) {
      io_.err << "probe-client: --fix changes your routers and asks first, but there is no terminal to ask on: add "
                 "--yes\n";
      return exit_usage;
    }
    auto loaded = load_state(backend_, io_.err, "record the mappings in");
    if (!loaded) return exit_usage;
    state_ = std::move(*loaded);

    auto first = backend_.diagnose();
    if (const auto* failure = std::get_if<diagnosis_failure>(&first)) {
      io_.err << "probe-client: " << failure->message << '\n';
      return failure->exit_code;
    }
    before_ = std::get<run_report>(std::move(first));
    plan_all();
    if (!o_.json) io_.out << render_text(*before_, io_.colour) << '\n' << plan_text();

    if (plan_.steps.empty()) {
      const bool reachable = every_family_reachable(*before_);
      outcome_ = reachable ? "nothing_to_fix" : "refused";
      return finish(reachable ? exit_reachable : exit_fix_refused);
    }
    for (const auto& step : plan_.steps) changes_.push_back({step, "not_tried", {}, {}});
    if (!confirmed()) {
      outcome_ = "declined";
      if (!o_.json) io_.out << "No change made.\n";
      return finish(exit_fix_refused);
    }
    if (!apply()) {
      outcome_ = "failed";
      return finish(exit_fix_failed);
    }
    outcome_ = "applied";
    if (!o_.json) io_.out << "\nProbing again to verify...\n";
    auto second = backend_.diagnose();
    if (const auto* failure = std::get_if<diagnosis_failure>(&second)) {
      error_ = "the changes are made, but the verification failed: " + failure->message;
      io_.err << "probe-client: " << error_ << '\n';
      return finish(failure->exit_code);
    }
    after_ = std::get<run_report>(std::move(second));
    if (!o_.json) {
      io_.out << '\n' << render_text(*after_, io_.colour) << '\n';
      io_.out << "Before the fix: " << run_verdict_line(*before_) << ".\nAfter the fix:  "
              << run_verdict_line(*after_) << ".\n";
      io_.out << "The changes last " << lease_words() << "; `probe-client --unfix --port " << o_.port
              << "` removes them.\n";
    }
    return finish(every_family_reachable(*after_) ? exit_reachable : exit_unreachable);
  }

 private:
  const client_options& o_;
  const output& io_;
  const fix_console& console_;
  const fix_backend& backend_;
  fix_state state_;
  std::optional<run_report> before_;
  std::optional<run_report> after_;
  /// What this run changes: the steps of every family whose plan is not
  /// refused; refusals and notes of all, named by family when there are several.
  fix_plan plan_;
  std::vector<change> changes_;
  std::string outcome_;
  std::string error_;

  [[nodiscard]] std::string lease_words() const {
    return o_.lease_seconds == 0 ? "until removed" : describe_lease(o_.lease_seconds).substr(4);
  }

  /// `family`'s plan: its routers are asked for their pinhole service
  /// before a pinhole is planned on them.
  [[nodiscard]] fix_plan plan_family(const report& r) const {
    auto plan = plan_fix(r.ev, r.result, fix_settings{o_.lease_seconds});
    std::vector<pinhole_offer> offers;
    for (const auto& step : plan.steps)
      if (step.kind == change_kind::pinhole) offers.push_back(backend_.find_pinhole(step));
    if (offers.empty()) return plan;
    return settle_pinholes(std::move(plan), offers, r.result);
  }

  void plan_all() {
    const auto reports = reports_of(*before_);
    const bool several = reports.size() > 1;
    for (const auto& entry : reports) {
      const auto& r = *entry.second;
      const auto plan = plan_family(r);
      const auto prefix = several ? family_name(entry.first) + ": " : std::string();
      // A reachable family needs nothing; beside another family it goes unsaid.
      if (!(several && r.result.reachable()))
        for (const auto& line : plan.refusals) plan_.refusals.push_back(prefix + line);
      for (const auto& line : plan.notes) plan_.notes.push_back(prefix + line);
      if (!plan.refused()) plan_.steps.insert(plan_.steps.end(), plan.steps.begin(), plan.steps.end());
    }
  }

  [[nodiscard]] std::string plan_text() const {
    std::string text;
    if (plan_.steps.empty()) {
      text += "Fix (--fix): no change made:\n";
      for (const auto& line : plan_.refusals) text += "  - " + line + "\n";
      return text;
    }
    text += "Fix (--fix): reachback will make " + std::to_string(plan_.steps.size()) +
            (plan_.steps.size() == 1 ? " change" : " changes") + ", innermost router first:\n";
    for (std::size_t i = 0; i < plan_.steps.size(); ++i)
      text += "  " + std::to_string(i + 1) + ". " + describe(plan_.steps[i]) + "\n";
    for (const auto& note : plan_.notes) text += "  (" + note + ")\n";
    if (!plan_.refusals.empty()) {
      text += "Left as it is:\n";
      for (const auto& line : plan_.refusals) text += "  - " + line + "\n";
    }
    text += "They will be recorded in " + display(*backend_.state_path) + "; `probe-client --unfix --port " +
            std::to_string(o_.port) + "` removes them.\n";
    return text;
  }

  bool confirmed() {
    if (o_.assume_yes) return true;
    io_.err << "Apply " << (plan_.steps.size() == 1 ? "this change" : "these changes") << "? [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(console_.in, answer)) return false;
    answer.erase(std::remove_if(answer.begin(), answer.end(), [](char c) { return c == ' ' || c == '\r'; }),
                 answer.end());
    return answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes" || answer == "YES";
  }

  void say(const std::string& line) {
    if (!o_.json) io_.out << "  " << line << '\n';
  }

  /// Saves the state: nullopt, or why it could not be.
  [[nodiscard]] std::optional<std::string> save() const {
    if (const auto error = save_fix_state(*backend_.state_path, state_))
      return "cannot record the mappings: " + error->message;
    return std::nullopt;
  }

  void forget(const mapping_spec& m) {
    std::erase_if(state_.mappings, [&](const recorded_mapping& r) { return r.mapping == m; });
  }

  /// A UPnP router's entry for the port, read again right before mapping:
  /// the plan's evidence is seconds old, and another host may have mapped since.
  bool free_for(change& c) {
    const auto& m = c.mapping;
    // A pinhole has no entry to read by port; adding one that is there
    // already renews it under its id.
    if (m.method != map_method::upnp || m.kind == change_kind::pinhole) return true;
    const auto listed = backend_.read(m);
    if (listed.failure) {
      c.status = "failed";
      c.error = listed.failure->reason;
      return false;
    }
    if (!listed.entry) return true;
    const auto target = format_endpoint(listed.entry->internal_client, listed.entry->internal_port);
    if (points_as_recorded(*listed.entry, m)) {
      c.status = "already_there";
      say(m.router_name + " " + m.router_address + " already maps " +
          router::protocol_port_text(m.protocol, m.external_port) + " → " + target + ": left as it is");
      return true;
    }
    c.status = "failed";
    c.error = "the " + m.router_name + " already maps " + router::protocol_port_text(m.protocol, m.external_port) +
              " to " + target + ", another host; reachback never overwrites it";
    return false;
  }

  /// Makes each mapping, innermost first, recording it before it is made.
  bool apply() {
    if (!o_.json) io_.out << '\n';
    for (auto& c : changes_) {
      if (!free_for(c)) return fail(c);
      if (c.status == "already_there") continue;
      if (c.mapping.method == map_method::pcp) c.mapping.nonce = backend_.new_nonce();
      record(state_, {c.mapping, utc_timestamp(backend_.now())});
      if (auto unsaved = save()) {
        c.status = "failed";
        c.error = std::move(*unsaved);
        forget(c.mapping);
        return fail(c);
      }
      auto outcome = backend_.add(c.mapping);
      if (outcome.failure) {
        c.status = "failed";
        c.error = std::move(outcome.failure->reason);
        forget(c.mapping);
        return fail(c);
      }
      c.status = "made";
      c.external_address = std::move(outcome.external_address);
      if (outcome.pinhole_id) {
        // DeletePinhole names it by this id alone: record it before anything else.
        forget(c.mapping);
        c.mapping.pinhole_id = outcome.pinhole_id;
        record(state_, {c.mapping, utc_timestamp(backend_.now())});
        if (auto unsaved = save()) {
          c.error = std::move(*unsaved);
          return fail(c);
        }
      }
      say("done: " + describe(c.mapping));
      if (!c.external_address.empty())
        say("  the " + c.mapping.router_name + " says its external address is " + c.external_address + " (" +
            display_name(c.mapping.method) + ")");
    }
    return true;
  }

  /// Reports `failed` and undoes what this run made, outermost first.
  bool fail(const change& failed) {
    error_ = describe(failed.mapping) + ": " + failed.error;
    io_.err << "probe-client: --fix failed: " << error_ << '\n';
    for (auto it = changes_.rbegin(); it != changes_.rend(); ++it) {
      if (it->status != "made") continue;
      if (const auto failure = backend_.remove(it->mapping)) {
        it->status = "undo_failed";
        it->error = failure->reason;
        io_.err << "probe-client: could not undo " << describe(it->mapping) << ": " << failure->reason
                << " (it stays recorded: `probe-client --unfix --port " << o_.port << "` tries again)\n";
        continue;
      }
      it->status = "undone";
      forget(it->mapping);
      say("undone: " + describe(it->mapping));
    }
    if (const auto unsaved = save()) io_.err << "probe-client: " << *unsaved << '\n';
    const bool all_undone =
        std::none_of(changes_.begin(), changes_.end(), [](const change& c) { return c.status == "undo_failed"; });
    if (!o_.json && all_undone) io_.out << "No mapping made by this run is left in place.\n";
    return false;
  }

  int finish(int code) {
    if (!o_.json) return code;
    json changes = json::array();
    for (const auto& c : changes_) {
      auto j = mapping_json(c.mapping);
      j["status"] = c.status;
      j["error"] = c.error.empty() ? json(nullptr) : json(c.error);
      j["external_address"] = c.external_address.empty() ? json(nullptr) : json(c.external_address);
      changes.push_back(std::move(j));
    }
    json steps = json::array();
    for (const auto& s : plan_.steps) steps.push_back(mapping_json(s));
    const json doc{
        {"schema", "reachback.fix/1"},
        {"port", o_.port},
        {"lease_seconds", o_.lease_seconds},
        {"outcome", outcome_},
        {"error", error_.empty() ? json(nullptr) : json(error_)},
        {"state_file", display(*backend_.state_path)},
        {"before", before_ ? json::parse(render_json(*before_)) : json(nullptr)},
        {"plan", {{"refusals", plan_.refusals}, {"notes", plan_.notes}, {"steps", steps}}},
        {"changes", changes},
        {"after", after_ ? json::parse(render_json(*after_)) : json(nullptr)},
        {"exit_code", code},
    };
    io_.out << doc.dump(2) << '\n';
    return code;
  }
};

/// What --unfix did with one recorded mapping.
struct removal {
  recorded_mapping recorded;
  std::string result;  ///< "removed", "gone", "not_ours", "failed"
  std::string detail;
  bool keep_record = false;
};

/// A pinhole is deleted by its id, and only from the address it lets in:
/// the router says whether it is gone or now another host's.
removal remove_pinhole(const recorded_mapping& r, const fix_backend& backend) {
  if (lease_ran_out(r, backend.now())) return {r, "gone", "its lease ran out, so the router has dropped it", false};
  const auto failure = backend.remove(r.mapping);
  if (!failure) return {r, "removed", "removed", false};
  if (failure->upnp_error == 704) return {r, "gone", "no longer on the router (removed, or the router restarted)", false};
  if (failure->upnp_error == 606)
    return {r, "not_ours", "not ours any more (the router gave its id to another host's pinhole): left alone", false};
  return {r, "failed", failure->reason, true};
}

removal remove_one(const recorded_mapping& r, const fix_backend& backend) {
  const auto& m = r.mapping;
  if (m.kind == change_kind::pinhole) return remove_pinhole(r, backend);
  if (m.method != map_method::upnp) {
    // Gone by itself, and nothing to ask: a router asked to delete a mapping
    // it no longer has may answer with an error (miniupnpd: NO_RESOURCES).
    if (lease_ran_out(r, backend.now()))
      return {r, "gone", "its lease ran out, so the router has dropped it", false};
    // NAT-PMP deletes only what the request's source mapped, PCP only what
    // was mapped with the request's nonce: ours by construction.
    if (const auto failure = backend.remove(m)) return {r, "failed", failure->reason, true};
    return {r, "removed", "removed", false};
  }
  const auto listed = backend.read(m);
  if (listed.failure) return {r, "failed", listed.failure->reason, true};
  if (!listed.entry) return {r, "gone", "no longer on the router (its lease ran out, or it was removed)", false};
  if (!points_as_recorded(*listed.entry, m))
    return {r, "not_ours", "not ours any more (it now maps to " +
                               format_endpoint(listed.entry->internal_client, listed.entry->internal_port) + "): left alone",
            false};
  if (const auto failure = backend.remove(m)) return {r, "failed", failure->reason, true};
  return {r, "removed", "removed", false};
}

/// "room router 192.168.1.1: TCP 3000 → 192.168.1.23:3000 (UPnP, made 2026-12-01T05:30:00Z)"
std::string recorded_line(const recorded_mapping& r) {
  const auto& m = r.mapping;
  if (m.kind == change_kind::pinhole)
    return (m.router_name.empty() ? "router" : m.router_name) + " " + m.router_address + ": IPv6 pinhole for " +
           router::protocol_port_text(m.protocol, m.external_port) + " → " +
           format_endpoint(m.internal_client, m.internal_port) + " (UPnP IGD:2" +
           (m.pinhole_id ? " id " + std::to_string(*m.pinhole_id) : std::string()) + ", made " + r.created + ")";
  const auto target = m.internal_client.empty() ? "the " + m.via + "'s WAN address:" + std::to_string(m.internal_port)
                                                : format_endpoint(m.internal_client, m.internal_port);
  return (m.router_name.empty() ? "router" : m.router_name) + " " + m.router_address + ": " +
         router::protocol_port_text(m.protocol, m.external_port) + " → " + target + " (" + display_name(m.method) +
         ", made " + r.created + ")";
}

}  // namespace

fix_backend system_backend(const client_options& options, const output& io) {
  return {
      .diagnose = [&options, &io] { return diagnose_run(options, io, {.complete_router_answers = true}); },
      .add = [](const mapping_spec& m) { return add_mapping(m); },
      .remove = [](const mapping_spec& m) { return delete_mapping(m); },
      .read = [](const mapping_spec& m) { return read_mapping(m); },
      .find_pinhole = [](const mapping_spec& m) { return find_pinhole_offer(m); },
      .now = [] { return std::chrono::system_clock::now(); },
      .new_nonce = [] { return random_pcp_nonce(); },
      .state_path = fix_state_path(),
  };
}

int run_fix(const client_options& options, const output& io, const fix_console& console, const fix_backend& backend) {
  fix_run run(options, io, console, backend);
  return run.run();
}

namespace {

struct unfix_outcome {
  std::vector<removal> removals;
  fix_state kept;  ///< what stays recorded
};

// Removes what `state` records for `port`, outermost first: the reverse of
// the order they were made in.
unfix_outcome remove_recorded(const fix_state& state, std::uint16_t port, const fix_backend& backend) {
  unfix_outcome out;
  for (auto it = state.mappings.rbegin(); it != state.mappings.rend(); ++it) {
    if (it->mapping.external_port == port) out.removals.push_back(remove_one(*it, backend));
  }
  for (const auto& r : state.mappings) {
    const bool removed = std::any_of(out.removals.begin(), out.removals.end(), [&](const removal& x) {
      return x.recorded == r && !x.keep_record;
    });
    if (!removed) out.kept.mappings.push_back(r);
  }
  return out;
}

void print_unfix(const client_options& o, const output& io, const std::filesystem::path& state_path,
                 const std::vector<removal>& removals, const std::string& save_error, int code) {
  if (o.json) {
    json list = json::array();
    for (const auto& r : removals) {
      auto j = mapping_json(r.recorded.mapping);
      j["created"] = r.recorded.created;
      j["result"] = r.result;
      j["detail"] = r.detail;
      list.push_back(std::move(j));
    }
    const json doc{{"schema", "reachback.unfix/1"},
                   {"port", o.port},
                   {"state_file", display(state_path)},
                   {"mappings", list},
                   {"error", save_error.empty() ? json(nullptr) : json(save_error)},
                   {"exit_code", code}};
    io.out << doc.dump(2) << '\n';
  } else if (removals.empty()) {
    io.out << "No mapping or pinhole of port " << o.port << " is recorded in " << display(state_path)
           << ": nothing to remove.\n";
  } else {
    for (const auto& r : removals) io.out << recorded_line(r.recorded) << ": " << r.detail << '\n';
  }
  for (const auto& r : removals)
    if (r.result == "failed")
      io.err << "probe-client: could not remove " << recorded_line(r.recorded) << ": " << r.detail
             << " (it stays recorded; run --unfix again)\n";
  if (!save_error.empty()) io.err << "probe-client: " << save_error << '\n';
}

}  // namespace

int run_unfix(const client_options& o, const output& io, const fix_backend& backend) {
  const auto loaded = load_state(backend, io.err, "read the mappings from");
  if (!loaded) return exit_usage;
  const auto& state = *loaded;
  const auto outcome = remove_recorded(state, o.port, backend);
  std::string save_error;
  if (outcome.kept != state) {
    if (const auto error = save_fix_state(*backend.state_path, outcome.kept)) save_error = error->message;
  }
  const bool failed = !save_error.empty() || std::any_of(outcome.removals.begin(), outcome.removals.end(),
                                                         [](const removal& r) { return r.result == "failed"; });
  const int code = failed ? exit_fix_failed : exit_reachable;
  print_unfix(o, io, *backend.state_path, outcome.removals, save_error, code);
  return code;
}

}  // namespace reachback::client

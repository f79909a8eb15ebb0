// SPDX-License-Identifier: MIT
#include "report.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "common/address.hpp"

namespace reachback::client {
namespace {

struct palette {
  bool on = false;
  [[nodiscard]] std::string paint(std::string_view code, const std::string& text) const {
    return on ? "\x1b[" + std::string(code) + "m" + text + "\x1b[0m" : text;
  }
  [[nodiscard]] std::string bold(const std::string& t) const { return paint("1", t); }
  [[nodiscard]] std::string dim(const std::string& t) const { return paint("2", t); }
};

std::string status_word(hop_status s, const palette& p) {
  switch (s) {
    case hop_status::pass: return p.paint("32", "pass");
    case hop_status::blocked: return p.paint("1;31", "BLOCKED");
    case hop_status::not_reached: return p.paint("33", "not reached");
    case hop_status::unknown: return p.dim("unknown");
  }
  return "unknown";
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string hop_name(const hop& h) { return h.address ? h.name + " " + *h.address : h.name; }

std::string headline(const report& r, const palette& p) {
  std::string line = p.bold("reachback") + ": " + std::string(words_for(r.ev.protocol).protocol) + " port " +
                     std::to_string(r.ev.port) + " via relay " + r.ev.relay;
  if (!r.ev.public_address.empty()) line += ", public address " + r.ev.public_address;
  return line + "\n\n";
}

/// An evidence line that names one TTL, split around the number: the
/// relay's sweep lines (common/verdict_sweep.cpp), "relay SYN with TTL 7: no
/// answer after 2 attempt(s)".
struct ttl_line {
  std::string_view before;  ///< "relay SYN with TTL "
  int ttl = 0;
  std::string_view after;   ///< ": no answer after 2 attempt(s)"
};

std::optional<ttl_line> split_at_ttl(std::string_view line) {
  constexpr std::string_view mark = "TTL ";
  const auto at = line.find(mark);
  if (at == std::string_view::npos) return std::nullopt;
  const auto digits = at + mark.size();
  int ttl = 0;
  const auto* const end = line.data() + line.size();
  const auto [stop, error] = std::from_chars(line.data() + digits, end, ttl);
  const auto after = line.substr(static_cast<std::size_t>(stop - line.data()));
  if (error != std::errc{} || !after.starts_with(": ")) return std::nullopt;
  return ttl_line{line.substr(0, digits), ttl, after};
}

/// Whether `next` says what `first` said, for the TTL `offset` steps further.
bool continues_run(const ttl_line& first, const std::optional<ttl_line>& next, std::size_t offset) {
  return next && next->before == first.before && next->after == first.after &&
         next->ttl == first.ttl + static_cast<int>(offset);
}

/// One line for TTLs first.ttl..last that all said the same. "no answer after
/// 2 attempt(s)" would read as a total once it covers several TTLs.
std::string run_line(const ttl_line& first, int last) {
  constexpr std::string_view silence = ": no answer after ";
  constexpr std::string_view attempts = " attempt(s)";
  std::string after(first.after);
  if (after.starts_with(silence) && after.ends_with(attempts)) {
    const auto count = after.substr(silence.size(), after.size() - silence.size() - attempts.size());
    after = ": no answer (" + count + (count == "1" ? " attempt" : " attempts") + " each)";
  }
  return std::string(first.before) + std::to_string(first.ttl) + "–" + std::to_string(last) + after;
}

/// The evidence as the text report shows it: a run of lines that differ only
/// in a consecutive TTL becomes one line, "relay SYN with TTL 4–16: no answer
/// (2 attempts each)". The JSON report keeps every line.
std::vector<std::string> collapse_ttl_runs(const std::vector<std::string>& lines) {
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < lines.size();) {
    const auto first = split_at_ttl(lines[i]);
    std::size_t end = i + 1;
    while (first && end < lines.size() && continues_run(*first, split_at_ttl(lines[end]), end - i)) ++end;
    shown.push_back(end - i > 1 ? run_line(*first, first->ttl + static_cast<int>(end - i - 1)) : lines[i]);
    i = end;
  }
  return shown;
}

std::string hop_lines(const std::vector<hop>& hops, const palette& p) {
  std::size_t width = 0;
  for (const auto& h : hops) width = std::max(width, h.name.size() + (h.address ? h.address->size() + 1 : 0));
  std::string text;
  for (std::size_t i = 0; i < hops.size(); ++i) {
    const auto& h = hops[i];
    const auto name = hop_name(h);
    text += "  " + std::to_string(i) + "  " + pad(name, width) + "  " + status_word(h.status, p) + "\n";
    for (const auto& e : collapse_ttl_runs(h.evidence)) text += "       " + p.dim("· " + e) + "\n";
  }
  return text;
}

/// "  could be: 1 ISP hub 192.168.0.1, 2 room router 192.168.1.1", when the
/// evidence leaves more than one hop.
std::string candidate_line(const verdict& v) {
  if (v.candidates.size() < 2) return "";
  std::string text = "  could be: ";
  for (std::size_t i = 0; i < v.candidates.size(); ++i) {
    const auto index = v.candidates[i];
    if (i > 0) text += ", ";
    text += std::to_string(index) + " " + (index < v.hops.size() ? hop_name(v.hops[index]) : std::string("?"));
  }
  return text + "\n";
}

/// "  1. first step\n  2. second step\n"
std::string numbered(const std::vector<std::string>& steps) {
  std::string text;
  for (std::size_t i = 0; i < steps.size(); ++i) text += "  " + std::to_string(i + 1) + ". " + steps[i] + "\n";
  return text;
}

std::string verdict_lines(const verdict& v, const palette& p) {
  std::string text = "\n";
  if (v.reachable()) {
    text += p.paint("1;32", "REACHABLE") + "  " + v.summary + "\n";
  } else {
    std::string where;
    if (const auto blocking = v.blocking_hop()) where = " at " + hop_name(v.hops[*blocking]);
    text += p.paint("1;31", "NOT REACHABLE") + " (" + std::string(to_string(v.why)) + where + ")\n  " + v.summary + "\n";
    text += candidate_line(v);
  }
  if (!v.fix.empty()) text += "\n" + p.bold("Fix") + "\n" + numbered(v.fix);
  return text;
}

/// The hairpin line, and its fix when the public address does not loop back.
std::string hairpin_lines(const hairpin_finding& h, const palette& p) {
  if (h.summary.empty()) return "";
  return "\n" + p.bold("Hairpin") + "  " + h.summary + "\n" + numbered(h.fix);
}

}  // namespace

std::string render_text(const report& r, bool colour) {
  const palette p{colour};
  return headline(r, p) + hop_lines(r.result.hops, p) + verdict_lines(r.result, p) + hairpin_lines(r.hairpin, p);
}

std::string render_text(const run_report& run, bool colour) {
  const palette p{colour};
  const bool headed = run.families.size() > 1;
  std::string text;
  for (const auto& f : run.families) {
    if (headed) text += (text.empty() ? "" : "\n") + p.bold("── " + family_name(f.family) + " ──") + "\n";
    if (const auto* r = std::get_if<report>(&f.outcome)) {
      text += render_text(*r, colour);
    } else {
      text += p.paint("1;31", family_name(f.family) + " could not be tested") + ": " + std::get<std::string>(f.outcome) + "\n";
    }
  }
  for (const auto& s : run.skipped) text += "\n" + p.dim(family_name(s.family) + " was not tested: " + s.why + ".") + "\n";
  return text;
}

}  // namespace reachback::client

// SPDX-License-Identifier: MIT
// The fix book's side of the engine: every fix it asks for, and the steps
// of one fix in the host OS's commands with the placeholders filled in.
#include "verdict_parts.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "verdict_engine.hpp"

namespace reachback {
namespace verdict_parts {
namespace {

/// One pass, so a value that itself holds "{name}" stays as it is.
std::string fill_in(std::string_view text, const fills& values) {
  std::string out;
  std::size_t at = 0;
  for (auto open = text.find('{'); open != std::string_view::npos; open = text.find('{', at)) {
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) break;
    const auto name = text.substr(open + 1, close - open - 1);
    const auto value = std::find_if(values.begin(), values.end(), [&](const fill& f) { return f.name == name; });
    out.append(text.substr(at, open - at));
    if (value == values.end()) {
      out += '{';
      at = open + 1;
    } else {
      out += value->value;
      at = close + 1;
    }
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace

std::vector<std::string> fix_writer::steps(std::string_view id, fills values) const {
  const auto found = book_.fixes.find(id);
  // A book from config/fixes.toml has every id; a hand-made one may not.
  if (found == book_.fixes.end()) return {"(the fix book has no fix \"" + std::string(id) + "\")"};
  const auto& w = words_for(protocol_);
  values.push_back({"port", std::to_string(port_)});
  values.push_back({"protocol", std::string(w.protocol)});
  values.push_back({"protocol_lower", std::string(w.protocol_lower)});
  values.push_back({"probe", std::string(w.probe)});
  std::vector<std::string> out;
  for (const auto& step : found->second.on(os_)) out.push_back(fill_in(step, values));
  return out;
}

}  // namespace verdict_parts

const std::vector<fix_spec>& fix_catalogue() {
  static const std::vector<fix_spec> catalogue = [] {
    // fix_writer::steps() fills these in for every fix: the port and the
    // transport's words.
    const std::vector<std::string> always = {"port", "protocol", "protocol_lower", "probe"};
    const auto spec = [&](std::string id, const std::vector<std::string>& own) {
      auto names = always;
      names.insert(names.end(), own.begin(), own.end());
      return fix_spec{std::move(id), std::move(names)};
    };
    const std::vector<std::string> rule = {"kind", "listen_address", "listen_port", "connect_address", "connect_port"};
    const std::vector<std::string> range = {"first", "last", "count", "ip_version"};
    return std::vector<fix_spec>{
        spec("firewall_allow", {}),
        spec("get_capture", {}),
        spec("sweep_and_capture", {}),
        spec("forbidden_port", {}),
        spec("excluded_range", range),
        spec("excluded_range_administered", range),
        spec("stop_service", {"unit", "program"}),
        spec("stop_one_of_services", {"program", "pid", "services"}),
        spec("stop_process", {"program", "pid", "command"}),
        spec("find_holder", {}),
        spec("see_hidden_owners", {}),
        spec("portproxy_delete", rule),
        spec("portproxy_comes_back", {}),
        spec("portproxy_other_ways", {}),
        spec("portproxy_target", rule),
        spec("firewall_profile_mismatch", {"rule", "network", "profile"}),
        spec("firewall_other_program", {"rule"}),
        spec("firewall_block_rule", {"rule"}),
        spec("firewall_local_subnet", {"rule"}),
        spec("firewall_block_all_inbound", {"profile"}),
        spec("other_firewall", {}),
        spec("wrong_family_ipv6_only", {"program"}),
        spec("wrong_family_ipv4_only", {"program"}),
    };
  }();
  return catalogue;
}

}  // namespace reachback

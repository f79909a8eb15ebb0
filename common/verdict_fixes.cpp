// SPDX-License-Identifier: MIT
// The fix book's side of the engine: every fix it asks for, and the steps
// of one fix in the host OS's commands with the placeholders filled in.
#include "verdict_parts.hpp"

#include <algorithm>
#include <string>
#include <string_view>
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
  values.push_back({"port", std::to_string(port_)});
  std::vector<std::string> out;
  for (const auto& step : found->second.on(os_)) out.push_back(fill_in(step, values));
  return out;
}

}  // namespace verdict_parts

const std::vector<fix_spec>& fix_catalogue() {
  static const std::vector<fix_spec> catalogue = [] {
    const std::vector<std::string> rule = {"port", "kind", "listen_address", "listen_port", "connect_address",
                                           "connect_port"};
    const std::vector<std::string> range = {"port", "first", "last", "count", "ip_version"};
    return std::vector<fix_spec>{
        {"firewall_allow", {"port"}},
        {"get_capture", {"port"}},
        {"sweep_and_capture", {"port"}},
        {"forbidden_port", {"port"}},
        {"excluded_range", range},
        {"excluded_range_administered", range},
        {"stop_service", {"port", "unit", "program"}},
        {"stop_one_of_services", {"port", "program", "pid", "services"}},
        {"stop_process", {"port", "program", "pid", "command"}},
        {"find_holder", {"port"}},
        {"see_hidden_owners", {"port"}},
        {"portproxy_delete", rule},
        {"portproxy_comes_back", {"port"}},
        {"portproxy_other_ways", {}},
        {"portproxy_target", rule},
        {"firewall_profile_mismatch", {"port", "rule", "network", "profile"}},
        {"firewall_other_program", {"port", "rule"}},
        {"firewall_block_rule", {"port", "rule"}},
        {"firewall_local_subnet", {"port", "rule"}},
        {"firewall_block_all_inbound", {"port", "profile"}},
        {"other_firewall", {"port"}},
        {"wrong_family_ipv6_only", {"port", "program"}},
        {"wrong_family_ipv4_only", {"port", "program"}},
    };
  }();
  return catalogue;
}

}  // namespace reachback

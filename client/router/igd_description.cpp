// SPDX-License-Identifier: MIT
#include "client/router/igd_description.hpp"

#include <array>

#include "client/router/pinhole.hpp"
#include "client/router/xml_text.hpp"
#include "common/ascii_text.hpp"

namespace reachback::router {

std::optional<igd_description> parse_igd_description(std::string_view xml, const http_url& location) {
  const auto doc = parse_xml(xml);
  if (!doc) return std::nullopt;
  // The root device is the first <device>: the child of <root>, in document order.
  const auto root_device = xml_find(*doc, xml_no_parent, "device");
  if (!root_device) return std::nullopt;

  igd_description description;
  description.friendly_name = xml_child_text(*doc, *root_device, "friendlyName").value_or("");
  description.manufacturer = xml_child_text(*doc, *root_device, "manufacturer").value_or("");
  description.model_name = xml_child_text(*doc, *root_device, "modelName").value_or("");

  http_url base = location;
  // URLBase belongs to <root>; only one at the top of the tree counts.
  const auto root = doc->elements[*root_device].parent;
  const auto url_base = root == xml_no_parent ? xml_find(*doc, xml_no_parent, "URLBase")
                                              : xml_child(*doc, root, "URLBase");
  if (url_base) {
    if (const auto parsed = resolve_url(location, xml_text(doc->elements[*url_base].inner)))
      base = *parsed;
  }

  const auto services_of = [&](std::string_view type) {
    std::vector<igd_service> found;
    for (std::size_t i = 0; i < doc->elements.size(); ++i) {
      if (!reachback::iequals(doc->elements[i].name, "service")) continue;
      const auto service_type = xml_child_text(*doc, i, "serviceType");
      if (!service_type || !reachback::iequals(*service_type, type)) continue;
      const auto control = xml_child_text(*doc, i, "controlURL");
      if (!control || control->empty()) continue;
      auto control_url = resolve_url(base, *control);
      if (!control_url) continue;
      found.push_back({*service_type, std::move(*control_url)});
    }
    return found;
  };
  constexpr std::array<std::string_view, 3> preferred = {wan_ip_connection_2, wan_ip_connection_1,
                                                         wan_ppp_connection_1};
  for (const auto type : preferred) {
    auto found = services_of(type);
    description.wan_services.insert(description.wan_services.end(), found.begin(), found.end());
  }
  description.pinhole_services = services_of(wan_ipv6_firewall_control_1);
  return description;
}

}  // namespace reachback::router

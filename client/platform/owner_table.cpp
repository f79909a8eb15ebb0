// SPDX-License-Identifier: MIT
#include "client/platform/owner_table.hpp"

#include <algorithm>
#include <map>

#include "common/ascii_text.hpp"
#include "common/address.hpp"

namespace reachback::client::platform {

namespace {

using row_list = std::vector<const listener_row*>;

void append_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

std::string process_name(const process_facts* facts) {
  if (facts != nullptr && !facts->image_name.empty()) return facts->image_name;
  if (facts != nullptr && !facts->image_path.empty()) return image_name_of(facts->image_path);
  const bool denied = facts != nullptr && facts->access_denied;
  return std::string(denied ? access_denied_name : unknown_process_name);
}

void describe_image(port_owner& owner, const std::vector<process_facts>& processes) {
  const auto found = std::find_if(processes.begin(), processes.end(),
                                  [&](const process_facts& p) { return p.pid == owner.pid; });
  const auto* facts = found == processes.end() ? nullptr : &*found;
  owner.name = process_name(facts);
  if (facts != nullptr) {
    owner.image_path = facts->image_path;
    owner.access_denied = facts->access_denied;
  }
}

bool named_by_module(const service_facts& service, const row_list& held) {
  return std::any_of(held.begin(), held.end(), [&](const listener_row* row) {
    // Windows service names are case-insensitive.
    return iequals(row->owner_module, service.name);
  });
}

// svchost.exe runs many services, so those whose sockets these are come first.
void describe_services(port_owner& owner, const row_list& held,
                       const std::vector<service_facts>& services) {
  std::vector<hosted_service> named;
  std::vector<hosted_service> others;
  for (const auto& service : services) {
    if (service.pid != owner.pid) continue;
    auto& list = named_by_module(service, held) ? named : others;
    list.push_back({service.name, service.display_name});
  }
  if (!named.empty()) {
    owner.unit = named.front().name;
  } else if (others.size() == 1) {
    owner.unit = others.front().name;
  }
  owner.services = std::move(named);
  owner.services.insert(owner.services.end(), others.begin(), others.end());
}

/// "w3wp.exe (pid 5120)", or "pid 7312" when netsh printed no image.
std::string registrant_text(const http_queue_process& process) {
  const auto name = image_name_of(process.image);
  return name.empty() ? "pid " + std::to_string(process.pid) : name + " (pid " + std::to_string(process.pid) + ")";
}

/// Each http.sys URL on `port` with the processes whose queues registered
/// it: "HTTP://*:80/ (registered by w3wp.exe (pid 5120))". The URL alone
/// says what the kernel holds the port for; the process is who to stop.
std::vector<std::string> url_registrations(const std::vector<http_request_queue>& queues, std::uint16_t port) {
  std::vector<std::string> described;
  for (const auto& url : http_urls_on_port(queues, port)) {
    std::vector<std::string> registrants;
    for (const auto& queue : queues) {
      if (std::find(queue.urls.begin(), queue.urls.end(), url) == queue.urls.end()) continue;
      for (const auto& process : queue.processes) append_unique(registrants, registrant_text(process));
    }
    std::string text = url;
    for (std::size_t i = 0; i < registrants.size(); ++i)
      text += (i == 0 ? " (registered by " : ", ") + registrants[i];
    described.push_back(registrants.empty() ? text : text + ")");
  }
  return described;
}

port_owner describe_owner(int pid, const row_list& held,
                          const std::vector<process_facts>& processes,
                          const std::vector<service_facts>& services,
                          const std::vector<http_request_queue>& http_queues, std::uint16_t port) {
  port_owner owner;
  owner.pid = pid;
  for (const auto* row : held)
    append_unique(owner.addresses, format_endpoint(row->local_address, port));
  if (pid == system_pid) {
    // The kernel has no image to open; http.sys's URLs say what it holds.
    owner.name = system_process_name;
    owner.urls = url_registrations(http_queues, port);
    return owner;
  }
  describe_image(owner, processes);
  describe_services(owner, held, services);
  return owner;
}

}  // namespace

std::string image_name_of(std::string_view path) {
  const auto separator = path.find_last_of("\\/");
  return std::string(separator == std::string_view::npos ? path : path.substr(separator + 1));
}

listeners collect_listeners(const std::vector<listener_row>& rows,
                            const std::vector<process_facts>& processes,
                            const std::vector<service_facts>& services,
                            const std::vector<http_request_queue>& http_queues,
                            std::uint16_t port) {
  listeners found;
  std::map<int, row_list> by_pid;
  for (const auto& row : rows) {
    if (row.port != port) continue;
    append_unique(found.addresses, format_endpoint(row.local_address, port));
    // Windows never gives pid 0 to a listener; Wine gives it to every one.
    if (row.pid <= 0) {
      found.owners_hidden = true;
    } else {
      by_pid[row.pid].push_back(&row);
    }
  }
  for (const auto& [pid, held] : by_pid) {
    found.owners.push_back(describe_owner(pid, held, processes, services, http_queues, port));
  }
  return found;
}

}  // namespace reachback::client::platform

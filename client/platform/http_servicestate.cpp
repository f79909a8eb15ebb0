// SPDX-License-Identifier: MIT
#include "client/platform/http_servicestate.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "common/ascii_text.hpp"
#include "client/platform/text_fields.hpp"

namespace reachback::client::platform {

namespace {

// A stray CR inside a line counts as a blank, like the CR of a CRLF.
constexpr std::string_view blanks = " \t\r";
constexpr std::uint16_t http_default_port = 80;
constexpr std::uint16_t https_default_port = 443;
// netsh's "image: <?>" when it may not read the process.
constexpr std::string_view unreadable_image = "<?>";

struct netsh_line {
  std::size_t indent = 0;
  std::string_view text;  // without the indentation and trailing blanks
};

std::vector<netsh_line> content_lines(std::string_view text) {
  std::vector<netsh_line> lines;
  for (const auto line : split_lines(text)) {
    const auto indent = line.find_first_not_of(blanks);
    if (indent == std::string_view::npos) continue;
    lines.push_back({indent, trim(line, blanks)});
  }
  return lines;
}

bool is_rule(std::string_view text) {
  return text.size() >= 3 && text.find_first_not_of('-') == std::string_view::npos;
}

std::optional<std::uint16_t> default_port(std::string_view url) {
  if (istarts_with(url, "http://")) return http_default_port;
  if (istarts_with(url, "https://")) return https_default_port;
  return std::nullopt;
}

std::optional<int> whole_pid(std::string_view text) {
  const auto value = parse_unsigned<unsigned>(text);
  if (!value || *value == 0 || *value > static_cast<unsigned>(std::numeric_limits<int>::max())) {
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

// "ID: 2688, image: C:\Windows\System32\svchost.exe", with any labels.
std::optional<http_queue_process> process_line(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto comma = text.find(',', colon);
  if (comma == std::string_view::npos) return std::nullopt;
  const auto pid = whole_pid(trim(text.substr(colon + 1, comma - colon - 1), blanks));
  const auto rest = text.substr(comma + 1);
  const auto image_colon = rest.find(':');
  if (!pid || image_colon == std::string_view::npos) return std::nullopt;
  const auto image = trim(rest.substr(image_colon + 1), blanks);
  return http_queue_process{*pid, image == unreadable_image ? "" : std::string(image)};
}

// A queue as it is read: processes, each pid once, and URLs.
class queue_reader {
 public:
  void add_process(http_queue_process process) {
    const auto known = std::find_if(queue_.processes.begin(), queue_.processes.end(),
                                    [&](const auto& p) { return p.pid == process.pid; });
    if (known != queue_.processes.end()) {
      if (known->image.empty()) known->image = std::move(process.image);
    } else if (queue_.processes.size() < max_http_queue_processes) {
      queue_.processes.push_back(std::move(process));
    }
  }

  void add_url(std::string_view url) { queue_.urls.emplace_back(url); }

  // Ends the queue: kept when it has URLs and there is room.
  void finish(std::vector<http_request_queue>& queues) {
    if (!queue_.urls.empty() && queues.size() < max_http_queues)
      queues.push_back(std::move(queue_));
    queue_ = {};
  }

 private:
  http_request_queue queue_;
};

void read_item(std::string_view text, queue_reader& queue) {
  if (default_port(text)) {
    // A URL holds no blank or control character; anything after one is not netsh's.
    const auto end = std::find_if(text.begin(), text.end(),
                                  [](char c) { return static_cast<unsigned char>(c) <= ' '; });
    queue.add_url(text.substr(0, static_cast<std::size_t>(end - text.begin())));
  } else if (const auto pid = whole_pid(text)) {
    queue.add_process({*pid, ""});
  } else if (auto process = process_line(text)) {
    queue.add_process(std::move(*process));
  }
}

}  // namespace

http_servicestate parse_http_servicestate(std::string_view text) {
  http_servicestate state;
  const auto lines = content_lines(text);
  if (lines.empty()) return state;
  const auto top = std::min_element(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
                     return a.indent < b.indent;
                   })->indent;
  queue_reader queue;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    if (is_rule(line.text)) {
      state.recognised = state.recognised || (i > 0 && lines[i - 1].text.back() == ':');
      continue;
    }
    if (line.indent == top) queue.finish(state.queues);
    read_item(line.text, queue);
  }
  queue.finish(state.queues);
  return state;
}

std::optional<std::uint16_t> http_url_port(std::string_view url) {
  const auto port = default_port(url);
  if (!port) return std::nullopt;
  auto authority = url.substr(url.find("://") + 3);
  authority = authority.substr(0, std::min(authority.find('/'), authority.size()));
  // The host: a bracketed IPv6 literal, or everything up to the first ':'.
  const bool bracketed = authority.starts_with('[');
  const auto host_end =
      bracketed ? authority.find(']') : std::min(authority.find(':'), authority.size());
  if (host_end == std::string_view::npos || host_end == (bracketed ? 1 : 0)) return std::nullopt;
  auto rest = authority.substr(bracketed ? host_end + 1 : host_end);
  if (rest.empty()) return port;
  if (rest.front() != ':') return std::nullopt;
  rest.remove_prefix(1);
  // The IP-bound form "HOST:PORT:IP" carries the address after the port.
  const auto explicit_port = parse_unsigned<std::uint16_t>(rest.substr(0, rest.find(':')));
  if (!explicit_port || *explicit_port == 0) return std::nullopt;
  return explicit_port;
}

std::vector<std::string> http_urls_on_port(const std::vector<http_request_queue>& queues,
                                           std::uint16_t port) {
  std::vector<std::string> urls;
  std::set<std::string_view> seen;
  for (const auto& queue : queues) {
    for (const auto& url : queue.urls) {
      if (http_url_port(url) == port && seen.insert(url).second) urls.push_back(url);
    }
  }
  return urls;
}

}  // namespace reachback::client::platform

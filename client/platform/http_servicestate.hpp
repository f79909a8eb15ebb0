// SPDX-License-Identifier: MIT
#pragma once
// Pure parser for `netsh http show servicestate view=requestq verbose=no`:
// the http.sys request queues, the processes that serve each one and the
// URLs routed to it. A port held by pid 4 ("System") is held by http.sys for
// one of these URLs.
//
// Windows translates netsh's labels ("Request queue name:", "Process IDs:",
// "Registered URLs:") and its title, so the parser reads no label. It keys
// on what stays the same in every language:
//   - A queue starts at each line of the least indentation ("Request queue
//     name: ..." in the request-queue view); everything more indented below
//     it, down to the next such line, belongs to that queue.
//   - A line starting with "http://" or "https://" (any case) is a URL
//     registered on the queue.
//   - A line of digits alone is a process id (older Windows: "Process IDs:"
//     then one id per line).
//   - A line shaped "LABEL: DIGITS, LABEL: TEXT" is a process id and its
//     image (Windows 10 1809 and later: "ID: 2688, image: C:\...\svchost.exe";
//     netsh prints "<?>" for an image it may not read).
//   - A title line ending in ':' underlined with dashes marks netsh's output.
// Limits:
//   - Only the request-queue view: the session view lists URLs under server
//     sessions, apart from the processes.
//   - An IIS application pool started on demand has no process attached
//     until its first request: its URLs come with no process. The "Controller
//     process ID" line (WAS) is a labelled number like any other and is not
//     read.
//   - The services netsh lists below a process ("Services:", "Tagged
//     Service:") are labelled text, so they are not read.
//   - netsh writes in the console's OEM code page; an image path with
//     characters outside ASCII may come out mangled. URLs are ASCII.
//   - Output with no indentation at all puts every line in a queue of its
//     own: the URLs are still found, without their processes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reachback::client::platform {

/// A process attached to an http.sys request queue.
struct http_queue_process {
  int pid = 0;        ///< the process id netsh printed
  std::string image;  ///< full path as netsh printed it, or "" when it printed none or "<?>"
  bool operator==(const http_queue_process&) const = default;
};

/// One http.sys request queue that has URLs registered.
struct http_request_queue {
  /// Processes serving the queue; empty when none is attached (IIS demand start).
  std::vector<http_queue_process> processes;
  /// Registered URLs as netsh prints them, e.g. "HTTP://+:80/", "HTTPS://*:443/APP/".
  std::vector<std::string> urls;
  bool operator==(const http_request_queue&) const = default;
};

/// What one run of `netsh http show servicestate view=requestq` said.
struct http_servicestate {
  /// The text had netsh's shape: a title ending in ':' underlined with dashes.
  /// false for an error message or anything else; queues may still be found.
  bool recognised = false;
  /// Queues with at least one URL, in the order netsh printed them.
  std::vector<http_request_queue> queues;
  bool operator==(const http_servicestate&) const = default;
};

/// Most processes kept per queue and most queues kept; netsh prints a
/// handful of each, and the caps keep garbage input from growing without end.
inline constexpr std::size_t max_http_queue_processes = 256;
inline constexpr std::size_t max_http_queues = 4096;

/// Parses netsh's output (see the file comment for what it relies on).
/// Never throws on bad input; garbage gives no queues.
[[nodiscard]] http_servicestate parse_http_servicestate(std::string_view text);

/// The TCP port an http.sys URL listens on: "HTTP://+:8080/" gives 8080,
/// "https://*/app/" 443, "HTTP://[::1]:81/" 81, and the IP-bound form
/// "HTTP://127.0.0.1:8000:127.0.0.1/" 8000. nullopt for anything that is not
/// an http or https URL with a host and a port in 1..65535.
[[nodiscard]] std::optional<std::uint16_t> http_url_port(std::string_view url);

/// The URLs of `queues` that listen on `port`, in order, each once.
[[nodiscard]] std::vector<std::string> http_urls_on_port(
    const std::vector<http_request_queue>& queues, std::uint16_t port);

}  // namespace reachback::client::platform

// SPDX-License-Identifier: MIT
// netsh http servicestate fuzz target: the parser must never crash, and what
// it returns must keep its promises: queues with URLs only, URLs that start
// with a scheme and hold no blank or control character, each pid once and
// positive, the caps kept, the same answer for Windows line ends, and URLs
// picked per port that listen on that port. Built for libFuzzer with clang,
// and driven by fuzz_replay.cpp otherwise.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "client/platform/http_servicestate.hpp"
#include "common/ascii_text.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::client::platform;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("http_servicestate_fuzz", what, input);
}

bool has_scheme(std::string_view url) {
  return reachback::istarts_with(url, "http://") || reachback::istarts_with(url, "https://");
}

void check_queue(const http_request_queue& queue, std::string_view input) {
  if (queue.urls.empty()) fail("a queue without URLs", input);
  if (queue.processes.size() > max_http_queue_processes) fail("too many processes", input);
  std::set<int> pids;
  for (const auto& process : queue.processes) {
    if (process.pid <= 0) fail("a pid that is not positive", input);
    if (!pids.insert(process.pid).second) fail("a pid listed twice", input);
  }
  for (const auto& url : queue.urls) {
    if (!has_scheme(url)) fail("a URL without http:// or https://", input);
    if (std::any_of(url.begin(), url.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= ' '; }))
      fail("a URL with a blank or control character", input);
    const auto port = http_url_port(url);
    if (port && *port == 0) fail("port 0", input);
  }
}

void check_ports(const http_servicestate& state, std::string_view input) {
  for (const auto& queue : state.queues) {
    for (const auto& url : queue.urls) {
      const auto port = http_url_port(url);
      if (!port) continue;
      const auto on_port = http_urls_on_port(state.queues, *port);
      if (std::find(on_port.begin(), on_port.end(), url) == on_port.end())
        fail("a URL missing from its own port", input);
      for (const auto& other : on_port) {
        if (http_url_port(other) != port) fail("a URL picked for another port", input);
      }
    }
  }
}

std::string with_crlf(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto state = parse_http_servicestate(input);
  if (state.queues.size() > max_http_queues) fail("too many queues", input);
  for (const auto& queue : state.queues) check_queue(queue, input);
  check_ports(state, input);
  // netsh on Windows ends lines with CRLF; a stray CR of the input's own
  // would stay in its line, so compare only inputs without one.
  if (input.find('\r') == std::string_view::npos &&
      !(parse_http_servicestate(with_crlf(input)) == state))
    fail("CRLF line ends changed the result", input);
  return 0;
}

// SPDX-License-Identifier: MIT
#include "relay_session.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "common/address.hpp"
#include "common/asio_compat.hpp"
#include "common/codec.hpp"
#include "common/elapsed.hpp"
#include "client/platform/socket_options.hpp"
#include "common/protocol_error.hpp"
#include "version.hpp"

namespace reachback::client {
namespace {

using namespace asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;
using asio::ip::tcp;

/// Thrown inside the session to leave it with a message; caught once below.
struct session_error {
  std::string message;
};

std::string printable_line(std::string_view bytes) {
  std::string line;
  for (const char c : bytes.substr(0, 60)) {
    if (c == '\r' || c == '\n') break;
    line += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return line;
}

[[noreturn]] void cannot_connect(const std::string& name, std::error_code ec) {
  if (ec == asio::error::connection_refused)
    throw session_error{"relay " + name + ": connection refused (is probe-relay running there?)"};
  throw session_error{"relay " + name + ": cannot connect: " + ec.message()};
}

struct connection {
  tcp::socket socket;
  tcp::endpoint relay;  ///< the address connected to; getpeername fails before a Fast Open SYN left
  std::string name;  ///< HOST:PORT as the user gave it
  clock::time_point deadline;
  std::string buffer;

  [[noreturn]] void fail(const std::string& what) const { throw session_error{"relay " + name + ": " + what}; }
  [[noreturn]] void timed_out(std::string_view stage) const {
    fail("no answer " + std::string(stage) + " before the timeout");
  }
};

/// Turns an error frame from the relay into its line.
[[noreturn]] void relay_said_error(const connection& c, const protocol::error& e) { c.fail(relay_error_line(e)); }

[[noreturn]] void undecodable(const connection& c, std::error_code ec) {
  if (ec == protocol::errc::bad_magic) {
    const auto line = printable_line(c.buffer);
    c.fail("not a reachback relay" + (line.empty() ? std::string() : " (it answered \"" + line + "\")"));
  }
  if (ec == protocol::errc::unsupported_version) {
    const auto theirs = protocol::peek_version(c.buffer);
    c.fail("protocol version mismatch: the relay speaks version " + std::to_string(theirs.value_or(0)) +
           ", this probe-client speaks version " + std::to_string(protocol::version));
  }
  c.fail("sent an invalid frame: " + ec.message());
}

asio::awaitable<protocol::message> read_message(connection& c, std::string_view stage) {
  for (;;) {
    const auto result = protocol::decode(c.buffer);
    if (const auto* d = std::get_if<protocol::decoded>(&result)) {
      c.buffer.erase(0, d->consumed);
      if (const auto* e = std::get_if<protocol::error>(&d->msg)) relay_said_error(c, *e);
      co_return d->msg;
    }
    if (const auto* ec = std::get_if<std::error_code>(&result)) undecodable(c, *ec);
    char chunk[4096];
    auto read = co_await (c.socket.async_read_some(asio::buffer(chunk), use_nothrow) || expire_at(c.deadline));
    if (read.index() == 1) c.timed_out(stage);
    auto [ec, n] = std::get<0>(read);
    // With a Fast Open cookie the connect returned before the SYN left, so a
    // relay that is not running shows up here, as a refusal of the SYN.
    if (ec == asio::error::connection_refused) cannot_connect(c.name, ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset)
      c.fail((c.buffer.empty() ? "closed the connection " : "closed the connection in the middle of a frame ") +
             std::string(stage));
    if (ec) c.fail("read failed " + std::string(stage) + ": " + ec.message());
    c.buffer.append(chunk, n);
  }
}

template <typename Expected>
asio::awaitable<Expected> expect(connection& c, std::string_view stage) {
  auto msg = co_await read_message(c, stage);
  if (auto* m = std::get_if<Expected>(&msg)) co_return std::move(*m);
  c.fail("sent an unexpected message " + std::string(stage));
}

// The messages are a named local at the call site, never a temporary inside
// the co_await expression: g++ 12 destroys such temporaries twice.
asio::awaitable<void> send(connection& c, std::vector<protocol::message> messages) {
  std::string frames;
  for (const auto& m : messages) frames += protocol::encode(m);
  auto sent = co_await (asio::async_write(c.socket, asio::buffer(frames), use_nothrow) || expire_at(c.deadline));
  if (sent.index() == 1) c.timed_out("while sending");
  if (auto [ec, n] = std::get<0>(sent); ec) c.fail("send failed: " + ec.message());
}

asio::awaitable<tcp::resolver::results_type> resolve(const client_options& o, clock::time_point deadline,
                                                     const std::string& name) {
  tcp::resolver resolver(co_await asio::this_coro::executor);
  const auto service = std::to_string(o.relay.port);  // a named local: see send()
  auto r = co_await (resolver.async_resolve(o.relay.host, service, use_nothrow) || expire_at(deadline));
  if (r.index() == 1) throw session_error{"relay " + name + ": name lookup timed out"};
  auto [ec, results] = std::get<0>(r);
  if (ec) throw session_error{"relay host '" + o.relay.host + "' does not resolve: " + ec.message()};
  co_return results;
}

// One endpoint after another, like asio::async_connect, but with TCP Fast
// Open asked for on each socket before it connects (relay/fast_open.hpp).
// Sets `connected` to the endpoint that took the connection.
asio::awaitable<std::error_code> connect_any(tcp::socket& socket, const tcp::resolver::results_type& endpoints,
                                             tcp::endpoint& connected) {
  std::error_code last = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    std::error_code ignored;
    socket.close(ignored);
    socket.open(entry.endpoint().protocol(), last);
    if (last) continue;
    std::ignore = platform::enable_fast_open_connect(socket);
    std::tie(last) = co_await socket.async_connect(entry.endpoint(), use_nothrow);
    if (!last) {
      connected = entry.endpoint();
      break;
    }
  }
  co_return last;
}

/// The relay's endpoints to try: the one address this family's run dials,
/// or whatever the name resolves to.
asio::awaitable<tcp::resolver::results_type> relay_endpoints(const client_options& o, clock::time_point deadline,
                                                             const std::string& name) {
  if (o.relay_address.empty()) co_return co_await resolve(o, deadline, name);
  const auto address = asio::ip::make_address(o.relay_address);
  co_return tcp::resolver::results_type::create(tcp::endpoint(address, o.relay.port), o.relay_address,
                                                std::to_string(o.relay.port));
}

asio::awaitable<connection> connect(const client_options& o) {
  const auto deadline = clock::now() + o.timeout;
  const auto name = format_endpoint(o.relay.host, o.relay.port);
  auto endpoints = co_await relay_endpoints(o, deadline, name);
  tcp::socket socket(co_await asio::this_coro::executor);
  tcp::endpoint relay;
  auto r = co_await (connect_any(socket, endpoints, relay) || expire_at(deadline));
  if (r.index() == 1) throw session_error{"relay " + name + ": no answer to the connection attempt before the timeout"};
  if (const auto ec = std::get<0>(r)) cannot_connect(name, ec);
  co_return connection{std::move(socket), relay, name, deadline, {}};
}

// How long to wait, once the handshake is reported, for the greeting or the
// relay's answer: one and a half round trips (connect_ms is one). That is
// enough for a server that speaks first or answers the greeting, and for
// the agent's proof to reach the relay when the greeting itself was lost,
// so one lost segment never turns our agent into a foreign peer. The floor
// absorbs jitter on short paths; the ceiling is the relay's default banner
// timeout. A silent peer costs no more than this.
std::chrono::milliseconds answer_wait(double connect_ms) {
  const auto wait = std::chrono::milliseconds(static_cast<long>(connect_ms * 1.5));
  return std::clamp(wait, std::chrono::milliseconds(50), std::chrono::milliseconds(1'000));
}

// After the result, the answer is evidence, not a requirement: a relay that
// fails now leaves the client with what it already has.
asio::awaitable<std::optional<protocol::probe_answer>> read_answer(connection& c, std::string nonce) {
  try {
    auto msg = co_await read_message(c, "while waiting for the answer");
    if (auto* answer = std::get_if<protocol::probe_answer>(&msg); answer && answer->nonce == nonce)
      co_return std::move(*answer);
  } catch (const session_error&) {
  }
  co_return std::nullopt;
}

asio::awaitable<bool> greeting_before(const session_hooks& hooks, clock::time_point until) {
  // Not `hooks.agent_greeted && co_await ...`: g++ 12 miscompiles a co_await
  // inside a short-circuit condition.
  if (hooks.agent_greeted) {
    const bool greeted = co_await hooks.agent_greeted();
    if (greeted) co_return true;
  }
  co_await expire_at(until);
  co_return false;
}

asio::awaitable<void> await_answer(connection& c, const session_hooks& hooks, relay_exchange& out) {
  const auto start = clock::now();
  const auto until = std::min(c.deadline, start + answer_wait(out.result.connect_back.connect_ms));
  auto first = co_await (read_answer(c, out.result.nonce) || greeting_before(hooks, until));
  if (first.index() == 0) {
    out.answer = std::move(std::get<0>(first));
  } else {
    out.agent_greeted = std::get<1>(first);
  }
  out.answer_wait_ms = ms_since(start);
}

asio::awaitable<relay_exchange> exchange(const client_options& o, protocol::probe_request request,
                                         const session_hooks& hooks) {
  auto c = co_await connect(o);
  relay_exchange out;
  if (hooks.on_connected) hooks.on_connected(unmap_v4(c.relay.address().to_string()));
  // A TCP probe needs nothing from the welcome, so it travels in the same
  // segment as the hello: one round trip less to the verdict. A UDP probe
  // waits for the welcome: a relay without udp_probe would probe TCP instead.
  const bool udp = request.protocol == protocol::protocol_udp;
  std::vector<protocol::message> opening = {protocol::hello{std::string(project_version), o.token}};
  if (!udp) opening.emplace_back(request);
  co_await send(c, std::move(opening));
  out.welcome = co_await expect<protocol::welcome>(c, "after hello");
  if (udp) {
    if (const auto missing = missing_capability(request, out.welcome)) c.fail(*missing);
    std::vector<protocol::message> probe = {request};
    co_await send(c, std::move(probe));
  }
  if (hooks.on_welcome) hooks.on_welcome(out.welcome);
  out.result = co_await expect<protocol::probe_result>(c, "while probing");
  if (out.result.nonce != request.nonce) c.fail("answered a different probe (nonce mismatch)");
  // UDP has no handshake: its probe_result is final, and nothing follows it.
  if (out.result.connect_back.outcome != connect_outcome::connected || udp) co_return out;
  out.answer_awaited = !hooks.answer_worth_waiting || hooks.answer_worth_waiting();
  if (out.answer_awaited) co_await await_answer(c, hooks, out);
  co_return out;
}

}  // namespace

std::optional<std::string> missing_capability(const protocol::probe_request& request,
                                              const protocol::welcome& welcome) {
  if (request.protocol != protocol::protocol_udp) return std::nullopt;
  const auto& offered = welcome.capabilities;
  if (std::find(offered.begin(), offered.end(), protocol::capability_udp_probe) != offered.end()) return std::nullopt;
  return "cannot probe UDP ports (its welcome lacks \"" + std::string(protocol::capability_udp_probe) + "\"; relay version " +
         welcome.relay_version + "): upgrade probe-relay there, or use a relay that has it";
}

std::string relay_error_line(const protocol::error& e) {
  switch (e.code) {
    case protocol::wire_error::unsupported_version:
      return "protocol version mismatch: " + e.text + " (this probe-client speaks version " +
             std::to_string(protocol::version) + ")";
    case protocol::wire_error::internal:
      // Out of descriptors or ports, say: the relay probed nothing it could
      // report, so there is no verdict to give, only a retry to suggest.
      return std::string(relay_overloaded) + " (" + e.text + ")";
    default:
      return "refused the request: " + std::string(protocol::to_string(e.code)) + ": " + e.text;
  }
}

std::variant<std::vector<std::string>, relay_failure> resolve_relay(const client_options& options) {
  asio::io_context ctx{1};
  std::variant<std::vector<std::string>, relay_failure> resolved = relay_failure{"relay name lookup did not finish"};
  const auto name = format_endpoint(options.relay.host, options.relay.port);
  asio::co_spawn(ctx, resolve(options, clock::now() + options.timeout, name),
                 [&](const std::exception_ptr& e, const tcp::resolver::results_type& results) {
                   if (!e) {
                     std::vector<std::string> addresses;
                     for (const auto& r : results) addresses.push_back(unmap_v4(r.endpoint().address().to_string()));
                     resolved = std::move(addresses);
                     return;
                   }
                   try {
                     std::rethrow_exception(e);
                   } catch (const session_error& failure) {
                     resolved = relay_failure{failure.message};
                   }
                 });
  ctx.run();
  return resolved;
}

asio::awaitable<std::variant<relay_exchange, relay_failure>> run_relay_session(const client_options& options,
                                                                              protocol::probe_request request,
                                                                              session_hooks hooks) {
  try {
    co_return co_await exchange(options, std::move(request), hooks);
  } catch (const session_error& e) {
    co_return relay_failure{e.message};
  } catch (const std::exception& e) {
    // e.g. no thread for the path trace: still one line and exit 3.
    co_return relay_failure{"relay session failed: " + std::string(e.what())};
  }
}

}  // namespace reachback::client

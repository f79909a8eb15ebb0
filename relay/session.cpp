// SPDX-License-Identifier: MIT
#include "relay/session.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/asio_compat.hpp"

#include "common/codec.hpp"
#include "common/evidence_json.hpp"
#include "common/protocol_error.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/listen_address.hpp"
#include "relay/session_rules.hpp"
#include "relay/source_prefix.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;

namespace {

using std::chrono::milliseconds;

constexpr milliseconds max_write_time{5'000};
constexpr milliseconds max_close_time{1'000};
constexpr std::size_t read_chunk = 4096;

// What the relay waits for next, which names the deadline that passed.
struct awaited {
  std::string_view what;  ///< "hello", "probe request", "complete frame"
  milliseconds within{0};
};

// The session's whole-session and idle deadlines, watched by one timer.
// The idle clock runs only while the relay waits for the client's next
// frame; when it restarts earlier than the timer is set, or the session is
// shed, the timer is poked so the watchdog re-arms.
class session_deadlines {
 public:
  session_deadlines(steady_clock::time_point start, milliseconds session_limit)
      : session_end_(start + session_limit), idle_end_(steady_clock::time_point::max()) {}

  [[nodiscard]] steady_clock::time_point next() const noexcept {
    return std::min(idle_end_, session_end_);
  }
  [[nodiscard]] bool session_over(steady_clock::time_point now) const noexcept {
    return now >= session_end_;
  }
  [[nodiscard]] bool shed() const noexcept { return shed_; }
  [[nodiscard]] const awaited& waiting_for() const noexcept { return awaited_; }
  void expect_frame_within(awaited next_frame) {
    awaited_ = next_frame;
    end_idle_at(steady_clock::now() + next_frame.within);
  }
  // Ends the session now: the limiter gave its slot to a newcomer.
  void shed_now() {
    shed_ = true;
    end_idle_at(steady_clock::now());
  }
  void relay_working() noexcept { idle_end_ = steady_clock::time_point::max(); }
  void watch_with(asio::steady_timer* timer) noexcept { timer_ = timer; }
  [[nodiscard]] bool take_rearm() noexcept { return std::exchange(rearm_, false); }

 private:
  void end_idle_at(steady_clock::time_point idle_end) {
    const bool earlier = idle_end < next();
    idle_end_ = idle_end;
    if (earlier && timer_ != nullptr && timer_->cancel() > 0) {
      rearm_ = true;
    }
  }

  steady_clock::time_point session_end_;
  steady_clock::time_point idle_end_;
  awaited awaited_;
  asio::steady_timer* timer_ = nullptr;
  bool rearm_ = false;
  bool shed_ = false;
};

struct session {
  asio::ip::tcp::socket& socket;
  relay_shared& shared;
  asio::ip::tcp::endpoint peer;
  asio::ip::address local;  ///< the relay's address on this connection; probes leave from it
  std::string source;  ///< the peer's prefix, the key of the per-source limits
  source_limiter::session_id id = 0;  ///< in the limiter, once admitted
  session_origin origin;
  session_deadlines deadlines;
  session_summary summary;
  std::string input;  ///< received bytes not yet decoded
  /// Until the welcome, a frame is a stranger's: it must stay cheap.
  std::size_t payload_limit = protocol::max_payload_before_welcome;
  /// The control connection's RTT, which the probes' waits follow; with Fast
  /// Open the kernel measures it only once the handshake's last ACK is in.
  rtt_reader control_rtt;

  [[nodiscard]] milliseconds idle() const { return shared.config.timeouts.idle; }
  // Waits for the client's next frame; the limiter may shed the session meanwhile.
  void expect(std::string_view what, milliseconds within) {
    deadlines.expect_frame_within({what, std::min(within, idle())});
    shared.limiter.set_idle(id, true);
  }
  void frame_arrived() { shared.limiter.set_idle(id, false); }
  [[nodiscard]] milliseconds write_time() const { return std::min(idle(), max_write_time); }
};

enum class frame_status { message, undecodable, closed };

struct frame_read {
  frame_status status = frame_status::closed;
  protocol::message msg;
  std::error_code error;
};

// Appends what the socket has to s.input, at most read_chunk bytes. Called
// once the socket is readable, so a would-block is only a spurious wakeup.
// The chunk is on the thread's stack, not in a session's coroutine frame,
// and not zeroed: only the n bytes read_some fills are used.
std::error_code read_available(session& s) {
  std::array<char, read_chunk> chunk;
  std::error_code ec;
  const auto n = s.socket.read_some(asio::buffer(chunk), ec);
  s.input.append(chunk.data(), n);
  return ec == asio::error::would_block ? std::error_code{} : ec;
}

// An idle session holds no read buffer: it waits for readability and then
// reads what arrived into s.input, sized to it. (A 4 KiB chunk per
// waiting read was a third of an idle session's memory.)
asio::awaitable<frame_read> read_frame(session& s) {
  for (;;) {
    auto decoded = protocol::decode(std::span<const char>(s.input), s.payload_limit);
    if (auto* frame = std::get_if<protocol::decoded>(&decoded)) {
      frame_read read{frame_status::message, std::move(frame->msg), {}};
      s.input.erase(0, frame->consumed);
      co_return read;
    }
    if (const auto* ec = std::get_if<std::error_code>(&decoded)) {
      co_return frame_read{frame_status::undecodable, {}, *ec};
    }
    // The codec rejects an oversized header at once; this only keeps the
    // buffer bounded should it ever ask for more than one frame's worth.
    if (s.input.size() > protocol::header_size + protocol::max_payload) {
      co_return frame_read{frame_status::undecodable, {}, protocol::errc::frame_too_large};
    }
    auto [ec] = co_await s.socket.async_wait(asio::ip::tcp::socket::wait_read, use_nothrow);
    if (!ec) ec = read_available(s);
    if (ec) {
      co_return frame_read{frame_status::closed, {}, ec};
    }
  }
}

protocol::error rate_limited(const session& s) {
  return {protocol::wire_error::rate_limited,
          "more than " + std::to_string(s.shared.limiter.limits().probes_per_minute) +
              " probe requests a minute from " + s.source};
}

// g++ 12 can destroy a temporary of a co_await expression twice (a double
// free here): every co_await below takes named values, moved in.
asio::awaitable<bool> send(session& s, protocol::message msg) {
  const auto frame = protocol::encode(msg);
  const auto ec = co_await write_all(s.socket, frame, s.write_time());
  co_return !ec;
}

asio::awaitable<void> refuse(session& s, protocol::error error) {
  s.summary.outcomes.push_back(error_outcome(error.code));
  co_await send(s, std::move(error));
}

asio::awaitable<bool> greet(session& s) {
  s.expect("hello", s.shared.config.timeouts.hello);
  auto frame = co_await read_frame(s);
  s.frame_arrived();
  if (frame.status == frame_status::closed) {
    co_return false;
  }
  if (frame.status == frame_status::undecodable) {
    auto error = error_for_decode_failure(frame.error, s.input, s.payload_limit);
    co_await refuse(s, std::move(error));
    co_return false;
  }
  const auto* hello = std::get_if<protocol::hello>(&frame.msg);
  if (hello == nullptr) {
    auto error = bad_request("expected hello, got " + std::string(message_name(frame.msg)));
    co_await refuse(s, std::move(error));
    co_return false;
  }
  if (auto denied = check_hello(*hello, s.shared.config.tokens)) {
    co_await refuse(s, std::move(*denied));
    co_return false;
  }
  protocol::message welcome = make_welcome(
      s.peer, s.origin.client_hops,
      {.ttl_sweep = s.shared.probes.sweep_enabled, .syn_ttl = s.origin.syn_ttl});
  s.payload_limit = protocol::max_payload;
  co_return co_await send(s, std::move(welcome));
}

asio::awaitable<bool> handle_probe(session& s, const protocol::probe_request& request) {
  if (auto invalid = check_probe_request(request)) {
    co_await refuse(s, std::move(*invalid));
    co_return false;
  }
  const auto now = steady_clock::now();
  if (!s.shared.limiter.allow_probe(s.source, now)) {
    auto error = rate_limited(s);
    co_await refuse(s, std::move(error));
    co_return false;
  }
  if (!s.shared.nonces.first_use(request.nonce, now)) {
    auto error = reused_nonce(
        std::chrono::duration_cast<std::chrono::minutes>(nonce_memory::default_window).count());
    co_await refuse(s, std::move(error));
    co_return false;
  }
  s.summary.ports.push_back(request.port);
  s.deadlines.relay_working();
  // s.peer, never anything from the request: see the invariant in probe.hpp.
  auto run = co_await run_probe(s.peer, s.local, request, s.shared.probes, s.control_rtt,
                                s.origin.client_hops);
  auto& connect_back = run.result.connect_back;
  s.summary.outcomes.emplace_back(to_string(connect_back.outcome));
  if (run.result.rtt_ms) s.summary.rtt_ms = std::llround(*run.result.rtt_ms);
  if (!run.open) {
    co_return co_await send(s, std::move(run.result));
  }
  auto handshake = connect_back;
  if (request.early_result) {
    // The client's agent may already know it was reached: report the
    // handshake now, and who answered when the answer is in.
    if (!co_await send(s, std::move(run.result))) {
      co_return false;
    }
  }
  auto answered = co_await read_answer(std::move(*run.open), std::move(handshake), request.nonce);
  s.summary.outcomes.back() = to_string(answered.outcome);
  if (request.early_result) {
    protocol::probe_answer answer{request.nonce, std::move(answered)};
    co_return co_await send(s, std::move(answer));
  }
  run.result.connect_back = std::move(answered);
  co_return co_await send(s, std::move(run.result));
}

asio::awaitable<void> serve(session& s) {
  if (!co_await greet(s)) {
    co_return;
  }
  // A welcomed client sends its first request at once; a session that
  // holds its slot without one is dropped soon, not after the idle time.
  s.expect("probe request", s.shared.config.timeouts.request);
  for (;;) {
    auto frame = co_await read_frame(s);
    s.frame_arrived();
    if (frame.status == frame_status::closed) {
      co_return;
    }
    if (frame.status == frame_status::undecodable) {
      auto error = error_for_decode_failure(frame.error, s.input, s.payload_limit);
      co_await refuse(s, std::move(error));
      co_return;
    }
    if (const auto* request = std::get_if<protocol::probe_request>(&frame.msg)) {
      if (!co_await handle_probe(s, *request)) {
        co_return;
      }
      s.expect("complete frame", s.idle());
    } else if (std::holds_alternative<protocol::error>(frame.msg)) {
      co_return;  // the client said why it leaves; there is nothing to answer
    } else {
      auto error =
          bad_request("unexpected " + std::string(message_name(frame.msg)) + " after hello");
      co_await refuse(s, std::move(error));
      co_return;
    }
  }
}

// Turns an unexpected exception into an `internal` error frame. When the
// watchdog has won, the exception is the cancellation itself: stay quiet.
asio::awaitable<void> serve_guarded(session& s) {
  std::string failure;
  try {
    co_await serve(s);
    co_return;
  } catch (const std::exception& e) {
    failure = e.what();
  }
  const auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled();
  if (cancelled != asio::cancellation_type::none) {
    co_return;
  }
  s.shared.log("probe-relay: session with " + s.summary.client + " failed: " + failure);
  protocol::error error{protocol::wire_error::internal, "the relay failed: " + failure};
  co_await refuse(s, std::move(error));
}

// Completes when the session's next deadline passes; returns early, and
// quietly, when serve() finishes first and the || cancels it.
asio::awaitable<void> watchdog(session_deadlines& deadlines) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  deadlines.watch_with(&timer);
  struct unwatch {
    session_deadlines& d;
    ~unwatch() { d.watch_with(nullptr); }
  } guard{deadlines};
  while (deadlines.next() > steady_clock::now()) {
    timer.expires_at(deadlines.next());
    const auto [ec] = co_await timer.async_wait(use_nothrow);
    if (ec == asio::error::operation_aborted && !deadlines.take_rearm()) {
      co_return;
    }
  }
}

protocol::error deadline_error(const session& s) {
  if (s.deadlines.shed()) {
    return {protocol::wire_error::too_many_sessions,
            "the relay is full; this idle session was closed to admit another"};
  }
  if (s.deadlines.session_over(steady_clock::now())) {
    return {protocol::wire_error::idle_timeout,
            "the session limit of " + std::to_string(s.shared.config.timeouts.session.count()) +
                " ms was reached"};
  }
  const auto& waited = s.deadlines.waiting_for();
  return {protocol::wire_error::idle_timeout, "no " + std::string(waited.what) + " within " +
                                                  std::to_string(waited.within.count()) + " ms"};
}

// Holds a session's place in the limiter and the way to shed it; gives
// both back when the session ends.
class admission {
 public:
  admission(relay_shared& shared, source_limiter::session_id id, std::function<void()> shed)
      : shared_(shared), id_(id) {
    shared_.shedders.emplace(id_, std::move(shed));
  }
  ~admission() {
    shared_.shedders.erase(id_);
    shared_.limiter.end_session(id_);
  }
  admission(const admission&) = delete;
  admission& operator=(const admission&) = delete;

 private:
  relay_shared& shared_;
  source_limiter::session_id id_;
};

// Closes the session the limiter displaced to admit a newcomer.
void shed(relay_shared& shared, std::optional<source_limiter::session_id> victim) {
  if (!victim) {
    return;
  }
  // The victim's watchdog wakes and ends it later, on this thread; nothing
  // here touches the map while the handler runs.
  if (const auto it = shared.shedders.find(*victim); it != shared.shedders.end()) {
    it->second();
  }
}

}  // namespace

relay_shared::relay_shared(config::relay_config relay_config, log_sink sink)
    : config(std::move(relay_config)),
      probes(probe_settings_from(config)),
      limiter(config.limits),
      nonces(),
      shedders(),
      log(std::move(sink)) {
  log.observe_sessions([this](const session_summary& summary) { metrics.record(summary); });
}

asio::awaitable<void> run_session(asio::ip::tcp::socket socket,
                                  std::shared_ptr<relay_shared> shared, session_origin origin) {
  const auto started = steady_clock::now();
  // One error code per call: a second call that succeeds must not hide a
  // failed first one (a session once ran for client=0.0.0.0:0 that way).
  asio::error_code peer_error;
  asio::error_code local_error;
  const auto peer = socket.remote_endpoint(peer_error);
  const auto local = socket.local_endpoint(local_error);
  if (peer_error || local_error) {
    co_return;  // the client left before it could be looked at
  }
  // read_available reads after a readiness wait and must never block.
  asio::error_code mode_error;
  socket.non_blocking(true, mode_error);
  if (mode_error) {
    co_return;
  }
  session s{.socket = socket,
            .shared = *shared,
            .peer = peer,
            .local = local.address(),
            .source = source_prefix(peer.address(), shared->config.limits),
            .origin = origin,
            .deadlines = session_deadlines(started, shared->config.timeouts.session),
            .summary = {},
            .input = {},
            .control_rtt = rtt_of(socket)};
  s.summary.client = endpoint_text(peer);

  auto admitted = shared->limiter.begin_session(s.source, started);
  if (auto* over_limit = std::get_if<protocol::error>(&admitted)) {
    auto error = std::move(*over_limit);
    co_await refuse(s, std::move(error));
  } else {
    const auto& place = std::get<source_limiter::admitted>(admitted);
    s.id = place.id;
    const admission held(*shared, s.id, [&s] { s.deadlines.shed_now(); });
    shed(*shared, place.shed);
    const auto ended = co_await (serve_guarded(s) || watchdog(s.deadlines));
    if (ended.index() == 1) {
      auto error = deadline_error(s);
      co_await refuse(s, std::move(error));
    }
  }
  co_await close_gracefully(socket, std::min(s.idle(), max_close_time));

  s.summary.ended = std::chrono::system_clock::now();
  s.summary.duration = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
  shared->log.session(s.summary);
}

}  // namespace reachback::relay

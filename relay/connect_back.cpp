// SPDX-License-Identifier: MIT
#include "relay/connect_back.hpp"

#include <array>
#include <variant>

#include "common/asio_compat.hpp"
#include "common/elapsed.hpp"
#include "relay/dial.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/listen_address.hpp"
#include "relay/proof.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;

namespace {

// Reads until the bytes prove our agent or clearly do not, or `deadline`.
asio::awaitable<std::string> read_reply(asio::ip::tcp::socket& socket, const std::string& nonce,
                                        steady_clock::time_point deadline) {
  std::string received;
  std::array<char, max_banner> chunk{};
  while (judge_reply(received, nonce, false) == reply_judgement::need_more) {
    const auto now = steady_clock::now();
    if (now >= deadline) {
      break;
    }
    const auto room = max_banner - received.size();
    auto outcome =
        co_await (socket.async_read_some(asio::buffer(chunk.data(), room), use_nothrow) ||
                  expire_after(deadline - now));
    if (outcome.index() == 1) {
      break;
    }
    const auto [ec, n] = std::get<0>(outcome);
    received.append(chunk.data(), n);
    if (ec) {
      break;
    }
  }
  co_return received;
}

void record_reply(connect_back_result& result, const std::string& received,
                  const std::string& nonce) {
  if (judge_reply(received, nonce, true) == reply_judgement::verified) {
    result.outcome = connect_outcome::verified;
    return;
  }
  result.outcome = connect_outcome::foreign;
  result.banner = banner_of(received);
  result.silent = received.empty();
}

asio::awaitable<dial_result> dial_after(dial_route route, probe_deadline deadline,
                                        dial_close close) {
  co_await deadline.clock->wait_until(deadline.start, deadline.kind, 4);
  const auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled();
  if (cancelled != asio::cancellation_type::none) {
    // The first attempt answered during the pause: send no second SYN.
    const auto executor = co_await asio::this_coro::executor;
    co_return dial_result{.attempt = {}, .socket = asio::ip::tcp::socket(executor)};
  }
  co_return co_await dial(route, std::nullopt, deadline, close);
}

// Small enough for the socket buffer, so it does not hold up the handshake
// report; a peer that does not read it only loses the greeting.
asio::awaitable<void> write_greeting(asio::ip::tcp::socket& socket, const std::string& greeting) {
  if (!greeting.empty()) {
    co_await asio::async_write(socket, asio::buffer(greeting), use_nothrow);
  }
}

}  // namespace

asio::awaitable<first_dial> dial_with_retry(dial_route route, probe_clock& clock,
                                            dial_close close) {
  const probe_deadline deadline{&clock, &deadlines::connect, steady_clock::now()};
  auto either = co_await (dial(route, std::nullopt, deadline, close) ||
                          dial_after(route, deadline, close));
  const int attempt = static_cast<int>(either.index()) + 1;
  co_return first_dial{std::visit([](auto& dialed) { return std::move(dialed); }, either), attempt};
}

asio::awaitable<or_local_failure<dialed_back>> dial_back(dial_route route, std::string greeting,
                                                        connect_back_settings settings,
                                                        probe_clock& clock) {
  const auto started = steady_clock::now();
  dialed_back out;
  auto& result = out.result;
  result.dialed_address = address_text(route.target.address());
  result.port = route.target.port();
  // Closed gracefully: our agent reads the greeting and writes its proof.
  auto first = co_await dial_with_retry(route, clock, dial_close::graceful);
  auto& dialed = first.dialed;
  if (auto failed = local_failure_of(dialed.attempt, "connect-back")) co_return std::move(*failed);
  result.attempts = first.attempt;
  result.source_port = dialed.source_port;
  result.connect_ms = dialed.attempt.elapsed_ms;
  if (dialed.attempt.connected) {
    result.outcome = connect_outcome::connected;
    co_await write_greeting(dialed.socket, greeting);
    out.open = open_connect_back{std::move(dialed.socket), started,
                                 steady_clock::now() + settings.banner};
  } else {
    const auto failure = classify_connect_failure(dialed.attempt);
    result.outcome = failure.outcome;
    result.icmp = failure.icmp;
  }
  result.total_ms = ms_since(started);
  co_return std::move(out);
}

asio::awaitable<connect_back_result> read_answer(open_connect_back open,
                                                 connect_back_result handshake,
                                                 std::string nonce) {
  const auto received = co_await read_reply(open.socket, nonce, open.answer_due);
  record_reply(handshake, received, nonce);
  asio::error_code ignored;
  open.socket.close(ignored);
  handshake.total_ms = ms_since(open.started);
  co_return handshake;
}

}  // namespace reachback::relay

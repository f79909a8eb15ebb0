// SPDX-License-Identifier: MIT
#include "relay/connect_back.hpp"

#include <array>
#include <variant>

#include "common/asio_compat.hpp"
#include "relay/dial.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/listen_address.hpp"
#include "relay/proof.hpp"

namespace reachback::relay {


using namespace asio::experimental::awaitable_operators;

namespace {

// Reads until the bytes prove our agent or clearly do not, within `timeout`.
asio::awaitable<std::string> read_reply(asio::ip::tcp::socket& socket, const std::string& nonce,
                                        std::chrono::milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
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

asio::awaitable<dial_result> dial_after(dial_route route, std::chrono::milliseconds delay,
                                       std::chrono::milliseconds timeout) {
  co_await expire_after(delay);
  co_return co_await dial(route, std::nullopt, timeout - delay);
}

struct first_dial {
  dial_result dialed;
  int attempt = 1;  ///< which attempt answered (or ran out last)
};

/// Both attempts share one deadline, so a timeout never beats an answer.
asio::awaitable<first_dial> first_answer(dial_route route, std::chrono::milliseconds timeout) {
  auto either = co_await (dial(route, std::nullopt, timeout) || dial_after(route, timeout / 4, timeout));
  const int attempt = static_cast<int>(either.index()) + 1;
  co_return first_dial{std::visit([](auto& dialed) { return std::move(dialed); }, either), attempt};
}

}  // namespace

asio::awaitable<connect_back_result> connect_back(dial_route route,
                                                  std::string nonce,
                                                  connect_back_settings settings) {
  const auto start = steady_clock::now();
  connect_back_result result;
  result.dialed_address = address_text(route.target.address());
  result.port = route.target.port();
  auto first = co_await first_answer(route, settings.connect);
  auto& dialed = first.dialed;
  result.attempts = first.attempt;
  result.source_port = dialed.source_port;
  result.connect_ms = dialed.attempt.elapsed_ms;
  if (dialed.attempt.connected) {
    const auto received = co_await read_reply(dialed.socket, nonce, settings.banner);
    record_reply(result, received, nonce);
    asio::error_code ignored;
    dialed.socket.close(ignored);
  } else {
    const auto failure = classify_connect_failure(dialed.attempt);
    result.outcome = failure.outcome;
    result.icmp = failure.icmp;
  }
  result.total_ms = elapsed_ms(start);
  co_return result;
}

}  // namespace reachback::relay

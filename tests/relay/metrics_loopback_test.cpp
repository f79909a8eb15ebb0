// SPDX-License-Identifier: MIT
// The Prometheus endpoint of an in-process relay, scraped over loopback.

#include <gtest/gtest.h>

#include <string>

#include "loopback_harness.hpp"

namespace reachback::relay::test {
namespace {

using namespace asio::experimental::awaitable_operators;

config::relay_config config_with_metrics() {
  auto config = loopback_config();
  config.metrics_listen = "127.0.0.1:0";
  return config;
}

// Sends `request` and reads the answer until the endpoint closes.
asio::awaitable<void> scrape(tcp::endpoint endpoint, std::string request, std::string& answer) {
  auto socket = co_await connect_to(endpoint);
  co_await send_bytes(socket, std::move(request));
  std::string chunk(4096, '\0');
  for (;;) {
    const auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_nothrow);
    if (ec) {
      co_return;
    }
    answer.append(chunk, 0, n);
  }
}

TEST(RelayMetricsEndpoint, IsOffUnlessConfigured) {
  const loopback_relay relay;
  EXPECT_EQ(relay.metrics_endpoint(), std::nullopt);
}

TEST(RelayMetricsEndpoint, CountsTheSessionsTheLogWrote) {
  loopback_relay relay(config_with_metrics());
  const closed_port closed(relay.context());
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame(), probe_frame(closed.number(), false)}, t)));
  ASSERT_TRUE(relay.wait_for_log_lines(1));
  std::string answer;
  ASSERT_TRUE(relay.run(scrape(*relay.metrics_endpoint(), "GET /metrics HTTP/1.1\r\n\r\n", answer)));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer;
  EXPECT_NE(answer.find("\nreachback_relay_sessions_total 1\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\nreachback_relay_probes_total{outcome=\"refused\"} 1\n"),
            std::string::npos)
      << answer;
}

TEST(RelayMetricsEndpoint, AnOversizedRequestGetsBadRequestAndIsClosed) {
  loopback_relay relay(config_with_metrics());
  std::string answer;
  ASSERT_TRUE(relay.run(scrape(*relay.metrics_endpoint(),
                               "GET /metrics HTTP/1.1\r\nX: " + std::string(4096, 'a'), answer)));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 Bad Request\r\n")) << answer;
}

}  // namespace
}  // namespace reachback::relay::test

// SPDX-License-Identifier: MIT
// write_all and close_gracefully on a loopback connection: the relay's
// frames go out whole, a peer that never reads cannot hold a write past its
// deadline, and a close with the peer's bytes still unread is no reset.
#include "relay/io_timeouts.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <ostream>
#include <string>
#include <system_error>
#include <utility>

#include "common/asio_compat.hpp"

namespace reachback::relay {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

// Both ends of one loopback connection.
struct connection {
  tcp::socket relay_end;
  tcp::socket peer_end;
};

connection connect_pair(asio::io_context& ctx) {
  tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket peer(ctx);
  peer.connect(acceptor.local_endpoint());
  return {acceptor.accept(), std::move(peer)};
}

// Runs `work` on `ctx` until it finishes; fails the test when it is still
// running after 10 s (a hang, never a timing assertion).
void run(asio::io_context& ctx, asio::awaitable<void> work) {
  bool finished = false;
  ctx.restart();
  asio::co_spawn(ctx, std::move(work), [&finished](const std::exception_ptr& failure) {
    finished = true;
    rethrow_failure(failure);
  });
  ctx.run_for(10s);
  ASSERT_TRUE(finished) << "still running after 10 s";
}

// Reads until EOF or an error: eof for a graceful close.
struct read_to_end {
  std::string received;
  std::error_code ended_by;
};

asio::awaitable<void> read_all(tcp::socket& socket, read_to_end& out) {
  std::array<char, 4096> chunk{};
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_nothrow);
    out.received.append(chunk.data(), n);
    if (ec) {
      out.ended_by = ec;
      co_return;
    }
  }
}

// write_all, then the end of what this side sends.
asio::awaitable<void> write_and_finish(tcp::socket& socket, std::string bytes,
                                       std::chrono::milliseconds timeout, std::error_code& out) {
  out = co_await write_all(socket, bytes, timeout);
  asio::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

// write_all, then close_gracefully.
asio::awaitable<void> write_and_close(tcp::socket& socket, std::string bytes) {
  (void)co_await write_all(socket, bytes, 1s);
  co_await close_gracefully(socket, 5s);
}

// The peer reads to the end, then closes its side too.
asio::awaitable<void> read_and_close(tcp::socket& socket, read_to_end& out) {
  co_await read_all(socket, out);
  socket.close();
}

// A non-blocking socket (the relay's control connections) takes the
// frame in one write; a blocking one goes through the timed wait.
struct socket_mode {
  std::string name;
  bool non_blocking;
  friend void PrintTo(const socket_mode& m, std::ostream* os) { *os << m.name; }
};

class WriteAllFrame : public testing::TestWithParam<socket_mode> {};

TEST_P(WriteAllFrame, GoesOutWhole) {
  asio::io_context ctx{1};
  auto ends = connect_pair(ctx);
  ends.relay_end.non_blocking(GetParam().non_blocking);
  std::error_code written;
  read_to_end seen;
  run(ctx, write_and_finish(ends.relay_end, "RB frame", 1s, written));
  run(ctx, read_all(ends.peer_end, seen));
  EXPECT_FALSE(written) << written.message();
  EXPECT_EQ(seen.received, "RB frame");
}

INSTANTIATE_TEST_SUITE_P(
    Modes, WriteAllFrame,
    testing::Values(socket_mode{"non_blocking_writes_at_once", true},
                    socket_mode{"blocking_waits_for_the_socket", false}),
    [](const auto& p) { return p.param.name; });

// More than both socket buffers hold: the first write takes a part, and
// the rest waits for a reader that never comes until the deadline.
TEST(WriteAll, APeerThatNeverReadsTimesTheWriteOut) {
  asio::io_context ctx{1};
  auto ends = connect_pair(ctx);
  ends.relay_end.non_blocking(true);
  ends.relay_end.set_option(asio::socket_base::send_buffer_size(4096));
  ends.peer_end.set_option(asio::socket_base::receive_buffer_size(4096));
  std::error_code written;
  run(ctx, write_and_finish(ends.relay_end, std::string(std::size_t{8} << 20, 'x'), 200ms, written));
  EXPECT_EQ(written, std::make_error_code(std::errc::timed_out)) << written.message();
}

// The peer's bytes are never read by the relay's side; closing gracefully
// drains them, so the peer gets the last frame and then EOF, not a reset.
TEST(CloseGracefully, UnreadInputDoesNotResetTheFrameJustSent) {
  using namespace asio::experimental::awaitable_operators;
  asio::io_context ctx{1};
  auto ends = connect_pair(ctx);
  ends.relay_end.non_blocking(true);
  asio::write(ends.peer_end, asio::buffer(std::string(1000, 'q')));
  read_to_end seen;
  run(ctx, write_and_close(ends.relay_end, "last frame") && read_and_close(ends.peer_end, seen));
  EXPECT_EQ(seen.received, "last frame");
  EXPECT_EQ(seen.ended_by, asio::error::eof) << seen.ended_by.message();
  EXPECT_FALSE(ends.relay_end.is_open());
}

}  // namespace
}  // namespace reachback::relay

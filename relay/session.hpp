// SPDX-License-Identifier: MIT
#pragma once
// One control session: admission against the limits, hello/welcome, then
// probe_request -> probe_result until the client leaves, a frame is bad, a
// limit is hit or a deadline passes. Every refusal is an error frame.

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#include "common/asio_compat.hpp"

#include "config/relay_config.hpp"
#include "relay/nonce_memory.hpp"
#include "relay/metrics.hpp"
#include "relay/probe.hpp"
#include "relay/session_log.hpp"
#include "relay/source_limiter.hpp"

namespace reachback::relay {

/// What every session of one relay shares. One io_context thread, no locks.
struct relay_shared {
  /// Derives the probe settings and the limiter from `relay_config`; the
  /// metrics count every session the log writes.
  relay_shared(config::relay_config relay_config, log_sink sink);
  relay_shared(const relay_shared&) = delete;  // the log's observer points here
  relay_shared& operator=(const relay_shared&) = delete;

  config::relay_config config;  ///< as loaded, after --listen
  probe_settings probes;        ///< from config, with the sweep's hard bounds
  source_limiter limiter;       ///< per-source and overall admission
  nonce_memory nonces;          ///< nonces probed with lately, refused again
  /// How to close each admitted session early, when the limiter sheds it.
  std::unordered_map<source_limiter::session_id, std::function<void()>> shedders;
  log_sink log;                 ///< where session lines and notices go
  relay_metrics metrics;        ///< what the Prometheus endpoint shows
};

/// What the listener learned about a connection when it accepted it.
struct session_origin {
  std::optional<int> client_hops;  ///< from the saved SYN, if it was kept
  bool syn_ttl = false;            ///< the listener saves SYNs
};

/// Runs one control connection to its end and logs one line for it. Takes
/// the socket by value: the session owns it.
[[nodiscard]] asio::awaitable<void> run_session(asio::ip::tcp::socket socket,
                                                std::shared_ptr<relay_shared> shared,
                                                session_origin origin);

}  // namespace reachback::relay

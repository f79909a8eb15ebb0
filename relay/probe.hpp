// SPDX-License-Identifier: MIT
#pragma once
// One probe request carried out: the connect-back and, when asked for and
// enabled, the TTL sweep and the control probe, run together, up to the
// point where the result can be reported; the connect-back's answer, when
// it connected, is read after (read_answer in connect_back.hpp). A UDP
// request gets the UDP probe (udp_probe.hpp) and the UDP sweep instead,
// with no control probe, and its answer is in the result.
//
// SECURITY INVARIANT: the relay dials, and sends datagrams to, only the
// control connection's remote address. probe_request carries no address
// and run_probe takes none but the control peer's, so no client can point
// the relay at a third party. The control probe dials that same address,
// on a port the relay picks.

#include <chrono>
#include <optional>
#include <stdexcept>

#include "common/asio_compat.hpp"

#include "common/messages.hpp"
#include "config/relay_config.hpp"
#include "relay/connect_back.hpp"
#include "relay/control_probe.hpp"
#include "relay/deadlines.hpp"
#include "relay/probe_clock.hpp"
#include "relay/sweep_plan.hpp"

namespace reachback::relay {

/// How probes are run, from the relay config.
struct probe_settings {
  connect_back_settings connect_back;  ///< the banner wait
  bool sweep_enabled = true;           ///< sweep.enabled: run it when asked
  sweep_limits sweep;                  ///< sweep.* after the hard bounds
  deadline_limits deadlines;           ///< the waits, from the control connection's RTT
  /// Where the control probe goes; tests pick a port they listen on.
  control_port_picker pick_control_port = random_control_port;
};

/// probe_settings from the relay config, with the sweep's hard bounds applied.
[[nodiscard]] probe_settings probe_settings_from(const config::relay_config& config);

/// The longest run_probe can take under `settings`, whatever the RTT.
[[nodiscard]] std::chrono::milliseconds worst_case_duration(const probe_settings& settings);

/// Thrown by run_probe when a part of the probe could not be carried out
/// for want of the relay's own resources (a local_failure, whose text it
/// carries): nothing can be reported about the network then. The session
/// turns it, as any exception, into an `internal` error frame and a log line.
class local_failure_error : public std::runtime_error {
 public:
  explicit local_failure_error(const local_failure& failure) : std::runtime_error(failure.what) {}
};

/// A probe up to its report. When the connect-back connected, its outcome
/// is `connected` and `open` holds the connection whose answer is unread.
struct probe_run {
  protocol::probe_result result;
  std::optional<open_connect_back> open;
};

/// Probes `request.port` at the address of `control_peer`, from
/// `control_local`, the relay's own address on that control connection,
/// with waits set from the control connection's RTT as `read_rtt` reports
/// it. The connect-back (or the UDP probe), the sweep and the control probe
/// run concurrently; each failure is a value. `client_hops` (from the
/// client's SYN, when kept) bounds the UDP sweep's TTLs (max_ttl_toward).
/// Throws local_failure_error when any part failed for the relay's own
/// reasons (out of descriptors, ports or buffers), once every part is done.
[[nodiscard]] asio::awaitable<probe_run> run_probe(
    asio::ip::tcp::endpoint control_peer, asio::ip::address control_local,
    protocol::probe_request request, probe_settings settings, rtt_reader read_rtt,
    std::optional<int> client_hops);

}  // namespace reachback::relay

// SPDX-License-Identifier: MIT
#pragma once
// Pure parser for Windows Defender Firewall's log (pfirewall.log), a W3C
// extended log: "#Fields:" names the columns, then one packet per line:
//   2026-12-01 10:00:00 DROP TCP 203.0.113.7 192.168.1.20 40000 3000 60 S 1234 0 64240 - - - RECEIVE

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace reachback::client::platform {

/// Where Windows writes the log unless a profile names another file.
inline constexpr std::string_view default_firewall_log_path =
    "%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log";

/// How much of the log's end is read: the probe's SYNs are the newest lines,
/// and the file grows to several MiB.
inline constexpr std::size_t firewall_log_tail_bytes = std::size_t{256} * 1024;

/// The column of each field that matters, counted from 0.
/// The defaults are the documented order, for a tail that starts below the
/// "#Fields:" line.
struct firewall_log_columns {
  std::size_t action = 2;    ///< "action"
  std::size_t protocol = 3;  ///< "protocol"
  std::size_t src_ip = 4;    ///< "src-ip"
  std::size_t dst_ip = 5;    ///< "dst-ip"
  std::size_t src_port = 6;  ///< "src-port"
  std::size_t dst_port = 7;  ///< "dst-port"
  /// nullopt when the log has no path column.
  std::optional<std::size_t> path = 16;
  bool operator==(const firewall_log_columns&) const = default;
};

/// The columns named by a "#Fields: date time action ..." line; nullopt
/// when it is not such a line or lacks one of the required fields.
[[nodiscard]] std::optional<firewall_log_columns> parse_log_fields(std::string_view line);

/// One logged packet; the views point into the line.
struct firewall_log_record {
  std::string_view action;    ///< "DROP", "ALLOW", "OPEN", "CLOSE", ...
  std::string_view protocol;  ///< "TCP", "UDP", "ICMP", or a number
  std::string_view src_ip;                ///< the sender's address, as Windows printed it
  std::string_view dst_ip;                ///< this host's address, as Windows printed it
  std::optional<std::uint16_t> src_port;  ///< nullopt for "-"
  std::optional<std::uint16_t> dst_port;  ///< nullopt for "-"
  std::string_view path;  ///< "RECEIVE", "SEND", "FORWARD", or "" when not logged
  bool operator==(const firewall_log_record&) const = default;
};

/// Parses one record line; nullopt for a header ("#..."), a blank line or
/// a line with too few fields.
[[nodiscard]] std::optional<firewall_log_record> parse_log_line(std::string_view line,
                                                                const firewall_log_columns& columns);

/// Whether `log_text` (the log's tail) holds a DROP of TCP from
/// `relay_address` to local port `port` on the receive path. Uses the last
/// "#Fields:" line before each record, the documented order otherwise. The
/// caller bounds the text (firewall_log_tail_bytes).
[[nodiscard]] bool log_shows_drop(std::string_view log_text, std::string_view relay_address,
                                  std::uint16_t port);

}  // namespace reachback::client::platform

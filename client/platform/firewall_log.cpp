// SPDX-License-Identifier: MIT
#include "client/platform/firewall_log.hpp"

#include <algorithm>
#include <vector>

#include "common/ascii_text.hpp"
#include "client/platform/ip_literal.hpp"
#include "client/platform/text_fields.hpp"

namespace reachback::client::platform {

namespace {

constexpr std::string_view fields_prefix = "#Fields:";

std::optional<std::size_t> column_of(const std::vector<std::string_view>& names, std::string_view name) {
  const auto found = std::find_if(names.begin(), names.end(),
                                  [name](std::string_view n) { return iequals(n, name); });
  if (found == names.end()) return std::nullopt;
  return static_cast<std::size_t>(found - names.begin());
}

std::optional<std::uint16_t> port_field(std::string_view field) {
  return parse_unsigned<std::uint16_t>(field);
}

// The log prints addresses as Windows formats them; comparing the parsed
// bytes keeps "2001:DB8::7" and "2001:db8::7" (or a mapped IPv4) equal.
bool same_address(std::string_view logged, std::string_view relay) {
  const auto a = parse_ip(logged);
  const auto b = parse_ip(relay);
  if (a && b) return *a == *b;
  return !logged.empty() && iequals(logged, relay);
}

bool is_relay_drop(const firewall_log_record& record, std::string_view relay_address,
                   std::uint16_t port) {
  const bool receive = record.path.empty() || record.path == "-" || iequals(record.path, "RECEIVE");
  return iequals(record.action, "DROP") &&
         (iequals(record.protocol, "TCP") || record.protocol == "6") && receive &&
         record.dst_port == port && same_address(record.src_ip, relay_address);
}

}  // namespace

std::optional<firewall_log_columns> parse_log_fields(std::string_view line) {
  line = without_line_end(line);
  if (line.substr(0, fields_prefix.size()) != fields_prefix) return std::nullopt;
  const auto names = split_fields(line.substr(fields_prefix.size()));
  const auto action = column_of(names, "action");
  const auto protocol = column_of(names, "protocol");
  const auto src_ip = column_of(names, "src-ip");
  const auto dst_ip = column_of(names, "dst-ip");
  const auto src_port = column_of(names, "src-port");
  const auto dst_port = column_of(names, "dst-port");
  if (!action || !protocol || !src_ip || !dst_ip || !src_port || !dst_port) return std::nullopt;
  return firewall_log_columns{*action, *protocol, *src_ip, *dst_ip, *src_port, *dst_port,
                              column_of(names, "path")};
}

std::optional<firewall_log_record> parse_log_line(std::string_view line,
                                                  const firewall_log_columns& columns) {
  line = without_line_end(line);
  if (line.empty() || line.front() == '#') return std::nullopt;
  const auto fields = split_fields(line);
  const auto last = std::max({columns.action, columns.protocol, columns.src_ip, columns.dst_ip,
                              columns.src_port, columns.dst_port});
  if (fields.size() <= last) return std::nullopt;
  firewall_log_record record;
  record.action = fields[columns.action];
  record.protocol = fields[columns.protocol];
  record.src_ip = fields[columns.src_ip];
  record.dst_ip = fields[columns.dst_ip];
  record.src_port = port_field(fields[columns.src_port]);
  record.dst_port = port_field(fields[columns.dst_port]);
  if (columns.path && *columns.path < fields.size()) record.path = fields[*columns.path];
  return record;
}

bool log_shows_drop(std::string_view log_text, std::string_view relay_address, std::uint16_t port) {
  std::optional<firewall_log_columns> columns = firewall_log_columns{};
  for (const auto line : split_lines(log_text)) {
    if (line.substr(0, fields_prefix.size()) == fields_prefix) {
      // Records under a "#Fields:" line that lacks a needed field cannot be
      // read safely, so they are skipped until the next usable header.
      columns = parse_log_fields(line);
      continue;
    }
    if (!columns) continue;
    const auto record = parse_log_line(line, *columns);
    if (record && is_relay_drop(*record, relay_address, port)) return true;
  }
  return false;
}

}  // namespace reachback::client::platform

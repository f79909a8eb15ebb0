// SPDX-License-Identifier: MIT
#include "client_config.hpp"

#include "common/address.hpp"
#include "common/messages.hpp"
#include "seconds_range.hpp"
#include "toml_reading.hpp"

namespace reachback::config {
namespace {

// The client resolves names and defaults the port, as for --relay.
std::string check_relay(std::string_view text) {
  return parse_host_port(text, protocol::default_relay_port).has_value()
             ? std::string()
             : "must be HOST[:PORT] with PORT 1-65535";
}

}  // namespace

client_config parse_client_config(std::string_view toml_text, std::string_view source,
                                  client_config base) {
  const auto document = detail::parse_toml(toml_text, source);
  detail::table_reader reader(document, source);
  reader.read("relay", base.relay, check_relay);
  reader.read_seconds("timeout_seconds", base.timeout, client_timeout_range);
  reader.read("token", base.token, detail::check_trimmed);
  reader.finish();
  return base;
}

client_config load_client_config(const std::filesystem::path& file, client_config base) {
  return parse_client_config(detail::read_text_file(file), file.string(), std::move(base));
}

}  // namespace reachback::config

// SPDX-License-Identifier: MIT
#include "fix_state.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "client/router/soap.hpp"

namespace reachback::client {
namespace {

using nlohmann::json;

constexpr std::string_view hex_digits = "0123456789abcdef";

std::string hex(const router::pcp_nonce& nonce) {
  std::string text;
  for (const auto byte : nonce) {
    text += hex_digits[byte >> 4];
    text += hex_digits[byte & 0xf];
  }
  return text;
}

std::optional<router::pcp_nonce> nonce_from_hex(std::string_view text) {
  router::pcp_nonce nonce{};
  if (text.size() != 2 * nonce.size()) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto digit = hex_digits.find(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
    if (digit == std::string_view::npos) return std::nullopt;
    nonce[i / 2] = static_cast<std::uint8_t>(static_cast<std::size_t>(nonce[i / 2]) << 4U | digit);
  }
  return nonce;
}

json mapping_json(const recorded_mapping& r) {
  const auto& m = r.mapping;
  json j{{"kind", to_string(m.kind)},
         {"router_name", m.router_name},
         {"router_address", m.router_address},
         {"method", to_string(m.method)},
         {"external_port", m.external_port},
         {"protocol", router::upnp_protocol(m.protocol)},
         {"internal_client", m.internal_client},
         {"internal_port", m.internal_port},
         {"lease_seconds", m.lease_seconds},
         {"created", r.created}};
  if (m.method == map_method::upnp) {
    j["control_url"] = m.control_url;
    j["service_type"] = m.service_type;
  }
  if (!m.via.empty()) j["via"] = m.via;
  if (m.method == map_method::pcp) j["nonce"] = hex(m.nonce);
  if (m.pinhole_id) j["pinhole_id"] = *m.pinhole_id;
  return j;
}

/// `field` of `j` as T, or a line that names what is wrong.
template <typename T>
T field(const json& j, const char* name, std::size_t index) {
  const auto found = j.find(name);
  const auto where = "mapping " + std::to_string(index + 1) + ": ";
  if (found == j.end()) throw std::runtime_error(where + "no \"" + name + "\"");
  try {
    return found->get<T>();
  } catch (const json::exception&) {
    throw std::runtime_error(where + "\"" + name + "\" has the wrong type");
  }
}

std::uint16_t port_field(const json& j, const char* name, std::size_t index) {
  const auto value = field<std::int64_t>(j, name, index);
  if (value < 1 || value > 65535)
    throw std::runtime_error("mapping " + std::to_string(index + 1) + ": \"" + name + "\" is not a port");
  return static_cast<std::uint16_t>(value);
}

recorded_mapping mapping_from(const json& j, std::size_t index) {
  if (!j.is_object()) throw std::runtime_error("mapping " + std::to_string(index + 1) + " is not an object");
  recorded_mapping r;
  auto& m = r.mapping;
  // Pinholes came after port mappings: a record without a kind is a mapping.
  if (j.contains("kind")) {
    const auto kind = field<std::string>(j, "kind", index);
    if (kind == to_string(change_kind::pinhole)) m.kind = change_kind::pinhole;
    else if (kind != to_string(change_kind::port_mapping))
      throw std::runtime_error("mapping " + std::to_string(index + 1) + ": unknown kind \"" + kind +
                               "\" (\"mapping\" or \"pinhole\")");
  }
  m.router_name = j.value("router_name", std::string());
  m.router_address = field<std::string>(j, "router_address", index);
  const auto method = field<std::string>(j, "method", index);
  const auto methods = {map_method::upnp, map_method::natpmp, map_method::pcp};
  const auto known = std::find_if(methods.begin(), methods.end(), [&](map_method k) { return to_string(k) == method; });
  if (known == methods.end())
    throw std::runtime_error("mapping " + std::to_string(index + 1) + ": unknown method \"" + method + "\"");
  m.method = *known;
  m.external_port = port_field(j, "external_port", index);
  // TCP was the only protocol mapped before UDP probes: a record without one is TCP's.
  if (j.contains("protocol")) {
    const auto protocol = field<std::string>(j, "protocol", index);
    const auto known_protocol = router::transport_from_upnp(protocol);
    if (!known_protocol)
      throw std::runtime_error("mapping " + std::to_string(index + 1) + ": unknown protocol \"" + protocol +
                               "\" (\"TCP\" or \"UDP\")");
    m.protocol = *known_protocol;
  }
  m.internal_client = field<std::string>(j, "internal_client", index);
  m.internal_port = port_field(j, "internal_port", index);
  const auto lease = field<std::int64_t>(j, "lease_seconds", index);
  if (lease < 0 || lease > 0xffffffffLL)
    throw std::runtime_error("mapping " + std::to_string(index + 1) + ": \"lease_seconds\" is out of range");
  m.lease_seconds = static_cast<std::uint32_t>(lease);
  if (m.method == map_method::upnp) {
    m.control_url = field<std::string>(j, "control_url", index);
    m.service_type = field<std::string>(j, "service_type", index);
  }
  m.via = j.value("via", std::string());
  // Added with PCP: a state file written before has no PCP mapping and no nonce.
  if (m.method == map_method::pcp) {
    const auto nonce = nonce_from_hex(field<std::string>(j, "nonce", index));
    if (!nonce) throw std::runtime_error("mapping " + std::to_string(index + 1) + ": \"nonce\" is not 24 hex digits");
    m.nonce = *nonce;
  }
  if (m.kind == change_kind::pinhole && m.method != map_method::upnp)
    throw std::runtime_error("mapping " + std::to_string(index + 1) + ": a pinhole is made by \"upnp\" only");
  // Written once the router has answered AddPinhole; a record made just
  // before it has none yet.
  if (j.contains("pinhole_id")) {
    const auto id = field<std::int64_t>(j, "pinhole_id", index);
    if (id < 0 || id > 65535)
      throw std::runtime_error("mapping " + std::to_string(index + 1) + ": \"pinhole_id\" is not 0 to 65535");
    m.pinhole_id = static_cast<std::uint16_t>(id);
  }
  r.created = field<std::string>(j, "created", index);
  return r;
}

}  // namespace

std::string to_json_text(const fix_state& state) {
  json list = json::array();
  for (const auto& m : state.mappings) list.push_back(mapping_json(m));
  const json doc{{"schema", fix_state_schema}, {"mappings", list}};
  return doc.dump(2) + "\n";
}

std::variant<fix_state, fix_state_error> parse_fix_state(std::string_view text) {
  const auto doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return fix_state_error{"not JSON, or cut short"};
  if (!doc.is_object() || doc.value("schema", std::string()) != fix_state_schema)
    return fix_state_error{"not a " + std::string(fix_state_schema) + " document"};
  const auto mappings = doc.find("mappings");
  if (mappings == doc.end() || !mappings->is_array()) return fix_state_error{"no \"mappings\" list"};
  fix_state state;
  try {
    for (std::size_t i = 0; i < mappings->size(); ++i) state.mappings.push_back(mapping_from((*mappings)[i], i));
  } catch (const std::runtime_error& e) {
    return fix_state_error{e.what()};
  }
  return state;
}

void record(fix_state& state, recorded_mapping m) {
  std::erase_if(state.mappings, [&](const recorded_mapping& r) {
    return r.mapping.kind == m.mapping.kind && r.mapping.router_address == m.mapping.router_address &&
           r.mapping.external_port == m.mapping.external_port && r.mapping.protocol == m.mapping.protocol;
  });
  state.mappings.push_back(std::move(m));
}

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(t);
  const auto day = floor<days>(seconds);
  const year_month_day date{day};
  const hh_mm_ss time{seconds - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text) {
  using namespace std::chrono;
  int y = 0, h = 0, mi = 0, se = 0;
  unsigned mo = 0, d = 0;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2u-%2uT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se) != 6) return std::nullopt;
  const year_month_day date{year{y}, month{mo}, day{d}};
  if (!date.ok()) return std::nullopt;
  const auto t = sys_days{date} + hours{h} + minutes{mi} + seconds{se};
  // Only the exact text utc_timestamp() writes: no "T25:", "+001", or anything after the Z.
  if (utc_timestamp(t) != text) return std::nullopt;
  return t;
}

bool lease_ran_out(const recorded_mapping& r, std::chrono::system_clock::time_point now) {
  if (r.mapping.lease_seconds == 0) return false;
  const auto created = parse_utc_timestamp(r.created);
  return created && now >= *created + std::chrono::seconds(r.mapping.lease_seconds);
}

std::optional<std::filesystem::path> fix_state_path(const platform::env_lookup& env) {
  auto dir = platform::user_state_dir(env);
  if (!dir) return std::nullopt;
  return *dir / "fix-state.json";
}

std::variant<fix_state, fix_state_error> load_fix_state(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (ec) return fix_state_error{display(path) + ": " + ec.message()};
    return fix_state{};
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return fix_state_error{display(path) + ": cannot be read"};
  auto parsed = parse_fix_state(text.str());
  if (const auto* error = std::get_if<fix_state_error>(&parsed))
    return fix_state_error{display(path) + ": " + error->message +
                           "; left as it is (move it away to start afresh; it lists the mappings --fix made)"};
  return parsed;
}

std::optional<fix_state_error> save_fix_state(const std::filesystem::path& path, const fix_state& state) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return fix_state_error{display(path.parent_path()) + ": " + ec.message()};
  auto temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << to_json_text(state);
    out.flush();
    if (!out) {
      std::filesystem::remove(temporary, ec);
      return fix_state_error{display(temporary) + ": cannot be written"};
    }
  }
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return fix_state_error{display(path) + ": " + ec.message()};
  }
  return std::nullopt;
}

std::string display(const std::filesystem::path& path) {
  const auto text = path.u8string();
  return {reinterpret_cast<const char*>(text.data()), text.size()};
}

}  // namespace reachback::client

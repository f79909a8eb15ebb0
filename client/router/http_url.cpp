// SPDX-License-Identifier: MIT
#include "client/router/http_url.hpp"

#include <algorithm>
#include <vector>

#include "common/ascii_text.hpp"

namespace reachback::router {

namespace {

constexpr std::string_view blanks = " \t\r\n";
constexpr std::string_view scheme_prefix = "http://";

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty()) return std::uint16_t{80};  // "host:" means the default port
  if (text.size() > 5 || !std::all_of(text.begin(), text.end(), is_digit)) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// All digits and dots: then it must be a dotted quad, not a name. Leading
// zeros are refused because some resolvers read them as octal.
bool is_valid_numeric_host(std::string_view host) {
  int parts = 0;
  while (true) {
    const auto dot = std::min(host.find('.'), host.size());
    const auto part = host.substr(0, dot);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    unsigned value = 0;
    for (const char c : part) value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > 255) return false;
    ++parts;
    if (dot == host.size()) break;
    host.remove_prefix(dot + 1);
  }
  return parts == 4;
}

bool is_valid_name(std::string_view host) {
  if (host.empty() || host.size() > max_host_size) return false;
  const bool name_chars = std::all_of(host.begin(), host.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
  });
  if (!name_chars) return false;
  if (std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; }))
    return is_valid_numeric_host(host);
  return true;
}

// The text between '[' and ']': an IPv6 address, maybe with a zone id that
// RFC 6874 writes as "%25zone" (plain "%zone" is accepted too).
std::optional<std::string> parse_ipv6_host(std::string_view text) {
  std::string_view zone;
  const auto percent = text.find('%');
  if (percent != std::string_view::npos) {
    zone = text.substr(percent + 1);
    text = text.substr(0, percent);
    if (zone.substr(0, 2) == "25") zone.remove_prefix(2);
    if (zone.empty() || zone.size() > 64) return std::nullopt;
    const bool zone_chars = std::all_of(zone.begin(), zone.end(), [](char c) {
      return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.';
    });
    if (!zone_chars) return std::nullopt;
  }
  if (text.size() < 2 || text.size() > 45 || text.find(':') == std::string_view::npos)
    return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return is_hex(c) || c == ':' || c == '.'; }))
    return std::nullopt;
  std::string host(text);
  if (!zone.empty()) host.append("%").append(zone);
  return host;
}

void append_encoded(std::string& out, std::string_view text) {
  constexpr char hex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u == ' ' || u > 0x7e) {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
}

// RFC 3986 5.2.4 on a path that starts with '/'; the query is kept apart.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> kept;
  bool ends_in_directory = false;
  std::string_view rest = path.substr(1);
  while (true) {
    const auto slash = std::min(rest.find('/'), rest.size());
    const auto segment = rest.substr(0, slash);
    const bool last = slash == rest.size();
    if (segment == ".") {
      ends_in_directory = last;
    } else if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
      ends_in_directory = last;
    } else {
      kept.push_back(segment);
      ends_in_directory = false;
    }
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  std::string out;
  for (const auto segment : kept) out.append("/").append(segment);
  if (out.empty() || ends_in_directory) out += '/';
  return out;
}

// `target` is a path starting with '/' plus an optional "?query", without
// a fragment: the request target as it goes on the wire.
std::string finish_target(std::string_view target) {
  const auto question = std::min(target.find('?'), target.size());
  std::string out;
  append_encoded(out, remove_dot_segments(target.substr(0, question)));
  append_encoded(out, target.substr(question));
  return out;
}

std::string_view without_fragment(std::string_view text) {
  return text.substr(0, std::min(text.find('#'), text.size()));
}

bool acceptable_text(std::string_view text) {
  return text.size() <= max_url_size && std::none_of(text.begin(), text.end(), is_control);
}

// "scheme:" before any '/', '?' or '#'.
std::optional<std::string_view> scheme_of(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const auto scheme = text.substr(0, colon);
  if (!is_alpha(scheme[0])) return std::nullopt;
  const bool scheme_chars = std::all_of(scheme.begin(), scheme.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
  });
  if (!scheme_chars) return std::nullopt;
  return scheme;
}

// Percent-encoding can triple a target, so the limit is checked again on the
// URL as it would be written: whatever is accepted parses back from its text.
std::optional<http_url> within_limit(http_url url) {
  if (to_string(url).size() > max_url_size) return std::nullopt;
  return url;
}

}  // namespace

std::optional<http_url> parse_http_url(std::string_view text) {
  text = trim(text, blanks);
  if (!acceptable_text(text)) return std::nullopt;
  if (text.size() < scheme_prefix.size() ||
      !reachback::iequals(text.substr(0, scheme_prefix.size()), scheme_prefix))
    return std::nullopt;
  text.remove_prefix(scheme_prefix.size());
  const auto authority_end = std::min(text.find_first_of("/?#"), text.size());
  const auto authority = text.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;

  http_url url;
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto host = parse_ipv6_host(authority.substr(1, close - 1));
    if (!host) return std::nullopt;
    url.host = std::move(*host);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    const auto host = authority.substr(0, colon);
    if (!is_valid_name(host)) return std::nullopt;
    url.host = std::string(host);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  const auto port = parse_port(port_text);
  if (!port) return std::nullopt;
  url.port = *port;

  const auto target = without_fragment(text.substr(authority_end));
  if (target.empty()) {
    url.path = "/";
  } else if (target[0] == '?') {
    url.path = finish_target(std::string("/").append(target));
  } else {
    url.path = finish_target(target);
  }
  return within_limit(std::move(url));
}

std::optional<http_url> resolve_url(const http_url& base, std::string_view reference) {
  reference = trim(reference, blanks);
  if (!acceptable_text(reference)) return std::nullopt;
  if (const auto scheme = scheme_of(reference)) {
    if (!reachback::iequals(*scheme, "http")) return std::nullopt;
    return parse_http_url(reference);
  }
  if (reference.substr(0, 2) == "//") return parse_http_url(std::string("http:").append(reference));

  reference = without_fragment(reference);
  http_url resolved = base;
  const std::string_view base_path(base.path);
  const auto base_query = std::min(base_path.find('?'), base_path.size());
  if (reference.empty()) return resolved;
  if (reference[0] == '?') {
    std::string target(base_path.substr(0, base_query));
    if (target.empty() || target[0] != '/') target.insert(0, "/");
    resolved.path = finish_target(target.append(reference));
  } else if (reference[0] == '/') {
    resolved.path = finish_target(reference);
  } else {
    // Merge: everything of the base path up to its last '/', then the reference.
    const auto directory = base_path.substr(0, base_query);
    const auto last_slash = directory.rfind('/');
    std::string target = last_slash == std::string_view::npos
                             ? std::string("/")
                             : std::string(directory.substr(0, last_slash + 1));
    resolved.path = finish_target(target.append(reference));
  }
  return within_limit(std::move(resolved));
}

std::string host_header_value(const http_url& url) {
  if (url.host.find(':') == std::string::npos)
    return url.host + ":" + std::to_string(url.port);
  const auto address = std::string_view(url.host).substr(0, std::min(url.host.find('%'), url.host.size()));
  return "[" + std::string(address) + "]:" + std::to_string(url.port);
}

std::string to_string(const http_url& url) {
  std::string host = url.host;
  if (host.find(':') != std::string::npos) {
    const auto percent = host.find('%');
    if (percent != std::string::npos) host.replace(percent, 1, "%25");
    host = "[" + host + "]";
  }
  return "http://" + host + ":" + std::to_string(url.port) + url.path;
}

}  // namespace reachback::router

// SPDX-License-Identifier: MIT
#include "client/router/xml_text.hpp"

#include <algorithm>

#include "common/ascii_text.hpp"

namespace reachback::router {

namespace {

constexpr std::string_view xml_blanks = " \t\r\n";

bool starts_with(std::string_view text, std::size_t pos, std::string_view prefix) {
  return text.substr(pos, prefix.size()) == prefix;
}

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The '>' that ends markup starting at `from`, skipping quoted values; with
// `internal_subset` ("<!DOCTYPE ...>") also past any subset in [...].
std::size_t markup_end(std::string_view text, std::size_t from, bool internal_subset) {
  int brackets = 0;
  char quote = 0;
  for (auto i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (internal_subset && c == '[') {
      ++brackets;
    } else if (internal_subset && c == ']') {
      brackets = std::max(0, brackets - 1);
    } else if (c == '>' && brackets == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// The '>' that ends a tag starting at `from`.
std::size_t tag_end(std::string_view text, std::size_t from) { return markup_end(text, from, false); }

// The '>' that ends "<!DOCTYPE ...>", past any internal subset in [...].
std::size_t declaration_end(std::string_view text, std::size_t from) { return markup_end(text, from, true); }

// What markup starts at a '<', and the index one past its end: npos when
// it is cut off. Both the parser and xml_text read markup by this one rule.
enum class markup_kind { comment, cdata, declaration, instruction, end_tag, start_tag, stray_lt };

struct markup {
  markup_kind kind = markup_kind::stray_lt;
  std::size_t end = std::string_view::npos;
};

constexpr std::string_view cdata_open = "<![CDATA[";

// One past `terminator` found from `from`; npos without it.
std::size_t past(std::string_view text, std::size_t from, std::string_view terminator) {
  const auto found = text.find(terminator, from);
  return found == std::string_view::npos ? found : found + terminator.size();
}

std::size_t past_gt(std::size_t gt) { return gt == std::string_view::npos ? gt : gt + 1; }

markup markup_at(std::string_view text, std::size_t lt) {
  if (starts_with(text, lt, "<!--")) return {markup_kind::comment, past(text, lt + 4, "-->")};
  if (starts_with(text, lt, cdata_open)) return {markup_kind::cdata, past(text, lt + cdata_open.size(), "]]>")};
  if (starts_with(text, lt, "<!")) return {markup_kind::declaration, past_gt(declaration_end(text, lt + 2))};
  if (starts_with(text, lt, "<?")) return {markup_kind::instruction, past(text, lt + 2, "?>")};
  // An end tag has no attributes, so no quoted '>' to skip.
  if (starts_with(text, lt, "</")) return {markup_kind::end_tag, past(text, lt + 2, ">")};
  if (lt + 1 < text.size() && is_name_start(text[lt + 1])) {
    return {markup_kind::start_tag, past_gt(tag_end(text, lt + 1))};
  }
  return {markup_kind::stray_lt, lt + 1};
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xe0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

std::optional<std::uint32_t> character_reference(std::string_view body) {
  // body is what follows "&#": "65" or "x41".
  int base = 10;
  if (!body.empty() && (body[0] == 'x' || body[0] == 'X')) {
    base = 16;
    body.remove_prefix(1);
  }
  if (body.empty() || body.size() > 8) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : body) {
    std::uint32_t digit = 0;
    if (c >= '0' && c <= '9') digit = static_cast<std::uint32_t>(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') digit = static_cast<std::uint32_t>(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F') digit = static_cast<std::uint32_t>(c - 'A' + 10);
    else return std::nullopt;
    value = value * static_cast<std::uint32_t>(base) + digit;
    if (value > 0x10ffff) return std::nullopt;
  }
  // NUL and surrogates are no characters XML allows.
  if (value == 0 || (value >= 0xd800 && value <= 0xdfff)) return std::nullopt;
  return value;
}

// The document being read, and its elements still open.
struct document_builder {
  std::string_view text;
  xml_document doc;
  std::vector<std::size_t> open;         // indices of elements not yet closed
  std::vector<std::size_t> inner_begin;  // per element: where its content starts
};

// The start tag text.substr(lt, end - lt); false past a limit.
bool open_element(document_builder& b, std::size_t lt, std::size_t end) {
  if (b.open.size() >= max_xml_depth || b.doc.elements.size() >= max_xml_elements) return false;
  const auto tag = b.text.substr(lt + 1, end - lt - 2);
  const auto name_end = std::min(tag.find_first_of(" \t\r\n/"), tag.size());
  xml_element element;
  element.name = local_name(tag.substr(0, name_end));
  element.parent = b.open.empty() ? xml_no_parent : b.open.back();
  element.depth = b.open.size();
  element.inner = b.text.substr(end, 0);
  b.doc.elements.push_back(element);
  b.inner_begin.push_back(end);
  const bool self_closing = !tag.empty() && tag.back() == '/';
  if (!self_closing) b.open.push_back(b.doc.elements.size() - 1);
  return true;
}

// The end tag text.substr(lt, end - lt) closes the innermost open element of
// its name and any left open inside it; one that matches nothing open is
// ignored.
void close_element(document_builder& b, std::size_t lt, std::size_t end) {
  const auto name = local_name(trim(b.text.substr(lt + 2, end - lt - 3), xml_blanks));
  const auto match = std::find_if(b.open.rbegin(), b.open.rend(), [&](std::size_t index) {
    return reachback::iequals(b.doc.elements[index].name, name);
  });
  if (match == b.open.rend()) return;
  const auto keep = static_cast<std::size_t>(b.open.rend() - match) - 1;
  while (b.open.size() > keep) {
    const auto index = b.open.back();
    b.doc.elements[index].inner = b.text.substr(b.inner_begin[index], lt - b.inner_begin[index]);
    b.open.pop_back();
  }
}

}  // namespace

std::string_view local_name(std::string_view qualified) noexcept {
  const auto colon = qualified.rfind(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

std::optional<xml_document> parse_xml(std::string_view text) {
  if (text.size() > max_xml_bytes) return std::nullopt;
  document_builder b{text, {}, {}, {}};
  for (auto lt = text.find('<'); lt != std::string_view::npos;) {
    const auto m = markup_at(text, lt);
    if (m.end == std::string_view::npos) return std::nullopt;
    if (m.kind == markup_kind::start_tag && !open_element(b, lt, m.end)) return std::nullopt;
    if (m.kind == markup_kind::end_tag) close_element(b, lt, m.end);
    lt = text.find('<', m.end);
  }
  if (!b.open.empty() || b.doc.elements.empty()) return std::nullopt;
  return std::move(b.doc);
}

std::vector<std::size_t> xml_children(const xml_document& doc, std::size_t parent) {
  std::vector<std::size_t> children;
  if (parent >= doc.elements.size()) return children;
  const auto depth = doc.elements[parent].depth;
  for (auto i = parent + 1; i < doc.elements.size() && doc.elements[i].depth > depth; ++i) {
    if (doc.elements[i].parent == parent) children.push_back(i);
  }
  return children;
}

std::optional<std::size_t> xml_find(const xml_document& doc, std::size_t ancestor,
                                    std::string_view name) {
  std::size_t first = 0;
  std::size_t depth = 0;
  bool anywhere = ancestor == xml_no_parent;
  if (!anywhere) {
    if (ancestor >= doc.elements.size()) return std::nullopt;
    first = ancestor + 1;
    depth = doc.elements[ancestor].depth;
  }
  for (auto i = first; i < doc.elements.size(); ++i) {
    if (!anywhere && doc.elements[i].depth <= depth) break;
    if (reachback::iequals(doc.elements[i].name, name)) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> xml_child(const xml_document& doc, std::size_t parent,
                                     std::string_view name) {
  if (parent >= doc.elements.size()) return std::nullopt;
  const auto depth = doc.elements[parent].depth;
  for (auto i = parent + 1; i < doc.elements.size() && doc.elements[i].depth > depth; ++i) {
    if (doc.elements[i].parent == parent && reachback::iequals(doc.elements[i].name, name)) return i;
  }
  return std::nullopt;
}

std::string xml_text(std::string_view inner) {
  std::string out;
  std::size_t pos = 0;
  while (pos < inner.size()) {
    const auto lt = inner.find('<', pos);
    out += xml_decode_entities(inner.substr(pos, lt == std::string_view::npos ? lt : lt - pos));
    if (lt == std::string_view::npos) break;
    const auto m = markup_at(inner, lt);
    if (m.kind == markup_kind::stray_lt) out += '<';
    if (m.kind == markup_kind::cdata) {
      const auto content = lt + cdata_open.size();
      out += inner.substr(content, m.end == std::string_view::npos ? m.end : m.end - 3 - content);
    }
    if (m.end == std::string_view::npos) break;
    pos = m.end;
  }
  return std::string(trim(out, xml_blanks));
}

std::optional<std::string> xml_child_text(const xml_document& doc, std::size_t parent,
                                          std::string_view name) {
  const auto child = xml_child(doc, parent, name);
  if (!child) return std::nullopt;
  return xml_text(doc.elements[*child].inner);
}

std::string xml_decode_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto amp = text.find('&', pos);
    out += text.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    if (amp == std::string_view::npos) break;
    const auto semicolon = text.substr(amp, 12).find(';');
    if (semicolon == std::string_view::npos) {
      out += '&';
      pos = amp + 1;
      continue;
    }
    const auto body = text.substr(amp + 1, semicolon - 1);
    std::optional<std::uint32_t> code;
    if (body == "lt") code = '<';
    else if (body == "gt") code = '>';
    else if (body == "amp") code = '&';
    else if (body == "quot") code = '"';
    else if (body == "apos") code = '\'';
    else if (!body.empty() && body[0] == '#') code = character_reference(body.substr(1));
    if (!code) {
      out += '&';
      pos = amp + 1;
      continue;
    }
    append_utf8(out, *code);
    pos = amp + semicolon + 1;
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace reachback::router

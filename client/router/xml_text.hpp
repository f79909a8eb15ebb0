// SPDX-License-Identifier: MIT
#pragma once
// The least XML that reading a router's UPnP answers needs: elements found
// by their local name (namespace prefixes such as "s:" or "u:" ignored, case
// ignored too, because some routers mix it), their text with entities
// decoded and CDATA unwrapped. Not a validating parser: attributes are
// skipped, a DOCTYPE's entities are never expanded, an end tag that closes
// an outer element closes the inner ones too. Iterative and bounded.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reachback::router {

/// Limits of parse_xml: input size, nesting depth and element count.
inline constexpr std::size_t max_xml_bytes = std::size_t{256} * 1024;
inline constexpr std::size_t max_xml_depth = 64;
inline constexpr std::size_t max_xml_elements = 16384;
/// xml_element::parent of a top-level element.
inline constexpr std::size_t xml_no_parent = SIZE_MAX;

/// One element; its views point into the parsed text.
struct xml_element {
  std::string_view name;   ///< local name: "Envelope" for <s:Envelope>
  std::string_view inner;  ///< raw content between its tags; empty for <x/>
  std::size_t parent = xml_no_parent;  ///< index of the enclosing element
  std::size_t depth = 0;               ///< 0 at the top level
};

/// The elements of a text in document order (start tags' order), so an
/// element's descendants are the elements right after it that are deeper.
struct xml_document {
  std::vector<xml_element> elements;
};

/// Parses `text`. nullopt for more than max_xml_bytes, max_xml_depth or
/// max_xml_elements, no element at all, markup cut off (a tag, comment,
/// CDATA section or declaration without its end) or an element still open
/// at the end: truncated input is refused rather than half read.
[[nodiscard]] std::optional<xml_document> parse_xml(std::string_view text);

/// "Envelope" for "s:Envelope"; `qualified` itself without a prefix.
[[nodiscard]] std::string_view local_name(std::string_view qualified) noexcept;

/// Indices of the direct children of element `parent`, in order.
[[nodiscard]] std::vector<std::size_t> xml_children(const xml_document& doc, std::size_t parent);

/// The first element named `name` (local name, any case) below `ancestor`
/// in document order; with xml_no_parent, anywhere in the document.
[[nodiscard]] std::optional<std::size_t> xml_find(const xml_document& doc, std::size_t ancestor,
                                                  std::string_view name);

/// The first direct child of `parent` named `name`.
[[nodiscard]] std::optional<std::size_t> xml_child(const xml_document& doc, std::size_t parent,
                                                   std::string_view name);

/// The text of raw element content: tags, comments and processing
/// instructions dropped, CDATA unwrapped, entities decoded, XML blanks at
/// either end trimmed.
[[nodiscard]] std::string xml_text(std::string_view inner);

/// xml_text of the direct child of `parent` named `name`; nullopt without one.
[[nodiscard]] std::optional<std::string> xml_child_text(const xml_document& doc, std::size_t parent,
                                                        std::string_view name);

/// Decodes &lt; &gt; &amp; &quot; &apos; &#NN; and &#xNN; (to UTF-8). What
/// is not one of them (an unknown name, &#0;, a surrogate) stays as written.
[[nodiscard]] std::string xml_decode_entities(std::string_view text);

/// `text` with & < > " ' written as entities: safe in element content and
/// in attribute values.
[[nodiscard]] std::string xml_escape(std::string_view text);

}  // namespace reachback::router

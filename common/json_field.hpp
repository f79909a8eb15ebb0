// SPDX-License-Identifier: MIT
#pragma once
// Strict readers for JSON fields, shared by evidence_json.cpp and codec.cpp.
// nlohmann's get<int>() accepts booleans and floats and silently narrows
// (70000 becomes a port of 4464); these throw instead.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace reachback::json_field {

/// `j` as T. Throws nlohmann::json::type_error when `j` holds another JSON
/// type, or an integer that does not fit T.
template <class T>
[[nodiscard]] T as(const nlohmann::json& j) {
  using nlohmann::json;
  if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) throw json::type_error::create(302, "expected a boolean", &j);
    return j.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    const bool fits = j.is_number_unsigned()  ? std::in_range<T>(j.get<std::uint64_t>())
                      : j.is_number_integer() ? std::in_range<T>(j.get<std::int64_t>())
                                              : false;
    if (!fits) throw json::type_error::create(302, "expected an integer in range", &j);
    return j.get<T>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!j.is_number()) throw json::type_error::create(302, "expected a number", &j);
    return j.get<T>();
  } else {
    // Strings, arrays and evidence objects: nlohmann already checks the type.
    return j.get<T>();
  }
}

/// Member `key` of object `j` as T. Throws nlohmann::json::exception when
/// `j` is not an object, `key` is missing or of another type.
template <class T>
[[nodiscard]] T required(const nlohmann::json& j, std::string_view key) {
  return as<T>(j.at(key));
}

/// Member `key` of object `j` as T, or nullopt when it is missing or null.
template <class T>
[[nodiscard]] std::optional<T> optional(const nlohmann::json& j, std::string_view key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return as<T>(*it);
}

/// Sets member `key` only when `value` holds one: optional fields are omitted.
template <class T>
void put_optional(nlohmann::json& j, std::string_view key, const std::optional<T>& value) {
  if (value) j[std::string(key)] = *value;
}

}  // namespace reachback::json_field

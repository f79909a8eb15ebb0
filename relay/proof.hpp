// SPDX-License-Identifier: MIT
#pragma once
// Telling our agent from anything else that answers the connect-back: the
// agent writes proof_prefix + nonce + '\n'; anything else is foreign, and
// the first bytes it sent (its banner) are kept as evidence. Pure.

#include <cstddef>
#include <string>
#include <string_view>

namespace reachback::relay {

/// At most this many bytes of a foreign banner are read and kept.
inline constexpr std::size_t max_banner = 256;

/// What the bytes read so far from a connect-back peer amount to.
enum class reply_judgement { need_more, verified, foreign };

/// verified once `received` starts with the proof line for `nonce`; foreign
/// once it holds a line, max_banner bytes, or the peer is `finished` (EOF or
/// banner timeout) without the proof; need_more otherwise.
[[nodiscard]] reply_judgement judge_reply(std::string_view received, std::string_view nonce,
                                          bool finished);

/// The banner as it goes into the evidence: the first max_banner bytes, raw.
/// The codec escapes them on the wire (common/evidence_json.hpp escape_bytes).
[[nodiscard]] std::string banner_of(std::string_view received);

}  // namespace reachback::relay

// SPDX-License-Identifier: MIT
#include "relay/proof.hpp"

#include <gtest/gtest.h>

#include <string>

namespace reachback::relay {
namespace {

const std::string nonce = "0123456789abcdef0123456789abcdef";
const std::string proof = "REACHBACK-PROOF " + nonce + "\n";

TEST(JudgeReply, TheProofLineVerifies) {
  EXPECT_EQ(judge_reply(proof, nonce, false), reply_judgement::verified);
  EXPECT_EQ(judge_reply(proof + "more", nonce, true), reply_judgement::verified);
}

TEST(JudgeReply, APartialProofWaitsForMore) {
  for (std::size_t size = 0; size < proof.size(); ++size) {
    EXPECT_EQ(judge_reply(proof.substr(0, size), nonce, false), reply_judgement::need_more)
        << "size " << size;
    EXPECT_EQ(judge_reply(proof.substr(0, size), nonce, true), reply_judgement::foreign)
        << "size " << size << " once the peer is done";
  }
}

TEST(JudgeReply, AnotherNonceIsForeign) {
  const std::string other = "REACHBACK-PROOF ffffffffffffffffffffffffffffffff\n";
  EXPECT_EQ(judge_reply(other, nonce, false), reply_judgement::foreign);
  EXPECT_EQ(judge_reply("REACHBACK-PROOF " + nonce + "0\n", nonce, false),
            reply_judgement::foreign);
}

TEST(JudgeReply, ABannerLineIsForeign) {
  EXPECT_EQ(judge_reply("SSH-2.0-test\r\n", nonce, false), reply_judgement::foreign);
  EXPECT_EQ(judge_reply("SSH-2.0-te", nonce, false), reply_judgement::need_more);
  EXPECT_EQ(judge_reply(std::string(max_banner, 'x'), nonce, false), reply_judgement::foreign);
}

TEST(BannerOf, KeepsRawBytes) {
  // Escaping is the codec's job; doing it here too would escape twice.
  EXPECT_EQ(banner_of(std::string("a\0b\xff\r\n", 6)), std::string("a\0b\xff\r\n", 6));
}

TEST(BannerOf, KeepsAtMostTheBannerLimit) {
  EXPECT_EQ(banner_of(std::string(max_banner + 50, 'x')).size(), max_banner);
}

}  // namespace
}  // namespace reachback::relay

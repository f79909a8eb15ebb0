// SPDX-License-Identifier: MIT
#include "client/platform/bpf_filter.hpp"

#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/big_endian.hpp"

namespace reachback::client::platform {

namespace {

// Jump targets by name, resolved to relative offsets once the layout is known.
enum class target { next, address_block, dst_block, accept, drop };

struct instruction {
  std::uint16_t code = 0;
  std::uint32_t k = 0;
  target if_true = target::next;
  target if_false = target::next;
};

// Where each family keeps the fields the filter reads.
struct layout {
  std::uint32_t ethertype;
  std::uint32_t protocol_offset;  // IPv4 protocol / IPv6 next header
  std::uint32_t src_offset;
  std::uint32_t dst_offset;
  std::uint32_t icmp;             // ICMP's protocol number in this family
};
constexpr layout v4_layout{ETH_P_IP, 9, 12, 16, IPPROTO_ICMP};
constexpr layout v6_layout{ETH_P_IPV6, 6, 8, 24, IPPROTO_ICMPV6};

instruction load(std::uint16_t size, std::uint32_t offset) {
  return {static_cast<std::uint16_t>(BPF_LD | size | BPF_ABS), offset, target::next, target::next};
}

instruction jump(std::uint16_t test, std::uint32_t k, target if_true, target if_false) {
  return {static_cast<std::uint16_t>(BPF_JMP | test | BPF_K), k, if_true, if_false};
}

// Classic BPF loads words in network byte order and compares them as host
// numbers, so each constant is the address word read big-endian.
std::uint32_t word_at(const ip_literal& ip, std::size_t word) {
  return read_be32(ip.view(), word * 4);
}

// Compares the address at `offset` word by word; any mismatch goes to `miss`.
void match_address(std::vector<instruction>& program, const ip_literal& relay,
                   std::uint32_t offset, target miss) {
  const std::size_t words = relay.view().size() / 4;
  for (std::size_t w = 0; w < words; ++w) {
    program.push_back(load(BPF_W, offset + static_cast<std::uint32_t>(4 * w)));
    const target hit = w + 1 == words ? target::accept : target::next;
    program.push_back(jump(BPF_JEQ, word_at(relay, w), hit, miss));
  }
}

std::uint8_t offset_to(std::size_t from, std::size_t to) {
  return static_cast<std::uint8_t>(to - from - 1);
}

// Where the named blocks start, once the program is laid out.
struct blocks {
  std::size_t address_block = 0;
  std::size_t dst_block = 0;
};

std::vector<sock_filter> assemble(const std::vector<instruction>& program, blocks at_block) {
  // accept and drop are the two return instructions after the program.
  const std::size_t accept = program.size();
  const std::size_t drop = accept + 1;
  const auto resolve = [&](std::size_t at, target t) -> std::uint8_t {
    switch (t) {
      case target::address_block: return offset_to(at, at_block.address_block);
      case target::dst_block: return offset_to(at, at_block.dst_block);
      case target::accept: return offset_to(at, accept);
      case target::drop: return offset_to(at, drop);
      case target::next: break;
    }
    return 0;
  };
  std::vector<sock_filter> code;
  for (std::size_t at = 0; at < program.size(); ++at) {
    const auto& i = program[at];
    code.push_back({i.code, resolve(at, i.if_true), resolve(at, i.if_false), i.k});
  }
  code.push_back({static_cast<std::uint16_t>(BPF_RET | BPF_K), 0, 0, capture_snap_length});
  code.push_back({static_cast<std::uint16_t>(BPF_RET | BPF_K), 0, 0, 0});
  return code;
}

}  // namespace

std::vector<sock_filter> relay_filter(const ip_literal& relay, transport protocol) {
  const auto& at = relay.family == AF_INET ? v4_layout : v6_layout;
  std::vector<instruction> program;
  // The cooked socket has no link header to read the EtherType from; the
  // kernel offers skb->protocol as an ancillary load instead.
  program.push_back(load(BPF_H, static_cast<std::uint32_t>(SKF_AD_OFF + SKF_AD_PROTOCOL)));
  program.push_back(jump(BPF_JEQ, at.ethertype, target::next, target::drop));
  program.push_back(load(BPF_B, at.protocol_offset));
  if (protocol == transport::udp) {
    program.push_back(jump(BPF_JEQ, IPPROTO_UDP, target::address_block, target::next));
    program.push_back(jump(BPF_JEQ, at.icmp, target::next, target::drop));
  } else {
    program.push_back(jump(BPF_JEQ, IPPROTO_TCP, target::next, target::drop));
  }
  blocks at_block;
  at_block.address_block = program.size();
  if (relay.family == AF_INET) {
    // Later fragments carry no TCP or UDP header to read ports or flags from.
    program.push_back(load(BPF_H, 6));
    program.push_back(jump(BPF_JSET, 0x1fff, target::drop, target::next));
  }
  match_address(program, relay, at.src_offset, target::dst_block);
  at_block.dst_block = program.size();
  match_address(program, relay, at.dst_offset, target::drop);
  return assemble(program, at_block);
}

}  // namespace reachback::client::platform

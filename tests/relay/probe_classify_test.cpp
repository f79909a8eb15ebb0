// SPDX-License-Identifier: MIT
#include "relay/probe_classify.hpp"

#include <linux/errqueue.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <future>

#include "common/asio_compat.hpp"

namespace reachback::relay {
namespace {

constexpr std::string_view dialed = "203.0.113.7";

std::error_code errno_code(int e) { return {e, std::system_category()}; }

queued_error icmp(int origin, int type, int code, std::string from, std::optional<int> ttl) {
  return queued_error{.origin = origin,
                      .error = EHOSTUNREACH,
                      .type = type,
                      .code = code,
                      .offender = std::move(from),
                      .arrival_ttl = ttl};
}

probe_attempt connected_after(double ms) {
  probe_attempt attempt;
  attempt.connected = true;
  attempt.elapsed_ms = ms;
  return attempt;
}

probe_attempt timed_out_after(double ms) {
  probe_attempt attempt;
  attempt.timed_out = true;
  attempt.elapsed_ms = ms;
  return attempt;
}

probe_attempt failed_with(std::error_code error, std::optional<queued_error> queued = {}) {
  return probe_attempt{.connected = false,
                       .timed_out = false,
                       .error = error,
                       .queued = std::move(queued),
                       .elapsed_ms = 12.5};
}

TEST(ClassifySweepProbe, AHandshakeIsASynAckFromTheTarget) {
  const auto hop = classify_sweep_probe(connected_after(3), 5, dialed);
  EXPECT_EQ(hop.ttl, 5);
  EXPECT_EQ(hop.reply, sweep_reply::syn_ack);
  EXPECT_EQ(hop.from, dialed);
  EXPECT_EQ(hop.icmp, std::nullopt);
  EXPECT_EQ(hop.rtt_ms, 3);
  EXPECT_EQ(hop.attempts, 1);
}

TEST(ClassifySweepProbe, AUdpAnswerIsAUdpReplyFromTheTarget) {
  const auto hop = classify_sweep_probe(connected_after(4), 2, dialed, sweep_reply::udp_reply);
  EXPECT_EQ(hop.reply, sweep_reply::udp_reply);
  EXPECT_EQ(hop.from, dialed);
  EXPECT_EQ(hop.rtt_ms, 4);
}

TEST(ClassifySweepProbe, ARefusalWithoutIcmpIsAReset) {
  const auto hop = classify_sweep_probe(failed_with(errno_code(ECONNREFUSED)), 2, dialed);
  EXPECT_EQ(hop.reply, sweep_reply::rst);
  EXPECT_EQ(hop.from, dialed);
}

TEST(ClassifySweepProbe, TimeExceededNamesTheRouterAndItsReplyTtl) {
  const auto hop = classify_sweep_probe(
      failed_with(errno_code(EHOSTUNREACH), icmp(SO_EE_ORIGIN_ICMP, 11, 0, "192.0.2.1", 250)), 3,
      dialed);
  EXPECT_EQ(hop.reply, sweep_reply::time_exceeded);
  EXPECT_EQ(hop.from, "192.0.2.1");
  ASSERT_TRUE(hop.icmp);
  EXPECT_EQ(hop.icmp->type, 11);
  EXPECT_EQ(hop.icmp->from, "192.0.2.1");
  EXPECT_EQ(hop.reply_ttl, 250);
}

TEST(ClassifySweepProbe, IcmpPortUnreachableIsUnreachableNotAReset) {
  // The kernel reports it as ECONNREFUSED too; the error queue tells them apart.
  const auto hop = classify_sweep_probe(
      failed_with(errno_code(ECONNREFUSED), icmp(SO_EE_ORIGIN_ICMP, 3, 3, std::string(dialed), 52)),
      4, dialed);
  EXPECT_EQ(hop.reply, sweep_reply::unreachable);
  EXPECT_EQ(hop.from, dialed);
  ASSERT_TRUE(hop.icmp);
  EXPECT_EQ(hop.icmp->code, 3);
  EXPECT_EQ(hop.reply_ttl, 52);
}

TEST(ClassifySweepProbe, Icmpv6TypesAreTheirOwn) {
  const auto exceeded = classify_sweep_probe(
      failed_with(errno_code(EHOSTUNREACH), icmp(SO_EE_ORIGIN_ICMP6, 3, 0, "2001:db8::1", 63)), 1,
      "2001:db8::7");
  EXPECT_EQ(exceeded.reply, sweep_reply::time_exceeded);
  const auto unreachable = classify_sweep_probe(
      failed_with(errno_code(EACCES), icmp(SO_EE_ORIGIN_ICMP6, 1, 1, "2001:db8::1", 63)), 1,
      "2001:db8::7");
  EXPECT_EQ(unreachable.reply, sweep_reply::unreachable);
  const auto icmp4_type3 = classify_sweep_probe(
      failed_with(errno_code(EHOSTUNREACH), icmp(SO_EE_ORIGIN_ICMP, 3, 1, "192.0.2.1", 63)), 1,
      dialed);
  EXPECT_EQ(icmp4_type3.reply, sweep_reply::unreachable) << "type 3 is time exceeded only in v6";
}

TEST(ClassifySweepProbe, NothingBackIsSilence) {
  const auto hop = classify_sweep_probe(timed_out_after(700), 6, dialed);
  EXPECT_EQ(hop.reply, sweep_reply::silence);
  EXPECT_EQ(hop.from, "");
}

TEST(ClassifySweepProbe, NoRouteIsUnreachableWithoutIcmp) {
  queued_error local;
  local.origin = SO_EE_ORIGIN_LOCAL;
  local.error = ENETUNREACH;
  const auto hop = classify_sweep_probe(failed_with(errno_code(ENETUNREACH), local), 1, dialed);
  EXPECT_EQ(hop.reply, sweep_reply::unreachable);
  EXPECT_EQ(hop.icmp, std::nullopt);
  EXPECT_EQ(hop.from, "");
}

TEST(ClassifyConnectFailure, SortsTheFailures) {
  EXPECT_EQ(classify_connect_failure(failed_with(errno_code(ECONNREFUSED))),
            (connect_failure{connect_outcome::refused, std::nullopt}));
  EXPECT_EQ(classify_connect_failure(timed_out_after(1000)),
            (connect_failure{connect_outcome::timeout, std::nullopt}));
  EXPECT_EQ(classify_connect_failure(failed_with(errno_code(ENETUNREACH))),
            (connect_failure{connect_outcome::unreachable, std::nullopt}));
  const auto prohibited = classify_connect_failure(failed_with(
      errno_code(EHOSTUNREACH), icmp(SO_EE_ORIGIN_ICMP, 3, 13, "198.51.100.1", 60)));
  EXPECT_EQ(prohibited.outcome, connect_outcome::unreachable);
  EXPECT_EQ(prohibited.icmp, (icmp_info{.type = 3, .code = 13, .from = "198.51.100.1"}));
}

// errno -> the relay's own failure, or the network's (nullopt).
struct errno_case {
  std::string_view name;
  int error;
  std::optional<std::string_view> cause;
};

class LocalCause : public testing::TestWithParam<errno_case> {};

TEST_P(LocalCause, NamesTheRelaysOwnShortageOnly) {
  const auto& c = GetParam();
  const auto cause = local_cause(errno_code(c.error));
  ASSERT_EQ(cause.has_value(), c.cause.has_value()) << cause.value_or("nullopt");
  if (c.cause) {
    EXPECT_EQ(*cause, *c.cause);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Errnos, LocalCause,
    testing::Values(
        errno_case{"EMFILE", EMFILE, "out of file descriptors (EMFILE)"},
        errno_case{"ENFILE", ENFILE, "the system is out of file descriptors (ENFILE)"},
        errno_case{"EADDRNOTAVAIL", EADDRNOTAVAIL, "out of local ports or addresses (EADDRNOTAVAIL)"},
        errno_case{"EADDRINUSE", EADDRINUSE, "out of local ports (EADDRINUSE)"},
        errno_case{"EAGAIN", EAGAIN, "out of local ports or socket buffers (EAGAIN)"},
        errno_case{"ENOBUFS", ENOBUFS, "out of socket buffers (ENOBUFS)"},
        errno_case{"ENOMEM", ENOMEM, "out of memory (ENOMEM)"},
        // What the network (or the lack of a route to it) says.
        errno_case{"ECONNREFUSED", ECONNREFUSED, std::nullopt},
        errno_case{"ETIMEDOUT", ETIMEDOUT, std::nullopt},
        errno_case{"EHOSTUNREACH", EHOSTUNREACH, std::nullopt},
        errno_case{"ENETUNREACH", ENETUNREACH, std::nullopt},
        errno_case{"ECONNRESET", ECONNRESET, std::nullopt},
        errno_case{"no_error", 0, std::nullopt}),
    [](const testing::TestParamInfo<errno_case>& p) { return std::string(p.param.name); });

// What asio::ip::tcp::socket::open reports when the relay is out of
// descriptors: EMFILE in Asio's own category, not std::system_category().
TEST(LocalCause, KnowsAsiosErrnosToo) {
  const std::error_code from_asio(EMFILE, asio::error::get_system_category());
  EXPECT_EQ(local_cause(from_asio), "out of file descriptors (EMFILE)");
  EXPECT_EQ(local_cause(std::error_code(ECONNREFUSED, asio::error::get_system_category())), std::nullopt);
}

TEST(LocalCause, IgnoresOtherCategoriesWithTheSameNumber) {
  EXPECT_EQ(local_cause(std::make_error_code(std::errc::too_many_files_open)),
            "out of file descriptors (EMFILE)");
  EXPECT_EQ(local_cause(std::error_code(EMFILE, std::future_category())), std::nullopt);
}

TEST(LocalFailureOf, NamesThePartAndTheCause) {
  EXPECT_EQ(local_failure_of(failed_with(errno_code(EMFILE)), "sweep TTL 3"),
            (local_failure{"sweep TTL 3: out of file descriptors (EMFILE)"}));
}

TEST(LocalFailureOf, AnAnswerFromTheNetworkIsNone) {
  EXPECT_EQ(local_failure_of(failed_with(errno_code(ECONNREFUSED)), "connect-back"), std::nullopt);
  EXPECT_EQ(local_failure_of(timed_out_after(700), "connect-back"), std::nullopt);
  EXPECT_EQ(local_failure_of(connected_after(1), "connect-back"), std::nullopt);
}

// Whatever the error, a socket that never opened sent nothing.
TEST(LocalFailureOf, ASocketThatDidNotOpenIsLocalWhateverTheError) {
  auto attempt = failed_with(errno_code(EPERM));
  attempt.open_failed = true;
  const auto failure = local_failure_of(attempt, "control probe");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->what, "control probe: cannot open a socket: " + errno_code(EPERM).message());
}

}  // namespace
}  // namespace reachback::relay

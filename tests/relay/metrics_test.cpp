// SPDX-License-Identifier: MIT
#include "relay/metrics.hpp"

#include <gtest/gtest.h>

#include <string>

#include "relay/metrics_endpoint.hpp"

namespace reachback::relay {
namespace {

using std::chrono::milliseconds;

session_summary ended(std::vector<std::string> outcomes, milliseconds duration) {
  return {.ended = {},
          .client = "203.0.113.7:51234",
          .ports = {},
          .outcomes = std::move(outcomes),
          .duration = duration};
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

TEST(RelayMetrics, NothingRecordedStillDescribesEveryFamily) {
  const auto text = relay_metrics{}.prometheus_text(0);
  for (const std::string family :
       {"reachback_relay_sessions_open gauge", "reachback_relay_sessions_total counter",
        "reachback_relay_probes_total counter", "reachback_relay_limits_hit_total counter",
        "reachback_relay_errors_total counter",
        "reachback_relay_session_duration_seconds histogram"}) {
    EXPECT_TRUE(has_line(text, "# TYPE " + family)) << family;
  }
  EXPECT_TRUE(has_line(text, "reachback_relay_sessions_total 0"));
  EXPECT_TRUE(has_line(text, R"(reachback_relay_session_duration_seconds_bucket{le="+Inf"} 0)"));
}

TEST(RelayMetrics, OutcomesLimitsAndErrorsAreCountedApart) {
  relay_metrics metrics;
  metrics.record(ended({"verified", "refused", "verified"}, milliseconds{300}));
  metrics.record(ended({"error:too_many_sessions"}, milliseconds{1}));
  metrics.record(ended({"verified", "error:rate_limited"}, milliseconds{900}));
  metrics.record(ended({"error:unauthorized"}, milliseconds{2}));
  const auto text = metrics.prometheus_text(3);
  EXPECT_TRUE(has_line(text, "reachback_relay_sessions_open 3"));
  EXPECT_TRUE(has_line(text, "reachback_relay_sessions_total 4"));
  EXPECT_TRUE(has_line(text, R"(reachback_relay_probes_total{outcome="verified"} 3)"));
  EXPECT_TRUE(has_line(text, R"(reachback_relay_probes_total{outcome="refused"} 1)"));
  EXPECT_TRUE(has_line(text, R"(reachback_relay_limits_hit_total{limit="too_many_sessions"} 1)"));
  EXPECT_TRUE(has_line(text, R"(reachback_relay_limits_hit_total{limit="rate_limited"} 1)"));
  EXPECT_TRUE(has_line(text, R"(reachback_relay_errors_total{code="unauthorized"} 1)"));
  EXPECT_EQ(text.find("error:"), std::string::npos);
}

TEST(RelayMetrics, DurationBucketsAreCumulative) {
  relay_metrics metrics;
  metrics.record(ended({}, milliseconds{40}));
  metrics.record(ended({}, milliseconds{250}));
  metrics.record(ended({}, milliseconds{31'000}));
  const auto text = metrics.prometheus_text(0);
  const std::string bucket = "reachback_relay_session_duration_seconds_bucket";
  EXPECT_TRUE(has_line(text, bucket + R"({le="0.050000000000000003"} 1)") ||
              has_line(text, bucket + R"({le="0.05"} 1)"));
  EXPECT_TRUE(has_line(text, bucket + R"({le="0.25"} 2)"));
  EXPECT_TRUE(has_line(text, bucket + R"({le="30"} 2)"));
  EXPECT_TRUE(has_line(text, bucket + R"({le="+Inf"} 3)"));
  EXPECT_TRUE(has_line(text, "reachback_relay_session_duration_seconds_sum 31.289999999999999") ||
              has_line(text, "reachback_relay_session_duration_seconds_sum 31.29"));
  EXPECT_TRUE(has_line(text, "reachback_relay_session_duration_seconds_count 3"));
}

struct http_case {
  std::string name;
  std::string request;
  std::string status_line;
  bool has_body;
};

class MetricsHttpAnswer : public ::testing::TestWithParam<http_case> {};

TEST_P(MetricsHttpAnswer, AnswersWithTheRightStatus) {
  const auto answer = metrics_http_answer(GetParam().request, "metric 1\n");
  EXPECT_TRUE(answer.starts_with(GetParam().status_line + "\r\n")) << answer;
  EXPECT_EQ(answer.ends_with("\r\n\r\nmetric 1\n"), GetParam().has_body) << answer;
  EXPECT_NE(answer.find("\r\nConnection: close\r\n"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Requests, MetricsHttpAnswer,
    ::testing::Values(
        http_case{"get_metrics", "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK",
                  true},
        http_case{"head_metrics", "HEAD /metrics HTTP/1.0\r\n\r\n", "HTTP/1.1 200 OK", false},
        http_case{"other_path", "GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404 Not Found", false},
        http_case{"query_is_another_path", "GET /metrics?x=1 HTTP/1.1\r\n\r\n",
                  "HTTP/1.1 404 Not Found", false},
        http_case{"post", "POST /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 405 Method Not Allowed",
                  false},
        http_case{"not_http", "hello\r\n\r\n", "HTTP/1.1 400 Bad Request", false},
        http_case{"no_version", "GET /metrics\r\n\r\n", "HTTP/1.1 400 Bad Request", false},
        http_case{"empty", "", "HTTP/1.1 400 Bad Request", false}),
    [](const auto& test_case) { return test_case.param.name; });

}  // namespace
}  // namespace reachback::relay

// SPDX-License-Identifier: MIT
#include "client/platform/http_servicestate.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <utility>

namespace reachback::client::platform {
namespace {

// `netsh http show servicestate view=requestq verbose=no` in the shape
// Windows 10 before 1809 and Server 2016 print: "Process IDs:" with one id
// per line. Layout and labels follow published captures; ids, paths and
// URLs are made up. An IIS application pool, then a program's HttpListener.
constexpr std::string_view english_process_ids = R"(
Snapshot of HTTP service state (Request Queue View):
-----------------------------------------------------

Request queue name: DefaultAppPool
    Version: 2.0
    State: Active
    Request queue 503 verbosity level: Limited
    Max requests: 1000
    Number of active processes attached: 1
    Controller process ID: 2140
    Process IDs:
        5120
    URL groups:
    URL group ID: FF00000140000001
        State: Active
        Request queue name: DefaultAppPool
        Properties:
            Max bandwidth: inherited
            Max connections: inherited
            Timeouts:
                Timeout values inherited
            Number of registered URLs: 2
            Registered URLs:
                HTTP://*:80/
                HTTPS://*:443/
        Server session ID: FE00000120000001
            Version: 2.0
            State: Active
            Properties:
                Max bandwidth: 4294967295
                Timeouts:
                    Entity body timeout (secs): 120
                    Idle connection timeout (secs): 120

Request queue name: Request queue is unnamed.
    Version: 2.0
    State: Active
    Request queue 503 verbosity level: Basic
    Max requests: 1000
    Number of active processes attached: 1
    Process IDs:
        7312
    URL groups:
    URL group ID: FD00000340000001
        State: Active
        Request queue name: Request queue is unnamed.
        Properties:
            Max bandwidth: inherited
            Number of registered URLs: 1
            Registered URLs:
                HTTP://LOCALHOST:8080/
        Server session ID: FC00000320000001
            Version: 2.0
            State: Active
)";

// The shape of Windows 10 1809 and later, Windows 11 and Server 2019+:
// "Processes:" with "ID: N, image: PATH", the services hosted, and the URLs
// right below. WinRM in its svchost, then a program's HttpListener whose
// image netsh may not read ("<?>", when not run as administrator).
constexpr std::string_view english_processes = R"(
Snapshot of HTTP service state (Request Queue View):
-----------------------------------------------------

Request queue name: Request queue is unnamed.
    Version: 2.0
    State: Active
    Request queue 503 verbosity level: Basic
    Max requests: 1000
    Active requests: 0
    Queued requests: 0
    Max queued request age: 0s
    Requests arrived: 12
    Requests rejected: 0
    Cache hits: 0
    Number of active processes attached: 1
    Processes:
        ID: 3568, image: C:\Windows\System32\svchost.exe
        Services: WinRM
        Tagged Service: WinRM
    Registered URLs:
        HTTP://+:5985/WSMAN/
        HTTP://+:47001/WSMAN/

Request queue name: Request queue is unnamed.
    Version: 2.0
    State: Active
    Request queue 503 verbosity level: Basic
    Max requests: 1000
    Number of active processes attached: 1
    Processes:
        ID: 9020, image: <?>
    Registered URLs:
        HTTP://+:3000/
        HTTP://[::1]:3001/
)";

// The Windows 11 shape with every label and the title in German, written
// for this test (not captured: the real wording may differ, which is the
// point, since the parser reads no label).
constexpr std::string_view german_processes = R"(
Momentaufnahme des HTTP-Dienststatus (Anforderungswarteschlangenansicht):
-------------------------------------------------------------------------

Name der Anforderungswarteschlange: Die Anforderungswarteschlange ist unbenannt.
    Version: 2.0
    Status: Aktiv
    Maximale Anforderungen: 1000
    Anzahl angefügter aktiver Prozesse: 2
    Prozesse:
        ID: 4410, Abbild: C:\Windows\System32\svchost.exe
        Dienste: SSTPSvc
        Markierter Dienst: SSTPSvc
        ID: 4412, Abbild: C:\Program Files\Verkäufe\server.exe
    Registrierte URLs:
        HTTPS://+:443/SRA_{BA195980-CD49-458B-9E23-C84EE0ADCD75}/
)";

// netsh writes in the console's OEM code page: ü and ä as code page 850 bytes.
std::string in_code_page_850(std::string_view utf8) {
  std::string out(utf8);
  for (const auto& [from, to] : {std::pair<std::string_view, std::string_view>{"ü", "\x81"},
                                 std::pair<std::string_view, std::string_view>{"ä", "\x84"}}) {
    for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at)) {
      out.replace(at, from.size(), to);
    }
  }
  return out;
}

// The older shape with French labels, written for this test likewise, as
// a UTF-8 console (chcp 65001) prints it.
constexpr std::string_view french_process_ids = R"(
Instantané de l'état du service HTTP (vue File d'attente des demandes) :
------------------------------------------------------------------

Nom de la file d'attente des demandes : DefaultAppPool
    Version : 2.0
    Nombre de processus actifs attachés : 2
    ID de processus :
        5120
        5124
    Groupes d'URL :
    ID du groupe d'URL : FF00000140000001
        URL inscrites :
            HTTP://*:8081/
)";

// Only the title: http.sys has no request queue.
constexpr std::string_view english_empty = R"(
Snapshot of HTTP service state (Request Queue View):
-----------------------------------------------------

)";

// An IIS pool started on demand: no worker process yet, only WAS's
// controller id, which is a labelled number and not read.
constexpr std::string_view demand_start = R"(
Snapshot of HTTP service state (Request Queue View):
-----------------------------------------------------

Request queue name: SitePool
    Version: 2.0
    State: Active
    Number of active processes attached: 0
    Controller process ID: 3356
    Process IDs:
    URL groups:
    URL group ID: FF00000040000001
        Registered URLs:
            HTTP://127.0.0.1:8000:127.0.0.1/
)";

std::string with_crlf(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

TEST(http_servicestate, reads_process_id_lists_and_urls_of_each_queue) {
  const auto state = parse_http_servicestate(english_process_ids);
  EXPECT_TRUE(state.recognised);
  ASSERT_EQ(state.queues.size(), 2U);
  EXPECT_EQ(state.queues[0].processes, (std::vector<http_queue_process>{{5120, ""}}));
  EXPECT_EQ(state.queues[0].urls, (std::vector<std::string>{"HTTP://*:80/", "HTTPS://*:443/"}));
  EXPECT_EQ(state.queues[1].processes, (std::vector<http_queue_process>{{7312, ""}}));
  EXPECT_EQ(state.queues[1].urls, (std::vector<std::string>{"HTTP://LOCALHOST:8080/"}));
}

TEST(http_servicestate, reads_process_lines_with_images) {
  const auto state = parse_http_servicestate(english_processes);
  EXPECT_TRUE(state.recognised);
  ASSERT_EQ(state.queues.size(), 2U);
  EXPECT_EQ(state.queues[0].processes,
            (std::vector<http_queue_process>{{3568, R"(C:\Windows\System32\svchost.exe)"}}));
  EXPECT_EQ(state.queues[0].urls,
            (std::vector<std::string>{"HTTP://+:5985/WSMAN/", "HTTP://+:47001/WSMAN/"}));
  // "<?>" is netsh saying it could not read the image.
  EXPECT_EQ(state.queues[1].processes, (std::vector<http_queue_process>{{9020, ""}}));
  EXPECT_EQ(state.queues[1].urls,
            (std::vector<std::string>{"HTTP://+:3000/", "HTTP://[::1]:3001/"}));
}

TEST(http_servicestate, reads_translated_output_by_its_structure) {
  const auto german_state = parse_http_servicestate(in_code_page_850(german_processes));
  EXPECT_TRUE(german_state.recognised);
  ASSERT_EQ(german_state.queues.size(), 1U);
  ASSERT_EQ(german_state.queues[0].processes.size(), 2U);
  EXPECT_EQ(german_state.queues[0].processes[0],
            (http_queue_process{4410, R"(C:\Windows\System32\svchost.exe)"}));
  // The OEM byte stays as netsh wrote it.
  EXPECT_EQ(german_state.queues[0].processes[1],
            (http_queue_process{4412, "C:\\Program Files\\Verk\x84ufe\\server.exe"}));
  EXPECT_EQ(
      german_state.queues[0].urls,
      (std::vector<std::string>{"HTTPS://+:443/SRA_{BA195980-CD49-458B-9E23-C84EE0ADCD75}/"}));

  const auto french_state = parse_http_servicestate(french_process_ids);
  EXPECT_TRUE(french_state.recognised);
  ASSERT_EQ(french_state.queues.size(), 1U);
  EXPECT_EQ(french_state.queues[0].processes, (std::vector<http_queue_process>{{5120, ""}, {5124, ""}}));
  EXPECT_EQ(french_state.queues[0].urls, (std::vector<std::string>{"HTTP://*:8081/"}));
}

TEST(http_servicestate, reads_windows_line_ends) {
  EXPECT_EQ(parse_http_servicestate(with_crlf(english_processes)),
            parse_http_servicestate(english_processes));
  EXPECT_EQ(parse_http_servicestate(with_crlf(english_process_ids)),
            parse_http_servicestate(english_process_ids));
}

TEST(http_servicestate, an_empty_service_state_is_recognised_with_no_queues) {
  const auto state = parse_http_servicestate(english_empty);
  EXPECT_TRUE(state.recognised);
  EXPECT_TRUE(state.queues.empty());
}

TEST(http_servicestate, a_queue_with_no_process_keeps_its_urls) {
  const auto state = parse_http_servicestate(demand_start);
  ASSERT_EQ(state.queues.size(), 1U);
  EXPECT_TRUE(state.queues[0].processes.empty());
  EXPECT_EQ(state.queues[0].urls, (std::vector<std::string>{"HTTP://127.0.0.1:8000:127.0.0.1/"}));
}

TEST(http_servicestate, other_text_is_not_recognised) {
  for (const std::string_view text : {
           std::string_view{},
           std::string_view{"\r\n\r\n"},
           std::string_view{
               "The following command was not found: http show servicestate view=requestq.\r\n"},
           std::string_view{
               "The requested operation requires elevation (Run as administrator).\r\n"},
           std::string_view{"-----\n"},
           std::string_view{"\0\0\xff\xfe", 4},
       }) {
    const auto state = parse_http_servicestate(text);
    EXPECT_FALSE(state.recognised) << text;
    EXPECT_TRUE(state.queues.empty()) << text;
  }
}

TEST(http_servicestate, text_after_a_url_is_not_part_of_it) {
  const auto state = parse_http_servicestate("Queue: a\n  1234\n  HTTP://+:80/ <-- this one\n");
  ASSERT_EQ(state.queues.size(), 1U);
  EXPECT_EQ(state.queues[0].urls, (std::vector<std::string>{"HTTP://+:80/"}));
}

TEST(http_servicestate, a_pid_listed_twice_is_kept_once_with_its_image) {
  const auto state =
      parse_http_servicestate("Queue: a\n  77\n  ID: 77, image: C:\\x.exe\n  http://+:1/\n");
  ASSERT_EQ(state.queues.size(), 1U);
  EXPECT_EQ(state.queues[0].processes, (std::vector<http_queue_process>{{77, "C:\\x.exe"}}));
}

TEST(http_servicestate, numbers_that_are_no_pid_are_ignored) {
  const auto state = parse_http_servicestate(
      "Queue: a\n  0\n  4294967296\n  -5\n  ID: 0, image: x\n  ID: 12x, image: y\n  http://+:1/\n");
  ASSERT_EQ(state.queues.size(), 1U);
  EXPECT_TRUE(state.queues[0].processes.empty());
}

TEST(http_servicestate, every_truncation_parses_to_no_more_queues) {
  const auto full = parse_http_servicestate(english_process_ids).queues.size();
  for (std::size_t length = 0; length <= english_process_ids.size(); ++length) {
    EXPECT_LE(parse_http_servicestate(english_process_ids.substr(0, length)).queues.size(), full)
        << "length " << length;
  }
}

struct url_sample {
  std::string name;
  std::string url;
  std::optional<std::uint16_t> port;
  friend void PrintTo(const url_sample& c, std::ostream* os) { *os << c.name; }
};

const url_sample url_samples[] = {
    {"strong_wildcard", "HTTP://+:80/", 80},
    {"weak_wildcard_https", "https://*:443/app/", 443},
    {"localhost", "http://localhost:8080/", 8080},
    {"host_name", "HTTP://WWW.EXAMPLE.COM:8443/SITE/", 8443},
    {"default_http", "HTTP://+/", 80},
    {"default_https", "HTTPS://*/SSTP/", 443},
    {"default_no_path", "http://example.com", 80},
    {"ipv6_literal", "HTTP://[::1]:3001/", 3001},
    {"ipv6_default", "HTTPS://[FE80::1]/", 443},
    {"ip_bound_form", "HTTP://127.0.0.1:8000:127.0.0.1/", 8000},
    {"highest_port", "http://+:65535/", 65535},
    {"port_zero", "http://+:0/", std::nullopt},
    {"port_too_big", "http://+:65536/", std::nullopt},
    {"port_not_numeric", "http://+:http/", std::nullopt},
    {"port_empty", "http://+:/", std::nullopt},
    {"no_host", "http://:80/", std::nullopt},
    {"empty_brackets", "http://[]:80/", std::nullopt},
    {"unclosed_bracket", "http://[::1:80/", std::nullopt},
    {"garbage_after_bracket", "http://[::1]x/", std::nullopt},
    {"other_scheme", "ftp://+:21/", std::nullopt},
    {"no_scheme", "+:80/", std::nullopt},
    {"empty", "", std::nullopt},
};

class http_url : public testing::TestWithParam<url_sample> {};

TEST_P(http_url, gives_its_port) { EXPECT_EQ(http_url_port(GetParam().url), GetParam().port); }

INSTANTIATE_TEST_SUITE_P(samples, http_url, testing::ValuesIn(url_samples),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(http_urls_on_port, picks_the_urls_of_one_port_from_every_queue_once) {
  const std::vector<http_request_queue> queues{
      {{{5120, ""}}, {"HTTP://*:80/", "HTTPS://*:443/", "HTTP://+:80/EXTRA/"}},
      {{}, {"HTTP://+:8080/", "HTTP://*:80/"}},
  };
  EXPECT_EQ(http_urls_on_port(queues, 80),
            (std::vector<std::string>{"HTTP://*:80/", "HTTP://+:80/EXTRA/"}));
  EXPECT_EQ(http_urls_on_port(queues, 443), (std::vector<std::string>{"HTTPS://*:443/"}));
  EXPECT_TRUE(http_urls_on_port(queues, 3000).empty());
}

}  // namespace
}  // namespace reachback::client::platform

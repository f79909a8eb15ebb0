// SPDX-License-Identifier: MIT
// probe-relay: the public half of reachback. CLI, then config, then the
// relay, then the exit code:
//   0  stopped by SIGINT or SIGTERM (or --help / --version)
//   1  an address could not be bound, or the relay cannot run at all
//   2  bad arguments or a bad config file

#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "common/cli_compat.hpp"

#include "config/config_error.hpp"
#include "config/relay_config.hpp"
#include "relay/fd_budget.hpp"
#include "relay/listen_address.hpp"
#include "relay/server.hpp"
#include "relay/session_log.hpp"
#include "version.hpp"

namespace {

constexpr int exit_cannot_run = 1;
constexpr int exit_usage = 2;

struct relay_options {
  std::string config_file;          ///< empty: the default path, if it exists
  std::vector<std::string> listen;  ///< replaces the config's list when given
  std::string log_format;  ///< "text" or "json"; replaces the config's when given
};

// A check from the parser the config file uses for the same value, so the
// command line and the file accept the same text. `shape` is what --help
// shows, `expected` what the one-line error says was expected.
template <typename Parse>
CLI::Validator parsed_by(Parse parse, const std::string& expected, const std::string& shape) {
  return CLI::Validator(
      [parse, expected](const std::string& text) {
        return parse(text) ? std::string() : "expected " + expected + ", got '" + text + "'";
      },
      shape);
}

void setup_relay(CLI::App& app, relay_options& opts) {
  app.set_version_flag("--version", "probe-relay " + std::string(reachback::project_version));
  app.add_option("--config", opts.config_file, "Relay config (TOML)")
      ->option_text("FILE (default: " +
                    std::string(reachback::config::default_relay_config_path) + " if present)");
  app.add_option("--listen", opts.listen,
                 "Address to listen on, repeatable; replaces the config's list "
                 "(0.0.0.0:4750 and [::]:4750 by default)")
      ->option_text("ADDR:PORT ...")
      ->check(parsed_by([](const std::string& text) { return reachback::relay::parse_listen_endpoint(text); },
                        "ADDR:PORT with a numeric address", "ADDR:PORT"));
  app.add_option("--log-format", opts.log_format,
                 "How log lines are written: text, or json (one object per line); replaces "
                 "the config's log_format")
      ->option_text("text|json")
      ->check(parsed_by([](const std::string& text) { return reachback::config::log_format_from_string(text); },
                        "text or json", "text|json"));
  // help2man makes the manual page from this text (cmake/Packaging.cmake).
  app.footer(
      "Exit status:\n"
      "  0  stopped by SIGINT or SIGTERM\n"
      "  1  cannot listen, or cannot run at all\n"
      "  2  bad arguments or config\n"
      "\n"
      "Files:\n"
      "  /etc/reachback/relay.toml\n"
      "                              The relay's settings; the package installs one that documents every key and its default.");
}

reachback::config::relay_config load_config(const relay_options& opts) {
  namespace config = reachback::config;
  if (!opts.config_file.empty()) {
    return config::load_relay_config(opts.config_file);
  }
  const std::filesystem::path fallback(config::default_relay_config_path);
  std::error_code ignored;
  return std::filesystem::exists(fallback, ignored) ? config::load_relay_config(fallback)
                                                    : config::relay_config{};
}

// The --log-format given, else `configured`.
reachback::config::log_format format_or(const relay_options& opts,
                                        reachback::config::log_format configured) {
  return reachback::config::log_format_from_string(opts.log_format).value_or(configured);
}

// At once, before anything listens: every probe socket takes a descriptor,
// and a probe that finds none free can only answer `internal`.
void raise_fd_limit(const reachback::config::relay_config& config,
                    const reachback::relay::log_sink& log) {
  namespace relay = reachback::relay;
  const auto limit = relay::raise_fd_limit();
  if (!limit) return;
  const auto needed = relay::fds_needed(config);
  if (auto warning = relay::fd_limit_warning(*limit, needed, config.limits.sessions_total)) {
    log(*warning);
  }
}

int run_relay_cli(const relay_options& opts) {
  reachback::config::relay_config config;
  try {
    config = load_config(opts);
  } catch (const std::exception& e) {
    // config_error by contract; anything else from reading the file is as fatal.
    reachback::relay::stderr_log(format_or(opts, config.log_format))(std::string("probe-relay: ") +
                                                                     e.what());
    return exit_usage;
  }
  if (!opts.listen.empty()) {
    config.listen = opts.listen;
  }
  config.log_format = format_or(opts, config.log_format);
  const auto log = reachback::relay::stderr_log(config.log_format);
  raise_fd_limit(config, log);
  return reachback::relay::run_relay(config, log);
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"probe-relay: connects back to reachback clients to test their forwarded ports",
               "probe-relay"};
  relay_options opts;
  setup_relay(app, opts);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too, with exit code 0.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);
    }
    reachback::relay::stderr_log()(std::string("probe-relay: ") + e.what());
    return exit_usage;
  }
  return run_relay_cli(opts);
} catch (const std::exception& e) {
  // Out of memory and the like, outside any session: the relay cannot run.
  reachback::relay::stderr_log()(std::string("probe-relay: cannot run: ") + e.what());
  return exit_cannot_run;
}

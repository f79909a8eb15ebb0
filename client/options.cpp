// SPDX-License-Identifier: MIT
#include "options.hpp"

#include <cstdlib>
#include <ostream>

#include "common/cli_compat.hpp"
#include "common/messages.hpp"
#include "config/client_config.hpp"
#include "config/config_error.hpp"
#include "config/seconds_range.hpp"
#include "exit_codes.hpp"
#include "fix_plan.hpp"
#include "version.hpp"

namespace reachback::client {
namespace {

/// What the command line said; unset fields leave lower layers in place.
struct flags {
  std::string relay;
  int port = 0;
  bool udp = false;
  bool ipv4_only = false;
  bool ipv6_only = false;
  bool json = false;
  bool listen = false;
  bool service = false;
  std::string timeout;
  std::string token;
  std::string config_file;
  bool no_routers = false;
  bool fix = false;
  bool unfix = false;
  bool yes = false;
  std::string lease;
};

/// The number `text` spells in full, or nullopt.
std::optional<double> number_in(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

/// A range check whose message names the value: CLI11 2.1.2's own Range
/// prints doubles as "0.100000" and calls "abc" out of range.
CLI::Validator within(double low, double high, const std::string& what) {
  return CLI::Validator(
      [=](const std::string& text) -> std::string {
        const auto value = number_in(text);
        if (!value) return "'" + text + "' is not a number";
        if (*value < low || *value > high) return "'" + text + "' is outside " + what;
        return {};
      },
      "");
}

/// The timeout in `text`, seconds as --timeout and REACHBACK_TIMEOUT take
/// it; nullopt when it is not a number or is out of bounds.
std::optional<std::chrono::milliseconds> timeout_from_text(const std::string& text) {
  const auto seconds = number_in(text);
  return seconds ? config::client_timeout_range.to_milliseconds(*seconds) : std::nullopt;
}

/// --timeout's check: the rule REACHBACK_TIMEOUT and timeout_seconds follow too.
CLI::Validator timeout_seconds() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        if (!number_in(text)) return "'" + text + "' is not a number";
        if (!timeout_from_text(text)) return "'" + text + "' is outside " + config::client_timeout_range.text() + " seconds";
        return {};
      },
      "");
}

/// A whole number of seconds from 0 to `high`: CLI11 2.1.2 would take "1.5"
/// or "1e3" for an integer option and say little about it.
CLI::Validator whole_seconds(std::uint32_t high) {
  return CLI::Validator(
      [=](const std::string& text) -> std::string {
        if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
          return "'" + text + "' is not a whole number of seconds";
        if (std::stoul(text) > high) return "'" + text + "' is outside 0-" + std::to_string(high) + " seconds";
        return {};
      },
      "");
}

void setup(CLI::App& app, flags& f) {
  app.description(
      "Finds out why a port on this machine cannot be reached from the internet: checks the port locally, "
      "asks a reachback relay to connect back and to walk the path, and names the hop that blocks.");
  // help2man makes the manual page from this text (cmake/Packaging.cmake):
  // "Heading:" lines start its sections, and a line indented like the
  // options' descriptions (30 columns) describes the entry above it.
  app.footer(
      "Exit status:\n"
      "  0  reachable; with --fix, after the fix or already; with --unfix, done (removed, gone,\n"
      "     or no longer ours and left alone)\n"
      "  1  not reachable: the report says where and why; with --fix, mapped but still not reachable\n"
      "  2  usage or config error\n"
      "  3  could not reach or talk to the relay\n"
      "  4  --fix made no change: nothing a mapping can fix, a conflict, or declined\n"
      "  5  --fix: a mapping failed (the ones made in this run are undone); --unfix: a removal failed\n"
      "\n"
      "Examples:\n"
      "  probe-client --relay vps.example.net --port 3000\n"
      "                              Why can the internet not reach TCP port 3000 here? Names the hop that blocks it.\n"
      "  probe-client --relay vps.example.net --port 51820 --udp\n"
      "                              The same for a UDP port (WireGuard); your server must answer the relay's datagram.\n"
      "  probe-client --relay vps.example.net --port 3000 --fix\n"
      "                              Then maps the port on the routers in the way, by UPnP or NAT-PMP, and probes again.");
  app.set_version_flag("--version", "probe-client " + std::string(project_version));
  app.add_option("--port", f.port, "Port your server should serve (TCP, or UDP with --udp), 1-65535")
      ->required()
      ->type_name("N")
      ->check(within(1, 65535, "1-65535"));
  app.add_flag("--udp", f.udp,
               "Probe the UDP port: the relay sends a datagram and waits for an answer (needs a relay with "
               "udp_probe)");
  auto* ipv4 = app.add_flag("-4", f.ipv4_only, "Test IPv4 only (default: IPv4, and IPv6 when both ends have it)");
  auto* ipv6 = app.add_flag("-6", f.ipv6_only, "Test IPv6 only");
  ipv4->excludes(ipv6);
  app.add_option("--relay", f.relay, "Relay to ask (port 4750 if left out)")->type_name("HOST[:PORT]")->group("Relay");
  app.add_option("--timeout", f.timeout,
                 "How long to wait for the relay, " + config::client_timeout_range.text() + " (default 10)")
      ->type_name("SECONDS")
      ->check(timeout_seconds())
      ->group("Relay");
  app.add_option("--token", f.token, "Auth token, for relays that require one")->type_name("TOKEN")->group("Relay");
  auto* listen = app.add_flag("--listen", f.listen, "Always use probe-client's own listener; a held port is a conflict")
                     ->group("Mode (default: own listener on a free port, your server on a held one)");
  auto* service = app.add_flag("--service", f.service, "Probe the server already listening on the port")
                      ->group("Mode (default: own listener on a free port, your server on a held one)");
  listen->excludes(service);
  app.add_flag("--no-routers", f.no_routers,
               "Do not ask the routers on the path about themselves (UPnP IGD, NAT-PMP, PCP)")
      ->group("Mode (default: own listener on a free port, your server on a held one)");
  app.add_flag("--json", f.json, "Print the report as JSON (schema reachback.report/1), nothing else")
      ->group("Output");
  const std::string fix_group = "Fix (map the port on your routers by UPnP or NAT-PMP)";
  auto* fix = app.add_flag("--fix", f.fix,
                           "After the diagnosis, map the port on the routers in the way (shows the changes and asks "
                           "first), then probe again")
                  ->group(fix_group);
  auto* unfix = app.add_flag("--unfix", f.unfix, "Remove the mappings --fix made for --port (no relay needed)")
                    ->group(fix_group);
  fix->excludes(unfix);
  app.add_flag("--yes", f.yes, "With --fix: apply without asking")->group(fix_group)->needs(fix);
  app.add_option("--lease", f.lease,
                 "With --fix: how long the mappings last, 0-" + std::to_string(max_lease_seconds) +
                     " seconds; 0 is permanent (UPnP only; default 7200)")
      ->type_name("SECONDS")
      ->check(whole_seconds(max_lease_seconds))
      ->group(fix_group)
      ->needs(fix);
  app.add_option("--config", f.config_file, "Read this client.toml instead of the one in the user's config directory "
                 "($XDG_CONFIG_HOME/reachback, ~/.config/reachback, %APPDATA%\\reachback)")
      ->type_name("FILE")
      ->group("Config (defaults < file < REACHBACK_* environment < flags)");
}

config::client_config load_file_layer(const flags& f, const env_lookup& env) {
  if (!f.config_file.empty()) return config::load_client_config(f.config_file);
  const auto dir = platform::user_config_dir(env);
  if (!dir) return {};
  const auto path = *dir / "client.toml";
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return config::load_client_config(path);
  return {};
}

/// Environment sits between the file and the flags.
void apply_env(config::client_config& c, const env_lookup& env) {
  if (auto relay = env("REACHBACK_RELAY")) c.relay = *relay;
  if (auto token = env("REACHBACK_TOKEN")) c.token = *token;
  if (auto text = env("REACHBACK_TIMEOUT")) {
    const auto timeout = timeout_from_text(*text);
    if (!timeout)
      throw config::config_error("REACHBACK_TIMEOUT: expected seconds " + config::client_timeout_range.between() +
                                 ", got '" + *text + "'");
    c.timeout = *timeout;
  }
}

client_options merge(const flags& f, config::client_config c) {
  if (!f.relay.empty()) c.relay = f.relay;
  if (!f.token.empty()) c.token = f.token;
  // --timeout's validator has already accepted the text.
  if (!f.timeout.empty()) c.timeout = *timeout_from_text(f.timeout);
  client_options o;
  o.action = f.fix ? client_action::fix : f.unfix ? client_action::unfix : client_action::diagnose;
  o.port = static_cast<std::uint16_t>(f.port);
  o.protocol = f.udp ? transport::udp : transport::tcp;
  o.families = f.ipv4_only ? family_choice::ipv4_only : f.ipv6_only ? family_choice::ipv6_only : family_choice::both;
  o.json = f.json;
  o.assume_yes = f.yes;
  if (!f.lease.empty()) o.lease_seconds = static_cast<std::uint32_t>(std::stoul(f.lease));
  // --unfix talks to the routers alone: it needs, and contacts, no relay.
  if (o.action == client_action::unfix) return o;
  if (!c.relay) throw CLI::ValidationError("--relay", "no relay given: use --relay HOST[:PORT] or set relay in client.toml");
  const auto relay = parse_host_port(*c.relay, protocol::default_relay_port);
  if (!relay) throw CLI::ValidationError("--relay", "'" + *c.relay + "' is not HOST[:PORT] with a port from 1 to 65535");

  o.relay = *relay;
  o.mode = f.listen ? probe_mode::listen : f.service ? probe_mode::service : probe_mode::automatic;
  o.timeout = c.timeout;
  o.token = c.token;
  o.ask_routers = !f.no_routers;
  return o;
}

}  // namespace

parsed_options parse_options(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                             const env_lookup& env) {
  CLI::App app{"probe-client", "probe-client"};
  flags f;
  setup(app, f);
  try {
    app.parse(argc, argv);
    auto file = load_file_layer(f, env);
    apply_env(file, env);
    return {merge(f, std::move(file)), exit_reachable};
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return {std::nullopt, exit_reachable};
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << '\n';
    return {std::nullopt, exit_reachable};
  } catch (const CLI::ParseError& e) {
    err << "probe-client: " << e.what() << " (see --help)\n";
  } catch (const config::config_error& e) {
    err << "probe-client: " << e.what() << '\n';
  }
  return {std::nullopt, exit_usage};
}

}  // namespace reachback::client

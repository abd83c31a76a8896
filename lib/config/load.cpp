#include "config/load.hpp"

#include <algorithm>

#include "config/setting_spec.hpp"

namespace sluice::config {
namespace {

struct Chosen {
  std::string value;
  Origin origin;
  std::string source_name;  // how the user spelled it: --flag or VARIABLE
};

Chosen choose(const SettingSpec& spec, const CommandLine& line, const Environment& env) {
  if (auto it = line.values.find(spec.flag); it != line.values.end()) {
    return {it->second, Origin::flag, "--" + spec.flag};
  }
  if (auto it = env.find(spec.env); it != env.end() && !it->second.empty()) {
    return {it->second, Origin::env, spec.env};
  }
  return {spec.default_value, Origin::default_value, spec.env};
}

std::string shown_value(const SettingSpec& spec, const std::string& value) {
  if (spec.secret) return value.empty() ? "" : "<set, hidden>";
  return spec.display ? spec.display(value) : value;
}

std::string describe(const Chosen& chosen, const SettingSpec& spec, const Problem& problem) {
  std::string line = chosen.source_name + " " + problem.what;
  if (!problem.missing) {
    line += spec.secret ? " (value hidden)" : " (got '" + shown_value(spec, chosen.value) + "')";
  }
  return line + ": " + problem.fix;
}

bool has_control_character(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

// Values end up in request headers (the API key in Authorization), Redis
// commands and log lines, where CR/LF would start a new header or record.
// A lone trailing CR is what an env file with Windows line endings gives
// every variable, so that case says so. The value is never echoed: it may
// be a secret, and its invisible characters would only confuse.
std::string control_character_error(const Chosen& chosen) {
  const std::string_view value = chosen.value;
  const bool trailing_cr = value.back() == '\r' && !has_control_character(value.substr(0, value.size() - 1));
  if (trailing_cr) {
    return chosen.source_name +
           " contains a control character (a carriage return at the end: the env file has Windows CRLF "
           "line endings): convert the file to LF line endings, e.g. with dos2unix or sed -i 's/\\r$//'";
  }
  return chosen.source_name +
         " contains a control character (value hidden): remove it; values are one line of printable text";
}

// sentinel:// needs the master's name; the sentinel settings mean nothing
// without a sentinel:// URL.
void check_sentinel(const Settings& s, std::vector<std::string>& errors, std::vector<std::string>& warnings) {
  const bool backend_sentinel = s.result_backend && s.result_backend->uses_sentinel();
  if ((s.redis.uses_sentinel() || backend_sentinel) && s.sentinel_master.empty()) {
    errors.push_back(
        "SLUICE_REDIS_SENTINEL_MASTER is required with a sentinel:// URL: set it to the master name Celery "
        "uses (broker_transport_options master_name)");
  }
  if (s.redis.uses_sentinel() || backend_sentinel) return;
  if (!s.sentinel_master.empty() || !s.sentinel_username.empty() || !s.sentinel_password.empty() ||
      s.sentinel_tls || s.master_tls) {
    warnings.push_back("SLUICE_REDIS_SENTINEL_* and SLUICE_REDIS_MASTER_TLS are ignored: no URL is sentinel://");
  }
}

// Rules that involve more than one setting.
void check_combinations(const Settings& s, std::vector<std::string>& errors,
                        std::vector<std::string>& warnings) {
  if (s.sink == Sink::https && s.api_key.empty()) {
    errors.push_back(
        "SLUICE_API_KEY is required when the sink is https: set it to your Sluice API key "
        "(starts with sk_), or use --sink stdout for a dry run");
  }
  if (!s.api_key.empty() && !s.api_key.starts_with("sk_")) {
    warnings.push_back("SLUICE_API_KEY does not start with sk_: check that it is a Sluice API key");
  }
  if (s.sink == Sink::https && !s.api_url.tls && !is_loopback_host(s.api_url.host) &&
      !s.allow_insecure_http) {
    errors.push_back("SLUICE_API_URL uses plain http:// for a non-loopback host (got '" + s.api_url.host +
                     "'): use https://, or set SLUICE_ALLOW_INSECURE_HTTP=true if you really mean it");
  }
  if (s.reconnect_min > s.reconnect_max) {
    errors.push_back("SLUICE_RECONNECT_MIN is larger than SLUICE_RECONNECT_MAX: make the first "
                     "reconnect delay at most the longest one");
  }
  const bool redis_tls = s.redis.uses_sentinel() ? (s.sentinel_tls || s.master_tls)
                                                 : s.redis.transport == RedisUrl::Transport::tls;
  if (!redis_tls && !(s.redis_ca_file.empty() && s.redis_cert_file.empty() && s.redis_key_file.empty())) {
    warnings.push_back(s.redis.uses_sentinel()
                           ? "SLUICE_REDIS_CA_FILE/CERT_FILE/KEY_FILE are ignored: neither SLUICE_REDIS_SENTINEL_TLS "
                             "nor SLUICE_REDIS_MASTER_TLS is on"
                           : "SLUICE_REDIS_CA_FILE/CERT_FILE/KEY_FILE are ignored: SLUICE_REDIS_URL is not rediss://");
  }
  check_sentinel(s, errors, warnings);
  if (s.redis_cert_file.empty() != s.redis_key_file.empty()) {
    errors.push_back("SLUICE_REDIS_CERT_FILE and SLUICE_REDIS_KEY_FILE must be set together: "
                     "a client certificate needs its private key");
  }
}

}  // namespace

LoadResult load_settings(const CommandLine& line, const Environment& env) {
  LoadResult result;
  for (const SettingSpec& spec : setting_table()) {
    Chosen chosen = choose(spec, line, env);
    if (has_control_character(chosen.value)) {
      result.effective.push_back({spec.env, "<invalid: control character>", chosen.origin});
      result.errors.push_back(control_character_error(chosen));
      (void)spec.apply(result.settings, chosen.value);  // so rules on other settings see it set
      continue;
    }
    result.effective.push_back({spec.env, shown_value(spec, chosen.value), chosen.origin});
    if (auto problem = spec.apply(result.settings, chosen.value)) {
      result.errors.push_back(describe(chosen, spec, *problem));
    }
  }
  check_combinations(result.settings, result.errors, result.warnings);
  return result;
}

Environment environment_from(char** environ_array) {
  Environment env;
  for (char** entry = environ_array; entry && *entry; ++entry) {
    std::string text(*entry);
    auto eq = text.find('=');
    if (eq == std::string::npos) continue;
    env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return env;
}

}  // namespace sluice::config

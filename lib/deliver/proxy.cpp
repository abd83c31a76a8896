#include "deliver/proxy.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace sluice::deliver {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, in.size() - i);
    std::uint32_t word = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      word = (word << 8) | (j < n ? static_cast<unsigned char>(in[i + j]) : 0u);
    }
    for (std::size_t j = 0; j < 4; ++j) out += j <= n ? kAlphabet[(word >> (18 - 6 * j)) & 0x3f] : '=';
  }
  return out;
}

std::optional<std::string> first_set(const EnvLookup& env, std::string_view upper, std::string_view lower_name) {
  for (auto name : {upper, lower_name}) {
    if (auto value = env(name); value && !value->empty()) return value;
  }
  return std::nullopt;
}

// Splits "host[:port]" (IPv6 in brackets); port stays empty when absent.
bool split_host_port(std::string_view text, std::string& host, std::string_view& port) {
  if (text.starts_with("[")) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(text.substr(1, close - 1));
    text.remove_prefix(close + 1);
    if (!text.empty() && !text.starts_with(":")) return false;
    port = text.empty() ? std::string_view{} : text.substr(1);
    return true;
  }
  const auto colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find(':') != colon) {  // bare IPv6 address
    host = std::string(text);
    port = {};
    return true;
  }
  host = std::string(text.substr(0, colon));
  port = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  return true;
}

bool suffix_match(std::string_view host, std::string_view rule) {
  if (rule.starts_with(".")) rule.remove_prefix(1);
  if (host == rule) return true;
  return host.size() > rule.size() && host.ends_with(rule) && host[host.size() - rule.size() - 1] == '.';
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  };
}

Expected<ProxyEndpoint, std::string> parse_proxy_url(std::string_view text) {
  const std::string scheme_lower = lower(text.substr(0, std::min<std::size_t>(text.size(), 8)));
  if (scheme_lower.starts_with("https://")) {
    return Unexpected(std::string("https:// proxies are not supported; use an http:// proxy URL"));
  }
  if (scheme_lower.starts_with("http://")) text.remove_prefix(7);
  else if (text.find("://") != std::string_view::npos) return Unexpected(std::string("unsupported proxy scheme"));
  text = text.substr(0, text.find('/'));
  ProxyEndpoint proxy;
  if (const auto at = text.rfind('@'); at != std::string_view::npos) {
    proxy.authorization = "Basic " + base64(config::percent_decode(text.substr(0, at)));
    text.remove_prefix(at + 1);
  }
  std::string_view port;
  if (!split_host_port(text, proxy.host, port) || proxy.host.empty()) {
    return Unexpected(std::string("proxy URL has no host"));
  }
  if (!port.empty()) {
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), proxy.port);
    if (ec != std::errc{} || end != port.data() + port.size() || proxy.port == 0) {
      return Unexpected(std::string("proxy URL has an invalid port"));
    }
  }
  return proxy;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host_in, std::uint16_t port) {
  const std::string host = lower(host_in);
  std::size_t pos = 0;
  while (pos <= no_proxy.size()) {
    const auto end = std::min(no_proxy.find_first_of(", ", pos), no_proxy.size());
    const std::string entry = lower(no_proxy.substr(pos, end - pos));
    pos = end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    std::string rule_host;
    std::string_view rule_port;
    if (!split_host_port(entry, rule_host, rule_port) || rule_host.empty()) continue;
    if (!rule_port.empty() && rule_port != std::to_string(port)) continue;
    if (suffix_match(host, rule_host)) return true;
  }
  return false;
}

Expected<std::optional<ProxyEndpoint>, std::string> proxy_for(const config::HttpUrl& api, const EnvLookup& env) {
  using Result = std::optional<ProxyEndpoint>;
  if (!api.tls || config::is_loopback_host(api.host)) return Result{};
  const auto proxy_url = first_set(env, "HTTPS_PROXY", "https_proxy");
  if (!proxy_url) return Result{};
  if (const auto no_proxy = first_set(env, "NO_PROXY", "no_proxy");
      no_proxy && no_proxy_matches(*no_proxy, api.host, api.port)) {
    return Result{};
  }
  auto proxy = parse_proxy_url(*proxy_url);
  if (!proxy) return Unexpected("HTTPS_PROXY " + proxy.error());
  return Result{std::move(proxy).value()};
}

}  // namespace sluice::deliver

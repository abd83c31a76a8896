#include "observe/log.hpp"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "common/redact.hpp"

namespace sluice::observe {
namespace {

const char* level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

std::string iso_time(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// logfmt value: bare when safe, else double-quoted with \ " and controls escaped.
std::string logfmt_value(std::string_view value) {
  bool bare = !value.empty();
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) bare = false;
  }
  if (bare) return std::string(value);
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < ' ') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

Logger::Logger(std::ostream& out, Level min_level, Format format, WallClock clock)
    : out_(out), min_level_(min_level), format_(format), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

void Logger::add_secret(std::string secret) { add_secret_forms(secret, secrets_); }

std::string Logger::redact(std::string text) const { return sluice::redact(text, secrets_); }

void Logger::log(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  log(level, message, std::vector<Field>(fields));
}

void Logger::log(Level level, std::string_view message, const std::vector<Field>& fields) {
  if (!enabled(level)) return;
  // Redacted before rendering: escaping (a '"' or '\\' in a secret) would
  // otherwise change the text the secret is looked for in.
  std::vector<Field> clean;
  clean.reserve(fields.size());
  for (const auto& field : fields) clean.push_back({field.key, redact(field.value)});
  const std::string line = render(level, redact(std::string(message)), clean);
  std::lock_guard lock(write_mutex_);
  out_ << line << '\n' << std::flush;
}

std::string Logger::render(Level level, std::string_view message, const std::vector<Field>& fields) const {
  const std::string time = iso_time(clock_());
  if (format_ == Format::json) {
    nlohmann::json record = {{"time", time}, {"level", level_name(level)}, {"msg", message}};
    for (const auto& f : fields) record[f.key] = f.value;
    return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line = "time=" + time + " level=" + level_name(level) + " msg=" + logfmt_value(message);
  for (const auto& f : fields) line += " " + f.key + "=" + logfmt_value(f.value);
  return line;
}

bool LogRateLimiter::allow(const std::string& key, Clock::time_point now, std::uint64_t& suppressed) {
  Slot& slot = slots_[key];
  if (slot.used && now - slot.last < period_) {
    ++slot.held;
    return false;
  }
  suppressed = slot.held;
  slot = Slot{now, 0, true};
  return true;
}

}  // namespace sluice::observe

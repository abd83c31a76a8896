#pragma once
// Structured logging to one stream (stderr in the daemon): logfmt-style text
// or JSON, one record per line, with every registered secret redacted from
// the message and the fields before anything is written.

#include <chrono>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::observe {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

struct Field {
  std::string key;
  std::string value;
};

class Logger {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  Logger(std::ostream& out, Level min_level, Format format, WallClock clock = {});

  // Secrets (API key, Redis password) are replaced by "****" in every record.
  void add_secret(std::string secret);
  bool enabled(Level level) const { return level >= min_level_; }
  void log(Level level, std::string_view message, std::initializer_list<Field> fields = {});
  void log(Level level, std::string_view message, const std::vector<Field>& fields);

 private:
  std::string redact(std::string text) const;
  std::string render(Level level, std::string_view message, const std::vector<Field>& fields) const;

  std::ostream& out_;
  Level min_level_;
  Format format_;
  WallClock clock_;
  std::vector<std::string> secrets_;
  std::mutex write_mutex_;  // the benchmark driver may log from a second thread
};

// Lets one line per key through per period and counts what it held back, so
// a repeated condition logs "… (suppressed N similar)" instead of flooding.
class LogRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogRateLimiter(Clock::duration period) : period_(period) {}

  // True when a line for `key` may be written now; `suppressed` then holds
  // how many were held back since the last one.
  bool allow(const std::string& key, Clock::time_point now, std::uint64_t& suppressed);

 private:
  struct Slot {
    Clock::time_point last{};
    std::uint64_t held = 0;
    bool used = false;
  };
  Clock::duration period_;
  std::map<std::string, Slot> slots_;
};

}  // namespace sluice::observe

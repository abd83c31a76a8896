#pragma once
// A QueuePoller running on its own io thread against a test redis-server,
// recording every snapshot it hands out.

#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "source/queue_poller.hpp"
#include "support/io_thread.hpp"
#include "support/source_harness.hpp"

namespace sluice::testing {

inline source::QueuePollerOptions fast_poller_options(const config::RedisUrl& url) {
  source::QueuePollerOptions o;
  o.connect.url = url;
  o.connect.connect_timeout = Duration{2000};
  o.connect.command_timeout = Duration{2000};
  o.poll_interval = Duration{20};
  o.scan_interval = Duration{0};  // rescan every poll
  o.refresh_interval = Duration{60'000};
  return o;
}

class PollerRun {
 public:
  explicit PollerRun(source::QueuePollerOptions options)
      : poller_(io_.executor(), std::move(options), log_, metrics_,
                [this](const track::IngestEvent& e) { record(e); }) {
    io_.call([this] {
      metrics_.adopt_current_thread();  // built here, used on the loop from now on
      poller_.start();
    });
  }
  ~PollerRun() { stop(); }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    poller_.stop();
    io_.finish();
  }
  void note_queue(const std::string& name) {
    io_.call([&] { poller_.note_queue(name); });
  }
  std::uint64_t polls() {
    std::uint64_t n = 0;
    io_.call([&] { n = poller_.polls(); });
    return n;
  }
  double metric(const std::string& series) {
    std::string text;
    io_.call([&] { text = metrics_.render(); });
    return metric_value(text, series);
  }
  // The depth of the latest snapshot of `queue`, if any.
  std::optional<long long> depth(const std::string& queue) const {
    std::lock_guard lock(mutex_);
    for (auto it = snapshots_.rbegin(); it != snapshots_.rend(); ++it) {
      if (it->name == queue) return it->depth;
    }
    return std::nullopt;
  }
  std::vector<track::QueueSnapshot> snapshots() const {
    std::lock_guard lock(mutex_);
    return snapshots_;
  }
  std::size_t count(const std::string& queue) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& s : snapshots_) n += s.name == queue;
    return n;
  }
  // Only after stop().
  std::string log_text() const { return log_out_.str(); }
  source::QueuePoller& poller() { return poller_; }

 private:
  void record(const track::IngestEvent& e) {
    std::lock_guard lock(mutex_);
    snapshots_.push_back(std::get<track::QueueSnapshot>(e.body));
  }

  IoThread io_;
  std::ostringstream log_out_;
  observe::Logger log_{log_out_, observe::Level::debug, observe::Format::text};
  observe::Metrics metrics_;
  mutable std::mutex mutex_;
  std::vector<track::QueueSnapshot> snapshots_;
  source::QueuePoller poller_;
  bool stopped_ = false;
};

}  // namespace sluice::testing

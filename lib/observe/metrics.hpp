#pragma once
// A small Prometheus registry: counters, gauges, histograms and gauges read
// at scrape time, rendered as text exposition format 0.0.4. Stages keep a
// reference to their metric and bump it on the hot path (one atomic add);
// names and labels are resolved once, at registration (a hash lookup).
//
// Threads. A metric's value may be updated from any thread: Counter and
// Gauge are atomics, Histogram takes its own lock. The registry itself —
// registering, removing and rendering (which runs the callbacks, and they
// read state of the thread that registered them) — belongs to one thread,
// its owner: the thread that constructed it, or the last one that called
// adopt_current_thread(). Each of those calls checks that it runs on the
// owner and throws std::logic_error otherwise, so a registration from the
// delivery thread fails the first time it runs instead of racing a scrape.
// In the daemon the owner is the main (reading) thread; the delivery thread
// only updates values it was handed at construction.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sluice::observe {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observed on the delivery thread, rendered on the main one: a lock, taken a
// few hundred times a second at most.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);
  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Buckets and sum read together under the lock, so a rendering agrees
  // with itself while the delivery thread keeps observing.
  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bucket, cumulative; +Inf (the count) last
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; +Inf last
  double sum_ = 0;
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The same name and labels always return the same metric. Owner thread only.
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                       const Labels& labels = {});
  // A gauge whose value is computed when /metrics is scraped.
  void gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                      std::function<double()> read);
  // The same for a counter kept elsewhere (e.g. CPU time read from /proc).
  void counter_callback(std::string_view name, std::string_view help, const Labels& labels,
                        std::function<double()> read);

  // Drops one series (e.g. of a queue that is gone); references to it
  // dangle from then on. False when there was none. Owner thread only.
  bool remove(std::string_view name, const Labels& labels);

  // Owner thread only; the output grows with the series registered, so
  // whoever registers series from outside input must bound them.
  std::string render() const;

  // Hands the registry to the calling thread: for a registry built on one
  // thread and then used on an event loop running on another (the earlier
  // owner must be done with it, and the hand-over synchronised).
  void adopt_current_thread() { owner_ = std::this_thread::get_id(); }

 private:
  struct Family;
  Family& family(std::string_view name, std::string_view help, std::string_view type);
  void callback(std::string_view name, std::string_view help, std::string_view type, const Labels& labels,
                std::function<double()> read);
  void check_owner(const char* operation) const;

  std::thread::id owner_;
  std::vector<std::unique_ptr<Family>> families_;  // registration order
  std::unordered_map<std::string, Family*> by_name_;
  mutable std::size_t last_render_size_ = 0;       // to reserve the next rendering at once
};

// Prometheus label value escaping: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

}  // namespace sluice::observe

#include "observe/metrics.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <list>
#include <stdexcept>
#include <variant>

namespace sluice::observe {

namespace {

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return ec == std::errc{} ? std::string(buf, end) : std::string("NaN");
}

// Exposition format 0.0.4: HELP escapes backslash and newline, label values
// also the double quote.
std::string escape(std::string_view text, bool quote) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view help) { return escape(help, false); }

std::string label_text(const Labels& labels, const std::pair<std::string, std::string>* extra = nullptr) {
  if (labels.empty() && !extra) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::pair<std::string, std::string>& l) {
    if (!first) out += ',';
    out += l.first;
    out += "=\"";
    out += escape_label_value(l.second);
    out += '"';
    first = false;
  };
  for (const auto& l : labels) add(l);
  if (extra) add(*extra);
  return out + "}";
}

// One sample line, appended piece by piece (no temporaries).
void append_sample(std::string& out, std::string_view name, std::string_view suffix, std::string_view labels,
                   std::string_view value) {
  out += name;
  out += suffix;
  out += labels;
  out += ' ';
  out += value;
  out += '\n';
}

void render_histogram(std::string& out, const std::string& name, const Labels& labels,
                      const std::string& labels_text, const Histogram& h) {
  const auto snapshot = h.snapshot();
  const auto& cumulative = snapshot.cumulative;
  for (size_t i = 0; i < cumulative.size(); ++i) {
    std::pair<std::string, std::string> le{
        "le", i < h.upper_bounds().size() ? format_number(h.upper_bounds()[i]) : "+Inf"};
    append_sample(out, name, "_bucket", label_text(labels, &le), std::to_string(cumulative[i]));
  }
  append_sample(out, name, "_sum", labels_text, format_number(snapshot.sum));
  append_sample(out, name, "_count", labels_text, std::to_string(cumulative.back()));  // = +Inf bucket
}

}  // namespace

// Series are kept in registration order (a list, so removing one is O(1))
// and found by their rendered label text (a hash map, O(1) per lookup).
struct Metrics::Family {
  std::string name;
  std::string help;
  std::string type;
  struct Series {
    Labels labels;
    std::string labels_text;  // `{k="v",…}` as rendered; also the lookup key
    std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>,
                 std::function<double()>>
        metric;
  };
  std::list<Series> series;
  std::unordered_map<std::string, std::list<Series>::iterator> index;

  Series* find(const std::string& labels_text) {
    auto it = index.find(labels_text);
    return it == index.end() ? nullptr : &*it->second;
  }
  template <class Metric>
  Series& add(const Labels& labels, std::string labels_text, Metric metric) {
    series.push_back({labels, labels_text, std::move(metric)});
    index.emplace(std::move(labels_text), std::prev(series.end()));
    return series.back();
  }
};

std::string escape_label_value(std::string_view value) { return escape(value, true); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double v) {
  std::lock_guard lock(mutex_);
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += v;
}

Histogram::Snapshot Histogram::snapshot() const {
  std::lock_guard lock(mutex_);
  Snapshot out{std::vector<std::uint64_t>(counts_.size()), sum_};
  std::uint64_t running = 0;
  for (size_t i = 0; i < counts_.size(); ++i) out.cumulative[i] = running += counts_[i];
  return out;
}

Metrics::Metrics() : owner_(std::this_thread::get_id()) {}
Metrics::~Metrics() = default;

void Metrics::check_owner(const char* operation) const {
  if (std::this_thread::get_id() != owner_) {
    throw std::logic_error(std::string("metrics: ") + operation + " off the registry's owner thread");
  }
}

Metrics::Family& Metrics::family(std::string_view name, std::string_view help, std::string_view type) {
  check_owner("registration");
  if (auto it = by_name_.find(std::string(name)); it != by_name_.end()) {
    Family& f = *it->second;
    if (f.type != type) throw std::logic_error("metric " + f.name + " registered with two types");
    return f;
  }
  families_.push_back(std::make_unique<Family>(Family{std::string(name), std::string(help),
                                                      std::string(type), {}, {}}));
  by_name_.emplace(std::string(name), families_.back().get());
  return *families_.back();
}

Counter& Metrics::counter(std::string_view name, std::string_view help, const Labels& labels) {
  Family& f = family(name, help, "counter");
  std::string key = label_text(labels);
  if (auto* s = f.find(key)) return *std::get<std::unique_ptr<Counter>>(s->metric);
  return *std::get<std::unique_ptr<Counter>>(f.add(labels, std::move(key), std::make_unique<Counter>()).metric);
}

Gauge& Metrics::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  Family& f = family(name, help, "gauge");
  std::string key = label_text(labels);
  if (auto* s = f.find(key)) return *std::get<std::unique_ptr<Gauge>>(s->metric);
  return *std::get<std::unique_ptr<Gauge>>(f.add(labels, std::move(key), std::make_unique<Gauge>()).metric);
}

Histogram& Metrics::histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                              const Labels& labels) {
  Family& f = family(name, help, "histogram");
  std::string key = label_text(labels);
  if (auto* s = f.find(key)) return *std::get<std::unique_ptr<Histogram>>(s->metric);
  return *std::get<std::unique_ptr<Histogram>>(
      f.add(labels, std::move(key), std::make_unique<Histogram>(std::move(upper_bounds))).metric);
}

void Metrics::gauge_callback(std::string_view name, std::string_view help, const Labels& labels,
                             std::function<double()> read) {
  callback(name, help, "gauge", labels, std::move(read));
}

void Metrics::counter_callback(std::string_view name, std::string_view help, const Labels& labels,
                               std::function<double()> read) {
  callback(name, help, "counter", labels, std::move(read));
}

void Metrics::callback(std::string_view name, std::string_view help, std::string_view type, const Labels& labels,
                       std::function<double()> read) {
  Family& f = family(name, help, type);
  std::string key = label_text(labels);
  if (auto* s = f.find(key)) {
    s->metric = std::move(read);
    return;
  }
  f.add(labels, std::move(key), std::move(read));
}

bool Metrics::remove(std::string_view name, const Labels& labels) {
  check_owner("removal");
  auto family = by_name_.find(std::string(name));
  if (family == by_name_.end()) return false;
  Family& f = *family->second;
  auto it = f.index.find(label_text(labels));
  if (it == f.index.end()) return false;
  f.series.erase(it->second);
  f.index.erase(it);
  return true;
}

std::string Metrics::render() const {
  check_owner("rendering");
  std::string out;
  out.reserve(last_render_size_ + last_render_size_ / 8);
  for (const auto& f : families_) {
    if (f->series.empty()) continue;
    out += "# HELP ";
    out += f->name;
    out += ' ';
    out += escape_help(f->help);
    out += "\n# TYPE ";
    out += f->name;
    out += ' ';
    out += f->type;
    out += '\n';
    for (const auto& s : f->series) {
      std::visit(
          [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, std::unique_ptr<Histogram>>) {
              render_histogram(out, f->name, s.labels, s.labels_text, *m);
            } else if constexpr (std::is_same_v<M, std::function<double()>>) {
              append_sample(out, f->name, "", s.labels_text, format_number(m()));
            } else {
              append_sample(out, f->name, "", s.labels_text, format_number(static_cast<double>(m->value())));
            }
          },
          s.metric);
    }
  }
  last_render_size_ = out.size();
  return out;
}

}  // namespace sluice::observe

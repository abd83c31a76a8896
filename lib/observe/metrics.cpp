#include "observe/metrics.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <variant>

namespace sluice::observe {

struct Metrics::Family {
  std::string name;
  std::string help;
  std::string type;
  struct Series {
    Labels labels;
    std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>,
                 std::function<double()>>
        metric;
  };
  std::vector<Series> series;

  Series* find(const Labels& labels) {
    for (auto& s : series) {
      if (s.labels == labels) return &s;
    }
    return nullptr;
  }
};

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
    out += (first ? "" : ",") + l.first + "=\"" + escape_label_value(l.second) + "\"";
    first = false;
  };
  for (const auto& l : labels) add(l);
  if (extra) add(*extra);
  return out + "}";
}

void render_histogram(std::string& out, const std::string& name, const Labels& labels, const Histogram& h) {
  const auto snapshot = h.snapshot();
  const auto& cumulative = snapshot.cumulative;
  for (size_t i = 0; i < cumulative.size(); ++i) {
    std::pair<std::string, std::string> le{
        "le", i < h.upper_bounds().size() ? format_number(h.upper_bounds()[i]) : "+Inf"};
    out += name + "_bucket" + label_text(labels, &le) + " " + std::to_string(cumulative[i]) + "\n";
  }
  out += name + "_sum" + label_text(labels) + " " + format_number(snapshot.sum) + "\n";
  out += name + "_count" + label_text(labels) + " " + std::to_string(cumulative.back()) + "\n";  // = +Inf bucket
}

}  // namespace

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

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Family& Metrics::family(std::string_view name, std::string_view help, std::string_view type) {
  for (auto& f : families_) {
    if (f->name == name) {
      if (f->type != type) throw std::logic_error("metric " + f->name + " registered with two types");
      return *f;
    }
  }
  families_.push_back(std::make_unique<Family>(Family{std::string(name), std::string(help),
                                                      std::string(type), {}}));
  return *families_.back();
}

Counter& Metrics::counter(std::string_view name, std::string_view help, const Labels& labels) {
  Family& f = family(name, help, "counter");
  if (auto* s = f.find(labels)) return *std::get<std::unique_ptr<Counter>>(s->metric);
  f.series.push_back({labels, std::make_unique<Counter>()});
  return *std::get<std::unique_ptr<Counter>>(f.series.back().metric);
}

Gauge& Metrics::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  Family& f = family(name, help, "gauge");
  if (auto* s = f.find(labels)) return *std::get<std::unique_ptr<Gauge>>(s->metric);
  f.series.push_back({labels, std::make_unique<Gauge>()});
  return *std::get<std::unique_ptr<Gauge>>(f.series.back().metric);
}

Histogram& Metrics::histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                              const Labels& labels) {
  Family& f = family(name, help, "histogram");
  if (auto* s = f.find(labels)) return *std::get<std::unique_ptr<Histogram>>(s->metric);
  f.series.push_back({labels, std::make_unique<Histogram>(std::move(upper_bounds))});
  return *std::get<std::unique_ptr<Histogram>>(f.series.back().metric);
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
  if (auto* s = f.find(labels)) {
    s->metric = std::move(read);
    return;
  }
  f.series.push_back({labels, std::move(read)});
}

std::string Metrics::render() const {
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f->name + " " + escape_help(f->help) + "\n# TYPE " + f->name + " " + f->type + "\n";
    for (const auto& s : f->series) {
      std::visit(
          [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, std::unique_ptr<Histogram>>) {
              render_histogram(out, f->name, s.labels, *m);
            } else if constexpr (std::is_same_v<M, std::function<double()>>) {
              out += f->name + label_text(s.labels) + " " + format_number(m()) + "\n";
            } else {
              out += f->name + label_text(s.labels) + " " + format_number(static_cast<double>(m->value())) + "\n";
            }
          },
          s.metric);
    }
  }
  return out;
}

}  // namespace sluice::observe

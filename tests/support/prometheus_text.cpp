#include "support/prometheus_text.hpp"

#include "support/prometheus_rules.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

namespace sluice::testing {
namespace {

bool is_metric_name(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool is_label_name(std::string_view s) {
  return is_metric_name(s) && s.find(':') == std::string_view::npos && s.substr(0, 2) != "__";
}

std::optional<double> parse_value(std::string_view s) {
  if (s == "NaN") return std::nan("");
  if (s == "+Inf") return HUGE_VAL;
  if (s == "-Inf") return -HUGE_VAL;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Parses `{a="x",b="y"}` starting at text[pos] == '{'; pos ends after '}'.
Expected<PromLabels, std::string> parse_labels(std::string_view text, size_t& pos) {
  PromLabels labels;
  ++pos;
  while (pos < text.size() && text[pos] != '}') {
    const size_t eq = text.find('=', pos);
    if (eq == std::string_view::npos) return Unexpected(std::string("label without '='"));
    const std::string name(text.substr(pos, eq - pos));
    if (!is_label_name(name)) return Unexpected("bad label name '" + name + "'");
    if (eq + 1 >= text.size() || text[eq + 1] != '"') return Unexpected(std::string("label value not quoted"));
    std::string value;
    size_t i = eq + 2;
    for (; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] != '\\') { value += text[i]; continue; }
      if (++i >= text.size()) break;
      if (text[i] == 'n') value += '\n';
      else if (text[i] == '\\' || text[i] == '"') value += text[i];
      else return Unexpected(std::string("bad escape in label value"));
    }
    if (i >= text.size()) return Unexpected(std::string("unterminated label value"));
    if (!labels.emplace(name, value).second) return Unexpected("label '" + name + "' repeated");
    pos = i + 1;
    if (pos < text.size() && text[pos] == ',') ++pos;
    else if (pos >= text.size() || text[pos] != '}') return Unexpected(std::string("expected ',' or '}'"));
  }
  if (pos >= text.size()) return Unexpected(std::string("unterminated label set"));
  ++pos;
  return labels;
}

Expected<PromSample, std::string> parse_sample(std::string_view line) {
  PromSample sample;
  size_t pos = line.find_first_of("{ ");
  if (pos == std::string_view::npos) return Unexpected(std::string("sample without value"));
  sample.name = std::string(line.substr(0, pos));
  if (!is_metric_name(sample.name)) return Unexpected("bad metric name '" + sample.name + "'");
  if (line[pos] == '{') {
    auto labels = parse_labels(line, pos);
    if (!labels) return Unexpected(labels.error());
    sample.labels = std::move(*labels);
  }
  if (pos >= line.size() || line[pos] != ' ') return Unexpected(std::string("expected a space before the value"));
  std::string_view rest = line.substr(pos + 1);
  const size_t space = rest.find(' ');  // an optional timestamp may follow
  if (space != std::string_view::npos) {
    std::int64_t ts = 0;
    const auto stamp = rest.substr(space + 1);
    auto [end, ec] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), ts);
    if (ec != std::errc{} || end != stamp.data() + stamp.size()) return Unexpected(std::string("bad timestamp"));
    rest = rest.substr(0, space);
  }
  auto value = parse_value(rest);
  if (!value) return Unexpected("bad value '" + std::string(rest) + "'");
  sample.value = *value;
  return sample;
}

}  // namespace

const PromFamily* PromExposition::family(std::string_view name) const {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::optional<double> PromExposition::value(std::string_view sample_name, const PromLabels& labels) const {
  for (const auto& f : families) {
    for (const auto& s : f.samples) {
      if (s.name == sample_name && s.labels == labels) return s.value;
    }
  }
  return std::nullopt;
}

}  // namespace sluice::testing

namespace sluice::testing {
namespace {

// Builds families line by line; a family's lines must be contiguous.
class Builder {
 public:
  Expected<bool, std::string> comment(std::string_view line) {
    const bool help = line.rfind("# HELP ", 0) == 0, type = line.rfind("# TYPE ", 0) == 0;
    if (!help && !type) return true;  // a plain comment
    const std::string_view rest = line.substr(7);
    const size_t space = rest.find(' ');
    const std::string name(rest.substr(0, space));
    const std::string_view text = space == std::string_view::npos ? "" : rest.substr(space + 1);
    if (!is_metric_name(name)) return Unexpected("bad metric name '" + name + "'");
    auto f = enter(name);
    if (!f) return Unexpected(f.error());
    if (!(*f)->samples.empty()) return Unexpected(name + ": HELP/TYPE after its samples");
    return help ? set_help(**f, text) : set_type(**f, text);
  }

  Expected<bool, std::string> sample(std::string_view line) {
    auto s = parse_sample(line);
    if (!s) return Unexpected(s.error());
    auto f = enter(family_of(types_, s->name));
    if (!f) return Unexpected(f.error());
    (*f)->samples.push_back(std::move(*s));
    return true;
  }

  Expected<PromExposition, std::string> finish() {
    for (const auto& f : out_.families) {
      auto ok = check_family(f);
      if (!ok) return Unexpected(ok.error());
    }
    return std::move(out_);
  }

 private:
  // Makes `name` the current family; coming back to an earlier one is an error.
  Expected<PromFamily*, std::string> enter(const std::string& name) {
    if (!out_.families.empty() && out_.families.back().name == name) return &out_.families.back();
    for (const auto& f : out_.families) {
      if (f.name == name) return Unexpected(name + " is not grouped together");
    }
    out_.families.push_back(PromFamily{name, "", "", {}});
    return &out_.families.back();
  }

  Expected<bool, std::string> set_help(PromFamily& f, std::string_view text) {
    if (!helped_.insert(f.name).second) return Unexpected(f.name + ": second HELP line");
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\\') {
        f.help += text[i];
        continue;
      }
      if (++i >= text.size() || (text[i] != '\\' && text[i] != 'n')) return Unexpected(f.name + ": bad escape in HELP");
      f.help += text[i] == 'n' ? '\n' : '\\';
    }
    return true;
  }

  Expected<bool, std::string> set_type(PromFamily& f, std::string_view text) {
    static const std::set<std::string_view> kTypes{"counter", "gauge", "histogram", "summary", "untyped"};
    if (!f.type.empty()) return Unexpected(f.name + ": second TYPE line");
    if (!kTypes.count(text)) return Unexpected(f.name + ": unknown type '" + std::string(text) + "'");
    f.type = std::string(text);
    types_[f.name] = f.type;
    return true;
  }

  PromExposition out_;
  std::map<std::string, std::string> types_;
  std::set<std::string> helped_;
};

}  // namespace

Expected<PromExposition, std::string> parse_prometheus_text(std::string_view text) {
  if (!text.empty() && text.back() != '\n') return Unexpected(std::string("text does not end with a newline"));
  Builder builder;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    if (line.empty()) continue;
    auto ok = line.front() == '#' ? builder.comment(line) : builder.sample(line);
    if (!ok) return Unexpected("line " + std::to_string(number) + ": " + ok.error());
  }
  return builder.finish();
}

}  // namespace sluice::testing

// application/x-yaml (§3.2): PyYAML safe_dump text, read with libyaml (the
// parser PyYAML itself uses for its C loaders) as a stream of events that
// feed the ValueWalker: no tree is built. Plain scalars are resolved like
// PyYAML does (YAML 1.1): null, booleans, decimal ints, floats with a '.';
// the rest, and every quoted scalar, is a string ("5.2.6", "(20, 22)").
//
// libyaml replaced yaml-cpp, which took ~20 µs per value and ~1 µs per byte
// on the benchmark machine under load (a 16 MiB body: seconds); libyaml
// reads the same bodies 6-100x faster (bench/RESULTS.md, hostile messages).
#include <yaml.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "decode/body_decoders.hpp"
#include "decode/value_walker.hpp"

namespace sluice::decode {
namespace {

using Kind = FieldValue::Kind;

bool one_of(std::string_view text, std::initializer_list<std::string_view> words) {
  return std::ranges::find(words, text) != words.end();
}

FieldValue of_kind(Kind kind) {
  FieldValue value;
  value.kind = kind;
  return value;
}

std::optional<FieldValue> resolve_number(std::string_view text) {
  std::string digits;  // YAML 1.1 allows '_' separators
  for (const char c : text) {
    if (c != '_') digits += c;
  }
  const std::string_view number = digits.starts_with('+') ? std::string_view(digits).substr(1) : digits;
  const char* end = number.data() + number.size();
  if (number.find_first_of(".eE") == std::string_view::npos) {
    long long integer = 0;
    const auto [ptr, ec] = std::from_chars(number.data(), end, integer);
    if (ec == std::errc{} && ptr == end && !number.empty()) {
      FieldValue value = of_kind(Kind::integer);
      value.integer = integer;
      value.real = static_cast<double>(integer);
      return value;
    }
  }
  if (number.find('.') == std::string_view::npos) return std::nullopt;  // PyYAML: 1e5 is a string
  double real = 0;
  const auto [ptr, ec] = std::from_chars(number.data(), end, real, std::chars_format::general);
  if (ec != std::errc{} || ptr != end || number.empty() || number == ".") return std::nullopt;
  FieldValue value = of_kind(Kind::real);
  value.real = real;
  return value;
}

FieldValue real(double number) {
  FieldValue value = of_kind(Kind::real);
  value.real = number;
  return value;
}

FieldValue resolve_plain(std::string_view text) {
  if (one_of(text, {"", "~", "null", "Null", "NULL"})) return of_kind(Kind::null);
  FieldValue flag = of_kind(Kind::boolean);
  if (one_of(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) return flag.boolean = true, flag;
  if (one_of(text, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) return flag;
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  if (one_of(text, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return real(kInfinity);
  if (one_of(text, {"-.inf", "-.Inf", "-.INF"})) return real(-kInfinity);
  if (one_of(text, {".nan", ".NaN", ".NAN"})) return real(std::numeric_limits<double>::quiet_NaN());
  if (auto number = resolve_number(text)) return *number;
  FieldValue value = of_kind(Kind::text);
  value.text = text;
  return value;
}

FieldValue scalar_value(const yaml_event_t& event) {
  const std::string_view text(reinterpret_cast<const char*>(event.data.scalar.value), event.data.scalar.length);
  const char* tag = reinterpret_cast<const char*>(event.data.scalar.tag);
  const bool plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  const bool string = tag == nullptr ? !plain : (std::string_view(tag) == "tag:yaml.org,2002:str" || std::string_view(tag) == "!");
  if (!string) return resolve_plain(text);  // untagged plain, or an explicit core tag (!!int, !!float …)
  FieldValue value = of_kind(Kind::text);
  value.text = text;
  return value;
}

std::string_view anchor_of(const yaml_event_t& event) {
  const yaml_char_t* anchor = nullptr;
  if (event.type == YAML_SCALAR_EVENT) anchor = event.data.scalar.anchor;
  if (event.type == YAML_SEQUENCE_START_EVENT) anchor = event.data.sequence_start.anchor;
  if (event.type == YAML_MAPPING_START_EVENT) anchor = event.data.mapping_start.anchor;
  return anchor == nullptr ? std::string_view() : reinterpret_cast<const char*>(anchor);
}

// Turns libyaml's events into ValueWalker calls: tells keys from values,
// and replays an anchored node for each alias of it (a "billion laughs"
// body runs into the walker's value bound like any other large body).
class YamlEvents {
 public:
  explicit YamlEvents(ValueWalker& walker) : walker_(walker) {}

  // False to stop: the walker refused the body, or error() says why.
  bool on(const yaml_event_t& event) {
    switch (event.type) {
      case YAML_SCALAR_EVENT: return node(event, Op::scalar);
      case YAML_SEQUENCE_START_EVENT: return node(event, Op::start_list);
      case YAML_MAPPING_START_EVENT: return node(event, Op::start_map);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: return container_end();
      case YAML_ALIAS_EVENT: return alias(reinterpret_cast<const char*>(event.data.alias.anchor));
      case YAML_DOCUMENT_END_EVENT: done_ = true; return true;
      default: return true;
    }
  }

  bool done() const { return done_; }
  const std::optional<std::string>& error() const { return error_; }

 private:
  enum class Op : unsigned char { scalar, start_list, start_map, end, key };
  struct Call {
    Op op;
    FieldValue value;
    std::string text;  // value.text's storage
  };
  struct Level {
    bool map;
    bool expects_key;
  };
  struct Anchored {
    std::size_t begin;
    std::size_t end;  // npos while the node is open
    std::size_t depth;
  };

  bool fail(std::string what) {
    error_ = "yaml: " + std::move(what);
    return false;
  }

  bool in_key_position() const { return !levels_.empty() && levels_.back().map && levels_.back().expects_key; }

  bool node(const yaml_event_t& event, Op op) {
    const bool is_key = in_key_position();
    if (is_key && op != Op::scalar) return fail("a map key that is not a scalar");
    const std::string_view anchor = anchor_of(event);
    if (!anchor.empty()) {
      Anchored& anchored = anchored_[std::string(anchor)];
      anchored = Anchored{recording_.size(), std::string::npos, levels_.size()};
      open_anchors_.push_back(&anchored);
    }
    bool ok = false;
    if (op == Op::scalar) {
      FieldValue value = is_key ? of_kind(Kind::text) : scalar_value(event);
      if (is_key) value.text = std::string_view(reinterpret_cast<const char*>(event.data.scalar.value), event.data.scalar.length);
      ok = call(is_key ? Op::key : Op::scalar, value);
      close_anchors();
      if (!is_key) value_done();
      if (is_key) levels_.back().expects_key = false;
    } else {
      ok = call(op, {});
      levels_.push_back({op == Op::start_map, true});
    }
    return ok;
  }

  bool container_end() {
    if (levels_.empty()) return fail("unbalanced events");
    levels_.pop_back();
    const bool ok = call(Op::end, {});
    close_anchors();
    value_done();
    return ok;
  }

  bool alias(std::string_view name) {
    const auto found = anchored_.find(std::string(name));
    if (found == anchored_.end()) return fail("an alias of no anchor");
    if (found->second.end == std::string::npos) return fail("an alias inside its own anchor");
    const bool is_key = in_key_position();
    const auto [begin, end] = std::pair{found->second.begin, found->second.end};
    if (is_key && !(end == begin + 1 && (recording_[begin].op == Op::scalar || recording_[begin].op == Op::key))) return fail("a map key that is not a scalar");
    for (std::size_t i = begin; i < end; ++i) {
      Call replayed = recording_[i];  // a copy: recording_ may grow while replaying
      replayed.value.text = replayed.text;
      if (is_key) replayed.op = Op::key;
      if (!is_key && replayed.op == Op::key && i == begin) replayed.op = Op::scalar;  // an anchored key, reused as a value
      if (!call(replayed.op, replayed.value)) return false;
    }
    if (is_key) {
      levels_.back().expects_key = false;
    } else {
      value_done();
    }
    return true;
  }

  // A value finished: its map expects a key next.
  void value_done() {
    if (!levels_.empty() && levels_.back().map) levels_.back().expects_key = true;
  }

  // Anchored nodes that end at this level are complete (they nest).
  void close_anchors() {
    while (!open_anchors_.empty() && open_anchors_.back()->depth == levels_.size()) {
      open_anchors_.back()->end = recording_.size();
      open_anchors_.pop_back();
    }
  }

  bool call(Op op, const FieldValue& value) {
    if (!open_anchors_.empty()) {
      Call& recorded = recording_.emplace_back(Call{op, value, std::string(value.text.substr(0, kMaxTextBytes))});
      recorded.value.text = {};
    }
    switch (op) {
      case Op::scalar: return walker_.scalar(value);
      case Op::start_list: return walker_.start_list();
      case Op::start_map: return walker_.start_map();
      case Op::end: return walker_.end_container();
      case Op::key: return walker_.key(value.text);
    }
    return false;
  }

  ValueWalker& walker_;
  std::vector<Level> levels_;
  std::map<std::string, Anchored> anchored_;
  std::vector<Anchored*> open_anchors_;  // innermost last
  std::vector<Call> recording_;  // every call made while an anchored node is open
  std::optional<std::string> error_;
  bool done_ = false;
};

}  // namespace

std::optional<DecodeError> decode_yaml_body(std::string_view body, const DecodeLimits& limits, DecodedMessage& out) {
  ValueWalker walker(limits, out);
  YamlEvents events(walker);
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return make_error(DecodeErrorReason::bad_body, "yaml: out of memory");
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  std::optional<std::string> parse_error;
  while (!events.done()) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      parse_error = std::string("yaml: ") + (parser.problem != nullptr ? parser.problem : "invalid");
      break;
    }
    const bool more = event.type != YAML_STREAM_END_EVENT && events.on(event);
    yaml_event_delete(&event);
    if (!more) break;
  }
  yaml_parser_delete(&parser);
  return walker.finish(events.error() ? events.error() : parse_error);
}

}  // namespace sluice::decode

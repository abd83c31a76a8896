#include "decode/event_builder.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <variant>

#include "common/utf8.hpp"

namespace sluice::decode {

// A kept field: its name, where it goes, whether an event needs it.
struct FieldSpec {
  using Slot = std::variant<std::string CeleryEvent::*, double CeleryEvent::*,
                            std::optional<std::string> CeleryEvent::*, std::optional<long long> CeleryEvent::*,
                            std::optional<int> CeleryEvent::*, std::optional<double> CeleryEvent::*,
                            std::optional<bool> CeleryEvent::*, std::optional<std::vector<double>> CeleryEvent::*>;
  std::string_view name;
  Slot slot;
  unsigned required = 0;  // a RequiredBit
};

namespace {

// Required fields (§4.1 every event; uuid for task events) as bits.
enum RequiredBit : unsigned { kType = 1, kHostname = 2, kTimestamp = 4, kUuid = 8 };

using Kind = FieldValue::Kind;

constexpr FieldSpec kFields[] = {
    {"active", &CeleryEvent::active},       {"clock", &CeleryEvent::clock},
    {"current", &CeleryEvent::current},     {"eta", &CeleryEvent::eta},
    {"exception", &CeleryEvent::exception}, {"exchange", &CeleryEvent::exchange},
    {"expired", &CeleryEvent::expired},     {"expires", &CeleryEvent::expires},
    {"freq", &CeleryEvent::freq},           {"hostname", &CeleryEvent::hostname, kHostname},
    {"loadavg", &CeleryEvent::loadavg},     {"name", &CeleryEvent::name},
    {"parent_id", &CeleryEvent::parent_id}, {"pid", &CeleryEvent::pid},
    {"processed", &CeleryEvent::processed}, {"progress", &CeleryEvent::progress},
    {"queue", &CeleryEvent::queue},         {"requeue", &CeleryEvent::requeue},
    {"retries", &CeleryEvent::retries},     {"root_id", &CeleryEvent::root_id},
    {"routing_key", &CeleryEvent::routing_key}, {"runtime", &CeleryEvent::runtime},
    {"signum", &CeleryEvent::signum},       {"sw_ident", &CeleryEvent::sw_ident},
    {"sw_sys", &CeleryEvent::sw_sys},       {"sw_ver", &CeleryEvent::sw_ver},
    {"terminated", &CeleryEvent::terminated}, {"timestamp", &CeleryEvent::timestamp, kTimestamp},
    {"total", &CeleryEvent::total},         {"traceback", &CeleryEvent::traceback},
    {"type", &CeleryEvent::type, kType},    {"uuid", &CeleryEvent::uuid, kUuid},
};

// find_field runs for every key of every event: a hash of the name that
// is collision-free over kFields (checked below) finds a field, or its
// absence, with at most one comparison.
constexpr std::size_t kSlots = 64;

constexpr std::size_t slot_of(std::string_view key) {
  const auto at = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(key[i])); };
  return (key.size() * 5 + at(0) * 25 + at(key.size() / 2) * 3 + at(key.size() - 1)) % kSlots;
}

constexpr auto kFieldIndex = [] {
  std::array<int, kSlots> index{};
  index.fill(-1);
  for (std::size_t i = 0; i < std::size(kFields); ++i) index[slot_of(kFields[i].name)] = static_cast<int>(i);
  return index;
}();
static_assert(std::ranges::count_if(kFieldIndex, [](int i) { return i >= 0; }) == std::size(kFields),
              "two field names share a slot: adjust slot_of");

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::null: return "null";
    case Kind::boolean: return "boolean";
    case Kind::integer: return "integer";
    case Kind::real: return "float";
    case Kind::text: return "string";
    case Kind::numbers: return "list";
    case Kind::other: break;
  }
  return "map or list";
}

bool is_number(const FieldValue& v) { return (v.kind == Kind::integer || v.kind == Kind::real) && std::isfinite(v.real); }

// Each assign() stores an accepted value and returns nullptr, or returns the
// name of the type it expected. null clears an optional field (§9.6).
std::string kept_text(std::string_view text) { return utf8::to_valid(utf8::truncate(text, kMaxTextBytes)); }

const char* assign(CeleryEvent& e, std::string CeleryEvent::*m, const FieldValue& v) {
  if (v.kind != Kind::text) return "string";
  e.*m = kept_text(v.text);
  return nullptr;
}

const char* assign(CeleryEvent& e, double CeleryEvent::*m, const FieldValue& v) {
  if (!is_number(v)) return "number";
  e.*m = v.real;
  return nullptr;
}

const char* assign(CeleryEvent& e, std::optional<std::string> CeleryEvent::*m, const FieldValue& v) {
  if (v.kind == Kind::null) return (e.*m).reset(), nullptr;
  if (v.kind != Kind::text) return "string";
  e.*m = kept_text(v.text);
  return nullptr;
}

// signum is an int, "in a rare path a decimal string" (§4.3).
const char* assign(CeleryEvent& e, std::optional<long long> CeleryEvent::*m, const FieldValue& v) {
  if (v.kind == Kind::null) return (e.*m).reset(), nullptr;
  long long parsed = 0;
  if (v.kind == Kind::text && m == &CeleryEvent::signum) {
    const auto [end, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), parsed);
    if (ec != std::errc{} || end != v.text.data() + v.text.size() || v.text.empty()) return "integer";
  } else if (v.kind == Kind::integer) {
    parsed = v.integer;
  } else {
    return "integer";
  }
  e.*m = parsed;
  return nullptr;
}

const char* assign(CeleryEvent& e, std::optional<int> CeleryEvent::*m, const FieldValue& v) {
  if (v.kind == Kind::null) return (e.*m).reset(), nullptr;
  if (v.kind != Kind::integer || v.integer < std::numeric_limits<int>::min() ||
      v.integer > std::numeric_limits<int>::max())
    return "integer";
  e.*m = static_cast<int>(v.integer);
  return nullptr;
}

const char* assign(CeleryEvent& e, std::optional<double> CeleryEvent::*m, const FieldValue& v) {
  if (v.kind == Kind::null) return (e.*m).reset(), nullptr;
  if (!is_number(v)) return "number";
  e.*m = v.real;
  return nullptr;
}

const char* assign(CeleryEvent& e, std::optional<bool> CeleryEvent::*m, const FieldValue& v) {
  if (v.kind == Kind::null) return (e.*m).reset(), nullptr;
  if (v.kind != Kind::boolean) return "boolean";
  e.*m = v.boolean;
  return nullptr;
}

const char* assign(CeleryEvent& e, std::optional<std::vector<double>> CeleryEvent::*m, const FieldValue& v) {
  if (v.kind == Kind::null) return (e.*m).reset(), nullptr;
  if (v.kind != Kind::numbers || !std::ranges::all_of(v.numbers, [](double d) { return std::isfinite(d); }))
    return "list of numbers";
  e.*m = std::vector<double>(v.numbers.begin(), v.numbers.end());
  return nullptr;
}

}  // namespace

const FieldSpec* find_field(std::string_view key) {
  if (key.empty()) return nullptr;
  const int index = kFieldIndex[slot_of(key)];
  if (index < 0) return nullptr;
  const FieldSpec& field = kFields[index];
  return field.name == key ? &field : nullptr;
}

void apply_tag(std::string_view type, FieldValue& value) {
  if (type != "decimal" || value.kind != Kind::text) return;
  double parsed = 0;
  const char* end = value.text.data() + value.text.size();
  const auto [ptr, ec] = std::from_chars(value.text.data(), end, parsed);
  if (ec == std::errc{} && ptr == end) value = FieldValue{Kind::real, false, 0, parsed, {}, {}};
}

void EventBuilder::begin() {
  event_ = &out_.events.emplace_back();  // built in place: no copy per event
  issues_.clear();
  seen_ = 0;
  bad_required_ = 0;
}

void EventBuilder::set(const FieldSpec& field, const FieldValue& value) {
  const char* expected = std::visit([&](auto member) { return assign(*event_, member, value); }, field.slot);
  // A repeated key counts as its last value, as in Python's dict.
  if (expected == nullptr) {
    seen_ |= field.required;
    bad_required_ &= ~field.required;
  } else if (field.required != 0) {
    bad_required_ |= field.required;
    seen_ &= ~field.required;
    // uuid is required of task events only: for others this stays a soft issue.
    if (field.required == kUuid) issue(field.name, expected, value);
  } else {
    issue(field.name, expected, value);
  }
}

void EventBuilder::issue(std::string_view field, const char* expected, const FieldValue& value) {
  if (out_.field_issues.size() + issues_.size() >= DecodedMessage::kKeptErrors) return;  // a hostile body repeats them
  const std::string what = "element " + std::to_string(index_) + ": " + std::string(field) + ": expected " +
                           expected + ", got " + kind_name(value.kind);
  issues_.push_back(make_error(DecodeErrorReason::wrong_field_type, what));
}

void EventBuilder::element_error(DecodeErrorReason reason, std::string_view what) {
  if (out_.element_errors.size() < DecodedMessage::kKeptErrors)
    out_.element_errors.push_back(make_error(reason, "element " + std::to_string(index_) + ": " + std::string(what)));
  ++index_;
}

void EventBuilder::reject(std::string_view what) { element_error(DecodeErrorReason::not_an_event, what); }

void EventBuilder::drop(DecodeErrorReason reason, const std::string& what) {
  out_.events.pop_back();
  event_ = nullptr;
  element_error(reason, what);
}

void EventBuilder::finish() {
  const CeleryEvent& e = *event_;
  if ((seen_ & kType) == 0 || e.type.empty()) return drop(DecodeErrorReason::not_an_event, "no string \"type\"");
  const unsigned needed = kHostname | kTimestamp | (e.is_task_event() ? kUuid : 0U);
  if (const unsigned bad = bad_required_ & needed; bad != 0) {
    const char* name = (bad & kTimestamp) != 0 ? "timestamp" : (bad & kHostname) != 0 ? "hostname" : "uuid";
    return drop(DecodeErrorReason::wrong_field_type, e.type + ": " + name + " has the wrong type");
  }
  if (const unsigned missing = needed & ~seen_; missing != 0) {
    const char* name = (missing & kTimestamp) != 0 ? "timestamp" : (missing & kHostname) != 0 ? "hostname" : "uuid";
    return drop(DecodeErrorReason::missing_field, e.type + ": no " + name);
  }
  out_.field_issues.insert(out_.field_issues.end(), std::make_move_iterator(issues_.begin()),
                           std::make_move_iterator(issues_.end()));
  event_ = nullptr;
  ++index_;
}

}  // namespace sluice::decode

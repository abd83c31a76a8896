#include "decode/result_meta.hpp"

#include "common/iso_time.hpp"
#include "common/utf8.hpp"
#include "decode/json_reader.hpp"

namespace sluice::decode {
namespace {

// States whose `result` is an exception dict rather than the return value.
bool result_is_exception(std::string_view status) {
  return status == "FAILURE" || status == "RETRY" || status == "REVOKED";
}

// Appends `piece` while `out` is under `max` bytes (a hostile message is not
// copied whole only to be cut afterwards).
void append_bounded(std::string& out, std::string_view piece, std::size_t max) {
  if (out.size() >= max) return;
  out += utf8::truncate(piece, max - out.size());
}

// One exception argument as Python's repr of it would read (near enough:
// strings in single quotes, numbers as written, containers elided).
bool append_argument(JsonReader& reader, std::string& out, std::size_t max) {
  switch (reader.peek()) {
    case JsonKind::string: {
      std::string_view text;
      if (!reader.read_string(text)) return false;
      append_bounded(out, "'", max);
      append_bounded(out, text, max);
      append_bounded(out, "'", max);
      return true;
    }
    case JsonKind::number: {
      JsonNumber number;
      if (!reader.read_number(number)) return false;
      append_bounded(out, number.is_integer ? std::to_string(number.integer) : std::to_string(number.real), max);
      return true;
    }
    case JsonKind::boolean: {
      bool value = false;
      if (!reader.read_bool(value)) return false;
      append_bounded(out, value ? "True" : "False", max);
      return true;
    }
    case JsonKind::null:
      append_bounded(out, "None", max);
      return reader.read_null();
    default:
      append_bounded(out, "...", max);
      return reader.skip_value();
  }
}

bool read_exc_message(JsonReader& reader, std::string& out, std::size_t max) {
  if (reader.peek() != JsonKind::array) return append_argument(reader, out, max);
  if (!reader.enter_array()) return false;
  bool first = true;
  while (reader.next_element()) {
    if (!first) append_bounded(out, ", ", max);
    first = false;
    if (!append_argument(reader, out, max)) return false;
  }
  return !reader.failed();
}

// The exception dict Celery stores for failures: only exc_type and
// exc_message are read; exc_module and anything else are skipped.
bool read_exception(JsonReader& reader, ResultMeta& meta, std::size_t max) {
  if (!reader.enter_object()) return false;
  std::string_view key;
  while (reader.next_member(key)) {
    if (key == "exc_type" && reader.peek() == JsonKind::string) {
      std::string_view type;
      if (!reader.read_string(type)) return false;
      meta.exc_type = utf8::truncated(type, max);
    } else if (key == "exc_message") {
      std::string message;
      if (!read_exc_message(reader, message, max)) return false;
      meta.exc_message = std::move(message);
    } else if (!reader.skip_value()) {
      return false;
    }
  }
  return !reader.failed();
}

bool read_member(JsonReader& reader, std::string_view key, ResultMeta& meta, bool& has_status, std::size_t max) {
  if (key == "status" && reader.peek() == JsonKind::string) {
    std::string_view status;
    if (!reader.read_string(status)) return false;
    meta.status = utf8::truncated(status, 64);
    has_status = true;
    return true;
  }
  if (key == "date_done" && reader.peek() == JsonKind::string) {
    std::string_view text;
    if (!reader.read_string(text)) return false;
    meta.done_ms = parse_iso8601(text);
    return true;
  }
  // `result` comes after `status` in every Celery version: a return value is
  // skipped without being looked at. Should the order ever differ, an
  // exception dict is read and kept only if the status turns out to be one.
  const bool maybe_exception = !has_status || result_is_exception(meta.status);
  if (key == "result" && maybe_exception && reader.peek() == JsonKind::object) return read_exception(reader, meta, max);
  return reader.skip_value();
}

}  // namespace

const char* to_string(ResultMetaError error) {
  switch (error) {
    case ResultMetaError::pickle: return "pickle";
    case ResultMetaError::malformed: return "malformed";
  }
  return "malformed";
}

Expected<ResultMeta, ResultMetaError> parse_result_meta(std::string_view bytes, std::size_t max_text) {
  // Pickle protocols 2-5 open with PROTO (0x80) and the protocol number.
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x80 && bytes[1] >= 2 && bytes[1] <= 5) {
    return Unexpected(ResultMetaError::pickle);
  }
  JsonReader reader(bytes);
  if (reader.peek() != JsonKind::object || !reader.enter_object()) return Unexpected(ResultMetaError::malformed);
  ResultMeta meta;
  bool has_status = false;
  std::string_view key;
  while (reader.next_member(key)) {
    const std::string name(key);  // the key view does not outlive the next string read
    if (!read_member(reader, name, meta, has_status, max_text)) break;
  }
  if (reader.failed() || !reader.at_end() || !has_status) return Unexpected(ResultMetaError::malformed);
  if (!result_is_exception(meta.status)) {
    meta.exc_type.reset();
    meta.exc_message.reset();
  }
  return meta;
}

std::string exception_repr(const ResultMeta& meta) {
  std::string out = meta.exc_type.value_or("Exception");
  out += '(';
  out += meta.exc_message.value_or("");
  out += ')';
  return out;
}

}  // namespace sluice::decode

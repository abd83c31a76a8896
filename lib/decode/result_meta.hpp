#pragma once
// ResultMeta: the few fields sluiced reads from a task's entry in Celery's
// Redis result backend (`celery-task-meta-<id>`): the status, when it was
// recorded and, for failures, the exception's type and message. The task's
// return value is skipped unread, never copied: it must not leave the host.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace sluice::decode {

// Why an entry cannot be read; each is counted, none is guessed at.
enum class ResultMetaError {
  pickle,     // result_serializer='pickle': sluiced never unpickles
  malformed,  // not a JSON object with a string `status` (other serializers too)
};

const char* to_string(ResultMetaError error);

struct ResultMeta {
  std::string status;                     // Celery state: SUCCESS, FAILURE, REVOKED, STARTED, RETRY, …
  std::optional<std::int64_t> done_ms;    // date_done, epoch milliseconds
  std::optional<std::string> exc_type;    // FAILURE/RETRY/REVOKED: the exception's class name
  std::optional<std::string> exc_message; // its arguments as Python prints them: 'boom', 3

  bool operator==(const ResultMeta&) const = default;
};

// Reads a JSON result entry; text fields are cut at `max_text` bytes
// (UTF-8 safe), as the event path cuts an exception.
Expected<ResultMeta, ResultMetaError> parse_result_meta(std::string_view bytes, std::size_t max_text);

// "ValueError('boom')": the exception as a task-failed event's repr shows it.
std::string exception_repr(const ResultMeta& meta);

}  // namespace sluice::decode

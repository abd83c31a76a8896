#pragma once
// The derived texts and numbers of a job event: `error` from Celery's
// exception repr or traceback, and `progress` from custom events
// (docs/ingest-contract.md §4).

#include <optional>
#include <string>
#include <string_view>

namespace sluice::track {

// The exception text, or — when it is a useless wrapper such as
// "ExceptionWithTraceback()" (solo pool, billiard >= 4.1; docs/celery-protocol.md
// §4.3) or empty — the last non-blank line of the traceback. Truncated to
// the contract's limit.
std::optional<std::string> job_error(const std::optional<std::string>& exception,
                                     const std::optional<std::string>& traceback);

// True for reprs that name no cause: "", "ExceptionWithTraceback(...)",
// "SomeError()".
bool is_useless_exception(std::string_view exception);

// 0..1 from `progress` (a ratio, or a percentage when in (1, 100]) or else
// from `current`/`total`; nothing when neither gives a finite number.
std::optional<double> job_progress(std::optional<double> progress, std::optional<double> current,
                                   std::optional<double> total);

}  // namespace sluice::track

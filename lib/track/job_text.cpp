#include "track/job_text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/utf8.hpp"
#include "track/limits.hpp"

namespace sluice::track {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view last_line(std::string_view text) {
  text = trim(text);
  const auto newline = text.find_last_of('\n');
  return newline == std::string_view::npos ? text : trim(text.substr(newline + 1));
}

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

}  // namespace

bool is_useless_exception(std::string_view exception) {
  exception = trim(exception);
  if (exception.empty() || exception.starts_with("ExceptionWithTraceback(")) return true;
  if (!exception.ends_with("()")) return false;
  const std::string_view name = exception.substr(0, exception.size() - 2);
  return !name.empty() && std::all_of(name.begin(), name.end(), is_identifier_char);
}

std::optional<std::string> job_error(const std::optional<std::string>& exception,
                                     const std::optional<std::string>& traceback) {
  const std::string_view summary = traceback ? last_line(*traceback) : std::string_view{};
  if (exception && !is_useless_exception(*exception)) return utf8::truncated(*exception, limits::kError);
  if (!summary.empty()) return utf8::truncated(summary, limits::kError);
  if (exception && !trim(*exception).empty()) return utf8::truncated(*exception, limits::kError);
  return std::nullopt;
}

std::optional<double> job_progress(std::optional<double> progress, std::optional<double> current,
                                   std::optional<double> total) {
  std::optional<double> ratio;
  if (progress && std::isfinite(*progress)) {
    ratio = *progress > 1.0 && *progress <= 100.0 ? *progress / 100.0 : *progress;
  } else if (current && total && std::isfinite(*current) && std::isfinite(*total) && *total > 0) {
    ratio = *current / *total;
  }
  if (!ratio) return std::nullopt;
  return std::clamp(*ratio, 0.0, 1.0);
}

}  // namespace sluice::track

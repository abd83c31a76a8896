#include "track/daily_budget.hpp"

#include <variant>

namespace sluice::track {
namespace {
constexpr EpochMillis kDayMillis = 24LL * 60 * 60 * 1000;
}  // namespace

DailyBudget::DailyBudget(std::uint64_t budget) : budget_(budget), threshold_(budget * kNearPercent / 100) {}

bool DailyBudget::essential(const IngestEvent& event) {
  if (const auto* job = std::get_if<Job>(&event.body)) {
    return job->state == JobState::completed || job->state == JobState::failed ||
           job->state == JobState::cancelled;
  }
  if (const auto* worker = std::get_if<Worker>(&event.body)) {
    return worker->state == WorkerState::online || worker->state == WorkerState::offline;
  }
  return false;
}

bool DailyBudget::admit(const IngestEvent& event, EpochMillis wall_now_ms) {
  if (!enabled()) return true;
  const std::int64_t day = wall_now_ms >= 0 ? wall_now_ms / kDayMillis : (wall_now_ms - kDayMillis + 1) / kDayMillis;
  if (day != day_) {
    day_ = day;
    today_ = 0;
  }
  if (near() && !essential(event)) return false;
  ++today_;
  return true;
}

}  // namespace sluice::track

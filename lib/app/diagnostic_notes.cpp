#include "app/diagnostic_notes.hpp"

#include <algorithm>

namespace sluice::app {

DiagnosticNotes::DiagnosticNotes(observe::Metrics& metrics, observe::Logger& log,
                                 const std::vector<std::string_view>& ids)
    : log_(log) {
  for (const auto id : ids) {
    slots_.push_back({std::string(id),
                      &metrics.gauge("sluiced_diagnostic_active",
                                     "1 while a diagnostic that explains missing events is active (README Diagnostics)",
                                     {{"diagnostic", std::string(id)}}),
                      std::nullopt});
  }
}

DiagnosticNotes::Slot* DiagnosticNotes::slot(std::string_view id) {
  const auto it = std::find_if(slots_.begin(), slots_.end(), [id](const Slot& s) { return s.id == id; });
  return it == slots_.end() ? nullptr : &*it;
}

void DiagnosticNotes::update(const std::vector<std::string_view>& ids, const std::vector<Warning>& active) {
  for (const auto id : ids) {
    const auto it = std::find_if(active.begin(), active.end(), [id](const Warning& w) { return w.id == id; });
    update(id, it == active.end() ? std::nullopt : std::optional<Warning>(*it));
  }
}

// Logged on changes only: a diagnostic that stays active keeps its first
// line and only its /health message follows the latest numbers.
void DiagnosticNotes::update(std::string_view id, const std::optional<Warning>& warning) {
  Slot* s = slot(id);
  if (!s) return;
  const bool was_active = s->message.has_value();
  s->message = warning ? std::optional<std::string>(warning->message) : std::nullopt;
  s->gauge->set(warning ? 1 : 0);
  if (warning && !was_active) {
    log_.log(observe::Level::warn, warning->message, {{"diagnostic", s->id}});
  } else if (!warning && was_active) {
    log_.log(observe::Level::info, "diagnostic cleared", {{"diagnostic", s->id}});
  }
}

std::vector<Warning> DiagnosticNotes::active() const {
  std::vector<Warning> out;
  for (const auto& s : slots_) {
    if (s.message) out.push_back({s.id, *s.message});
  }
  return out;
}

}  // namespace sluice::app

#pragma once
// DiagnosticNotes: how the app shows the diagnostics that explain silence
// (README "Diagnostics") — a warn line when one starts, an info line when
// it clears, the gauge sluiced_diagnostic_active{diagnostic} (0/1) and the
// `warnings` list of /health. Each source (stream diagnostics, pub/sub
// buffer limit probe) reports the state of its own ids; the others stay.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/warning.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"

namespace sluice::app {

class DiagnosticNotes {
 public:
  // `ids`: every diagnostic there is; each gets its gauge at once (0).
  DiagnosticNotes(observe::Metrics& metrics, observe::Logger& log, const std::vector<std::string_view>& ids);

  // `active` holds the warnings now active among `ids`; the rest of `ids` are not.
  void update(const std::vector<std::string_view>& ids, const std::vector<Warning>& active);
  void update(std::string_view id, const std::optional<Warning>& warning);

  // The active warnings, in the order of the ids given at construction.
  std::vector<Warning> active() const;

 private:
  struct Slot {
    std::string id;
    observe::Gauge* gauge = nullptr;
    std::optional<std::string> message;  // set while active
  };

  Slot* slot(std::string_view id);

  observe::Logger& log_;
  std::vector<Slot> slots_;
};

}  // namespace sluice::app

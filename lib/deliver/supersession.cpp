#include "deliver/supersession.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>

#include "deliver/state_fields.hpp"

namespace sluice::deliver {
namespace {

bool is_presence(std::string_view worker_state) { return worker_state == "online" || worker_state == "offline"; }

struct Reading {
  std::optional<StateFields> fields;
  bool keep = true;
  std::optional<std::optional<std::string_view>> previous;  // set: rewrite previousState to this
};

SupersededKind superseded_kind(EventKind kind) {
  switch (kind) {
    case EventKind::job: return SupersededKind::job_state;
    case EventKind::worker: return SupersededKind::worker_refresh;
    case EventKind::queue: return SupersededKind::queue_snapshot;
  }
  return SupersededKind::job_state;
}

Priority priority_of(EventKind kind, const Reading& reading) {
  if (kind == EventKind::job) return Priority::job_state;
  if (kind == EventKind::worker && reading.fields && is_presence(reading.fields->state)) {
    return Priority::worker_presence;
  }
  return Priority::other;
}

// Newest first: an event is superseded when a later event of its key is
// waiting and nothing says it must stay (a worker's online/offline, or an
// event whose state could not be read).
void mark_superseded(const EncodedEvents& waiting, std::vector<Reading>& readings) {
  std::unordered_map<EventKey, bool> later;
  later.reserve(waiting.size());
  for (std::size_t i = waiting.size(); i-- > 0;) {
    Reading& reading = readings[i];
    const bool has_later = !later.emplace(waiting.key(i), true).second;
    if (!has_later) continue;
    switch (waiting.kind(i)) {
      case EventKind::job: reading.keep = !reading.fields; break;
      case EventKind::worker: reading.keep = !reading.fields || is_presence(reading.fields->state); break;
      case EventKind::queue: reading.keep = false; break;
    }
  }
}

// Oldest first: a job's kept event takes over the previousState of the
// first of its states dropped before it.
void carry_previous_states(const EncodedEvents& waiting, std::vector<Reading>& readings) {
  std::unordered_map<EventKey, std::optional<std::string_view>> first_dropped;
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    if (waiting.kind(i) != EventKind::job) continue;
    Reading& reading = readings[i];
    if (!reading.keep) {
      first_dropped.emplace(waiting.key(i), reading.fields->previous);
      continue;
    }
    const auto found = first_dropped.find(waiting.key(i));
    if (found == first_dropped.end()) continue;
    if (reading.fields) reading.previous = found->second;
    first_dropped.erase(found);
  }
}

}  // namespace

const char* to_string(SupersededKind kind) {
  switch (kind) {
    case SupersededKind::job_state: return "superseded_job_state";
    case SupersededKind::worker_refresh: return "superseded_worker_refresh";
    case SupersededKind::queue_snapshot: return "superseded_queue_snapshot";
  }
  return "superseded_job_state";
}

Prioritized prioritize(const EncodedEvents& waiting, Room room) {
  Prioritized out;
  std::vector<Reading> readings(waiting.size());
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    if (waiting.kind(i) != EventKind::queue) readings[i].fields = read_state_fields(waiting.event(i));
  }
  mark_superseded(waiting, readings);
  carry_previous_states(waiting, readings);

  // A key goes with its most important kept event.
  std::unordered_map<EventKey, Priority> key_priority;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    if (!readings[i].keep) {
      ++out.superseded[static_cast<std::size_t>(superseded_kind(waiting.kind(i)))];
      if (waiting.tag(i) != 0) out.released_tags.push_back(waiting.tag(i));
      continue;
    }
    order.push_back(i);
    const Priority priority = priority_of(waiting.kind(i), readings[i]);
    auto [at, fresh] = key_priority.emplace(waiting.key(i), priority);
    if (!fresh) at->second = std::min(at->second, priority);
  }
  const auto priority_of_key = [&](std::size_t i) { return key_priority.at(waiting.key(i)); };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return priority_of_key(a) < priority_of_key(b); });

  // Over the bounds: the least important part loses its oldest events first.
  std::vector<bool> dropped(order.size(), false);
  std::size_t events = order.size();
  std::size_t bytes = 0;
  for (std::size_t i : order) bytes += waiting.event(i).size() + 1;
  for (std::size_t part = kPriorities; part-- > 0 && (events > room.events || bytes > room.bytes);) {
    for (std::size_t at = 0; at < order.size() && (events > room.events || bytes > room.bytes); ++at) {
      const std::size_t i = order[at];
      if (static_cast<std::size_t>(priority_of_key(i)) != part) continue;
      dropped[at] = true;
      --events;
      bytes -= waiting.event(i).size() + 1;
      ++out.overflow;
      if (waiting.tag(i) != 0) out.released_tags.push_back(waiting.tag(i));
    }
  }

  std::string rewritten;
  for (std::size_t at = 0; at < order.size(); ++at) {
    if (dropped[at]) continue;
    const std::size_t i = order[at];
    const Reading& reading = readings[i];
    if (reading.previous) {
      rewritten.clear();
      append_with_previous_state(rewritten, waiting.event(i), *reading.fields, *reading.previous);
      out.events.append(rewritten, waiting.kind(i), waiting.key(i), waiting.arrived(i), waiting.tag(i));
    } else {
      out.events.append_event(waiting, i, waiting.arrived(i));
    }
    out.priorities.push_back(priority_of_key(i));
  }
  return out;
}

}  // namespace sluice::deliver

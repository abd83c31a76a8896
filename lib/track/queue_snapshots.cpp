#include "track/queue_snapshots.hpp"

#include <set>

namespace sluice::track {
namespace {

IngestEvent snapshot(const std::string& name, long long depth, EpochMillis now) {
  return IngestEvent{now, QueueSnapshot{name, depth, std::nullopt}};
}

}  // namespace

std::vector<IngestEvent> QueueSnapshots::on_poll(const std::vector<QueueReading>& readings, EpochMillis now) {
  std::vector<IngestEvent> out;
  std::set<std::string> present;
  for (const auto& reading : readings) {
    present.insert(reading.name);
    if (!reading.depth) continue;  // unreadable this time: neither news nor gone
    auto [it, fresh] = queues_.try_emplace(reading.name);
    Sent& sent = it->second;
    if (fresh || sent.depth != *reading.depth || now - sent.at >= refresh_ms_) {
      out.push_back(snapshot(reading.name, *reading.depth, now));
      sent = Sent{*reading.depth, now};
    }
  }
  for (auto it = queues_.begin(); it != queues_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    out.push_back(snapshot(it->first, 0, now));
    it = queues_.erase(it);
  }
  return out;
}

}  // namespace sluice::track

#include "track/queue_snapshots.hpp"

#include <set>

#include "common/utf8.hpp"
#include "track/limits.hpp"

namespace sluice::track {
namespace {

IngestEvent snapshot(const std::string& name, long long depth, EpochMillis now) {
  return IngestEvent{now, QueueSnapshot{name, depth, std::nullopt}};
}

}  // namespace

std::vector<IngestEvent> QueueSnapshots::on_poll(const std::vector<QueueReading>& readings, EpochMillis now) {
  std::vector<IngestEvent> out;
  forgotten_.clear();
  std::set<std::string, std::less<>> present;
  for (const auto& reading : readings) {
    const std::string_view name = utf8::truncate(reading.name, limits::kQueue);
    present.emplace(name);
    if (!reading.depth) continue;  // unreadable this time: neither news nor gone
    auto it = queues_.find(name);
    if (it == queues_.end()) {
      if (*reading.depth == 0 && !reading.listed) continue;  // a name, not (yet) a queue
      it = queues_.emplace(std::string(name), Sent{}).first;
    } else if (it->second.depth == *reading.depth && now - it->second.at < refresh_ms_) {
      continue;
    }
    out.push_back(snapshot(it->first, *reading.depth, now));
    it->second = Sent{*reading.depth, now};
  }
  for (auto it = queues_.begin(); it != queues_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    if (it->second.depth != 0) out.push_back(snapshot(it->first, 0, now));
    forgotten_.push_back(it->first);
    it = queues_.erase(it);
  }
  return out;
}

}  // namespace sluice::track

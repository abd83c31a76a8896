#include "app/resend_ring.hpp"

namespace sluice::app {

ResendRing::ResendRing(Duration window, std::size_t max_events, std::size_t max_bytes)
    : window_(window), max_events_(max_events), max_bytes_(max_bytes), events_(0) {}

std::size_t ResendRing::keep(const track::IngestEvent& event, const deliver::IngestJsonContext& context,
                             Clock::time_point now) {
  expire(now);
  if (max_events_ == 0 || max_bytes_ == 0) return 0;  // the re-send is turned off
  deliver::append_ingest_json(events_.open_event(), event, context);
  events_.close_event(deliver::event_kind(event), deliver::ordering_key(event), now);
  std::size_t pushed_out = 0;
  while (events_.size() > max_events_ || (events_.bytes() > max_bytes_ && events_.size() > 1)) {
    events_.pop_front();
    ++pushed_out;
  }
  if (events_.bytes() > max_bytes_) {  // one event larger than the whole bound
    events_.clear();
    ++pushed_out;
  }
  return pushed_out;
}

std::size_t ResendRing::replay(Clock::time_point now, const Replay& replay) {
  expire(now);
  const std::size_t n = events_.size();
  for (std::size_t i = 0; i < n; ++i) replay(events_.event(i), events_.kind(i), events_.key(i));
  events_.clear();
  return n;
}

void ResendRing::expire(Clock::time_point now) {
  std::size_t old = 0;
  while (old < events_.size() && now - events_.arrived(old) > window_) ++old;
  if (old > 0) events_.pop_front(old);
}

}  // namespace sluice::app

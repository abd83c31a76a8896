#pragma once
// EncodedEvents: serialized ingest events back to back in one buffer, each
// followed by a comma, with per-event offsets, type and ordering key. It is
// the one shape events have from the encoder to the request body: the
// reading thread encodes into it, it crosses to the delivery thread as one
// buffer, delivery queues events in it, and a batch body is a byte range of
// it inside {"events":[…]} (no re-parsing, no string per event).
//
// Events leave from the front (pop_front); the consumed prefix is given
// back once it outweighs what is left, so a queue costs about its content.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::deliver {

// The ingest event type; the body decides the key's namespace.
enum class EventKind : std::uint8_t { job, worker, queue };
const char* to_string(EventKind kind);  // "job_state_change", …

// Events with the same key (one job, worker or queue) must reach the API in
// order. A hash: two ids sharing one only order more events than needed.
using EventKey = std::uint64_t;
EventKey key_of(EventKind kind, std::string_view id);

class EncodedEvents {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // About four hand-over groups of typical events: what steady traffic reuses.
  static constexpr std::size_t kHandOverKeptBytes = 512 * 1024;

  // Capacity beyond `kept_bytes` is given back once the content no longer
  // needs it. A hand-over buffer refills at once and keeps its size; a
  // lane's buffer empties into a batch and sits idle, and 32 lanes each
  // keeping a batch's worth added ~8 MB to the peak at 100 ms round trips.
  explicit EncodedEvents(std::size_t kept_bytes = kHandOverKeptBytes) : kept_bytes_(kept_bytes) {}

  // Writing one event in place: append its JSON to open_event(), then close it.
  std::string& open_event() { return bytes_; }
  void close_event(EventKind kind, EventKey key, TimePoint arrived = {}, std::uint16_t tag = 0);

  void append(std::string_view json, EventKind kind, EventKey key, TimePoint arrived = {}, std::uint16_t tag = 0);
  void append_event(const EncodedEvents& from, std::size_t i, TimePoint arrived);
  void append(const EncodedEvents& other);

  bool empty() const { return size() == 0; }
  std::size_t size() const { return meta_.size() - head_; }
  // JSON bytes held (separators included), what a byte bound counts.
  std::size_t bytes() const { return bytes_.size() - consumed_bytes(); }

  std::string_view event(std::size_t i) const;
  EventKind kind(std::size_t i) const { return at(i).kind; }
  EventKey key(std::size_t i) const { return at(i).key; }
  TimePoint arrived(std::size_t i) const { return at(i).arrived; }
  // The spool's tag of an event (0: not spooled), reported back when
  // delivery is done with it (spool/spool.hpp).
  std::uint16_t tag(std::size_t i) const { return at(i).tag; }
  void set_tag(std::size_t i, std::uint16_t tag) { meta_[head_ + i].tag = tag; }
  // Events [first, first + count) as one range: "e1,e2,…" (no trailing comma).
  std::string_view joined(std::size_t first, std::size_t count) const;

  void pop_front(std::size_t n = 1);
  void clear();  // keeps capacity unless a backlog inflated it
  void swap(EncodedEvents& other) noexcept;
  std::size_t capacity_bytes() const { return bytes_.capacity() + meta_.capacity() * sizeof(Meta); }

 private:
  struct Meta {
    std::uint64_t begin;  // offset in bytes_ + base_
    std::uint32_t length;
    EventKind kind;
    std::uint16_t tag = 0;  // in what would be padding: Meta stays 32 bytes
    EventKey key;
    TimePoint arrived;
  };
  const Meta& at(std::size_t i) const { return meta_[head_ + i]; }
  std::size_t consumed_bytes() const;
  void compact();

  std::string bytes_;
  std::vector<Meta> meta_;
  std::size_t head_ = 0;   // events popped but not yet compacted away
  std::uint64_t base_ = 0; // bytes compacted away before bytes_[0]
  std::size_t open_at_ = 0;
  std::size_t kept_bytes_;
};

}  // namespace sluice::deliver

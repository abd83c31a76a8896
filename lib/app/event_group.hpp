#pragma once
// EventGroup: serialized ingest events back to back in one string. The
// reading thread hands events to the delivery thread in groups; as one
// buffer, a group crosses threads without an allocation per event, and its
// capacity is reused from group to group (the buffers swap back and forth).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::app {

class EventGroup {
 public:
  void append(std::string_view event);
  void append(const EventGroup& other);

  bool empty() const { return ends_.empty(); }
  std::size_t size() const { return ends_.size(); }
  std::string_view operator[](std::size_t i) const;

  // Empties the group, keeping its capacity unless a backlog inflated it.
  void clear();
  void swap(EventGroup& other) noexcept;

 private:
  std::string bytes_;
  std::vector<std::size_t> ends_;  // end offset of each event in bytes_
};

}  // namespace sluice::app

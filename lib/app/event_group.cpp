#include "app/event_group.hpp"

namespace sluice::app {
namespace {

// About four hand-over groups of typical events: what steady traffic reuses.
// A larger buffer is left over from a backlog and is given back instead.
constexpr std::size_t kKeptBytes = 512 * 1024;

}  // namespace

void EventGroup::append(std::string_view event) {
  bytes_.append(event);
  ends_.push_back(bytes_.size());
}

void EventGroup::append(const EventGroup& other) {
  const std::size_t base = bytes_.size();
  bytes_.append(other.bytes_);
  for (const std::size_t end : other.ends_) ends_.push_back(base + end);
}

std::string_view EventGroup::operator[](std::size_t i) const {
  const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
  return std::string_view(bytes_).substr(begin, ends_[i] - begin);
}

void EventGroup::clear() {
  if (bytes_.capacity() > kKeptBytes) {
    std::string().swap(bytes_);
    std::vector<std::size_t>().swap(ends_);
  }
  bytes_.clear();
  ends_.clear();
}

void EventGroup::swap(EventGroup& other) noexcept {
  bytes_.swap(other.bytes_);
  ends_.swap(other.ends_);
}

}  // namespace sluice::app

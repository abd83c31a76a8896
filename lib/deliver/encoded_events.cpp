#include "deliver/encoded_events.hpp"

namespace sluice::deliver {
const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::job: return "job_state_change";
    case EventKind::worker: return "worker_state_change";
    case EventKind::queue: return "queue_snapshot";
  }
  return "job_state_change";
}

// FNV-1a, seeded with the kind: cheap, and a collision only orders more.
EventKey key_of(EventKind kind, std::string_view id) {
  std::uint64_t hash = 1469598103934665603ULL ^ (static_cast<std::uint64_t>(kind) + 1) * 0x9E3779B97F4A7C15ULL;
  for (const char c : id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

void EncodedEvents::close_event(EventKind kind, EventKey key, TimePoint arrived, std::uint16_t tag) {
  const std::size_t begin = open_at_;
  meta_.push_back(Meta{base_ + begin, static_cast<std::uint32_t>(bytes_.size() - begin), kind, tag, key, arrived});
  bytes_.push_back(',');
  open_at_ = bytes_.size();
}

void EncodedEvents::append(std::string_view json, EventKind kind, EventKey key, TimePoint arrived,
                           std::uint16_t tag) {
  open_event().append(json);
  close_event(kind, key, arrived, tag);
}

void EncodedEvents::append_event(const EncodedEvents& from, std::size_t i, TimePoint arrived) {
  append(from.event(i), from.kind(i), from.key(i), arrived, from.tag(i));
}

void EncodedEvents::append(const EncodedEvents& other) {
  if (other.empty()) return;
  const std::uint64_t from = other.at(0).begin;  // in other's numbering
  const std::uint64_t to = base_ + bytes_.size();
  bytes_.append(other.bytes_, from - other.base_);
  for (std::size_t i = 0; i < other.size(); ++i) {
    Meta meta = other.at(i);
    meta.begin = meta.begin - from + to;
    meta_.push_back(meta);
  }
  open_at_ = bytes_.size();
}

std::string_view EncodedEvents::event(std::size_t i) const {
  const Meta& meta = at(i);
  return std::string_view(bytes_).substr(meta.begin - base_, meta.length);
}

std::string_view EncodedEvents::joined(std::size_t first, std::size_t count) const {
  if (count == 0) return {};
  const Meta& a = at(first);
  const Meta& b = at(first + count - 1);
  return std::string_view(bytes_).substr(a.begin - base_, b.begin + b.length - a.begin);
}

std::size_t EncodedEvents::consumed_bytes() const {
  if (head_ == 0) return 0;
  if (head_ == meta_.size()) return bytes_.size();
  return meta_[head_].begin - base_;
}

void EncodedEvents::pop_front(std::size_t n) {
  head_ += std::min(n, size());
  if (head_ == meta_.size()) return clear();
  if (consumed_bytes() >= kept_bytes_ / 4 && consumed_bytes() >= bytes_.size() / 2) compact();
}

// Drops the consumed prefix: amortised O(1) per byte, as it runs only when
// the prefix is at least as large as what moves.
void EncodedEvents::compact() {
  const std::size_t cut = consumed_bytes();
  bytes_.erase(0, cut);
  base_ += cut;
  meta_.erase(meta_.begin(), meta_.begin() + static_cast<std::ptrdiff_t>(head_));
  head_ = 0;
  open_at_ = bytes_.size();
  if (bytes_.capacity() > kept_bytes_ && bytes_.capacity() > 4 * bytes_.size()) {
    bytes_.shrink_to_fit();
    meta_.shrink_to_fit();
  }
}

void EncodedEvents::clear() {
  if (bytes_.capacity() > kept_bytes_) {
    std::string().swap(bytes_);
    std::vector<Meta>().swap(meta_);
  }
  bytes_.clear();
  meta_.clear();
  head_ = 0;
  base_ = 0;
  open_at_ = 0;
}

void EncodedEvents::swap(EncodedEvents& other) noexcept {
  bytes_.swap(other.bytes_);
  meta_.swap(other.meta_);
  std::swap(head_, other.head_);
  std::swap(base_, other.base_);
  std::swap(open_at_, other.open_at_);
  std::swap(kept_bytes_, other.kept_bytes_);
}

}  // namespace sluice::deliver

#pragma once
// ChunkedSlots<T>: elements addressed by a 32-bit slot, stored in fixed
// chunks of 1024 that are added as slots are taken. Elements never move, so
// slots and references stay valid, and a growing table never copies what it
// already holds (the task table's records and their extras).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace sluice::track {

template <class T>
class ChunkedSlots {
 public:
  T& operator[](std::uint32_t slot) { return chunks_[slot >> kChunkBits][slot & kSlotMask]; }
  const T& operator[](std::uint32_t slot) const { return chunks_[slot >> kChunkBits][slot & kSlotMask]; }

  // Makes room for `slot`; slots are taken in order, so this adds at most
  // one chunk.
  void make_room_for(std::uint32_t slot) {
    if ((slot >> kChunkBits) >= chunks_.size()) chunks_.push_back(std::make_unique<T[]>(std::size_t{1} << kChunkBits));
  }

 private:
  static constexpr unsigned kChunkBits = 10;
  static constexpr std::uint32_t kSlotMask = (1U << kChunkBits) - 1;
  std::vector<std::unique_ptr<T[]>> chunks_;
};

}  // namespace sluice::track

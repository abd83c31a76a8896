#include "track/chunked_slots.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace sluice::track {
namespace {

// Across several chunks every slot keeps its own value, and an element's
// address never changes as later chunks are added.
TEST(ChunkedSlots, SlotsKeepValuesAndAddressesAcrossChunks) {
  ChunkedSlots<std::uint64_t> slots;
  slots.make_room_for(0);
  slots[0] = 7;
  const std::uint64_t* first = &slots[0];
  constexpr std::uint32_t kSlots = 3000;  // three chunks of 1024
  for (std::uint32_t slot = 1; slot < kSlots; ++slot) {
    slots.make_room_for(slot);
    slots[slot] = 1000 + slot;
  }
  EXPECT_EQ(&slots[0], first);
  EXPECT_EQ(slots[0], 7u);
  for (std::uint32_t slot = 1; slot < kSlots; ++slot) ASSERT_EQ(slots[slot], 1000u + slot) << slot;
  const auto& read_only = slots;
  EXPECT_EQ(read_only[2999], 3999u);
}

}  // namespace
}  // namespace sluice::track

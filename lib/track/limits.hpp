#pragma once
// Length limits of the ingest contract (docs/ingest-contract.md §4), in
// bytes, applied UTF-8 safely (common/utf8.hpp) before anything is sent.

#include <cstddef>

namespace sluice::track::limits {

inline constexpr std::size_t kExternalId = 512;
inline constexpr std::size_t kName = 1024;
inline constexpr std::size_t kQueue = 255;
inline constexpr std::size_t kWorkerId = 512;
inline constexpr std::size_t kError = 10'000;
inline constexpr std::size_t kStacktrace = 50'000;
// Not fixed by the contract; kept to the sizes of the neighbouring fields.
inline constexpr std::size_t kTaskReference = 512;  // parentId, rootId
inline constexpr std::size_t kShortText = 255;      // extensions, worker metadata

}  // namespace sluice::track::limits

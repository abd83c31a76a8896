#pragma once
// TaskRef: a task id (uuid, parent_id, root_id) in 16 bytes. Canonical
// lower-case UUID text is stored as its bytes; any other text Celery allows
// as a task id goes to the StringPool and the bytes hold its pool id.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "track/string_pool.hpp"

namespace sluice::track {

using UuidBytes = std::array<std::uint8_t, 16>;

enum class RefKind : std::uint8_t { none, uuid, pooled, self };

// Bytes of "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in lower case only, so that
// formatting the bytes gives back exactly the text Celery sent.
std::optional<UuidBytes> parse_canonical_uuid(std::string_view text);
void append_uuid(std::string& out, const UuidBytes& bytes);

// Stores `text` into `bytes` and returns its kind (`self` when it equals
// `self_text`, the task's own id, which saves the pool for root_id).
RefKind store_ref(std::string_view text, std::string_view self_text, UuidBytes& bytes, StringPool& pool);
void release_ref(RefKind kind, const UuidBytes& bytes, StringPool& pool);
// Whether a reference of this kind keeps its value in the 16 bytes (`none`
// and `self` are the kind alone).
inline bool stores_bytes(RefKind kind) { return kind == RefKind::uuid || kind == RefKind::pooled; }
// The text of a stored reference; `self` expands to `self_text`.
std::string load_ref(RefKind kind, const UuidBytes& bytes, const StringPool& pool, std::string_view self_text);

StringPool::Id pooled_id(const UuidBytes& bytes);
UuidBytes pooled_bytes(StringPool::Id id);

}  // namespace sluice::track

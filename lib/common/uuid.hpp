#pragma once
// UUID text: validation and canonical form (connection ids), and random
// version-4 ids (Idempotency-Key, pidbox delivery_tag).

#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace sluice {

// Lower-case canonical 8-4-4-4-12 form, or nothing when `text` is not a UUID.
std::optional<std::string> canonical_uuid(std::string_view text);

// A random version-4 UUID; randomness is a parameter so tests are repeatable.
std::string random_uuid4(std::mt19937_64& rng);

}  // namespace sluice

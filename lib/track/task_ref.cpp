#include "track/task_ref.hpp"

#include <array>
#include <cstring>

namespace sluice::track {
namespace {

// Lower-case hex digit values; 0xFF for every other byte.
constexpr std::array<std::uint8_t, 256> kHexValue = [] {
  std::array<std::uint8_t, 256> table{};
  table.fill(0xFF);
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
  return table;
}();

// Offsets of the 16 hex pairs in "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
constexpr std::array<std::uint8_t, 16> kPairOffset{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};

}  // namespace

std::optional<UuidBytes> parse_canonical_uuid(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
    return std::nullopt;
  }
  UuidBytes bytes{};
  unsigned bad = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::uint8_t high = kHexValue[static_cast<unsigned char>(text[kPairOffset[i]])];
    const std::uint8_t low = kHexValue[static_cast<unsigned char>(text[kPairOffset[i] + 1])];
    bad |= high | low;
    bytes[i] = static_cast<std::uint8_t>((high << 4) | (low & 0x0F));
  }
  if (bad & 0xF0) return std::nullopt;
  return bytes;
}

void append_uuid(std::string& out, const UuidBytes& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0F]);
  }
}

StringPool::Id pooled_id(const UuidBytes& bytes) {
  StringPool::Id id = 0;
  std::memcpy(&id, bytes.data(), sizeof id);
  return id;
}

UuidBytes pooled_bytes(StringPool::Id id) {
  UuidBytes bytes{};
  std::memcpy(bytes.data(), &id, sizeof id);
  return bytes;
}

RefKind store_ref(std::string_view text, std::string_view self_text, UuidBytes& bytes, StringPool& pool) {
  if (text.empty()) return RefKind::none;
  if (text == self_text) return RefKind::self;
  if (auto uuid = parse_canonical_uuid(text)) {
    bytes = *uuid;
    return RefKind::uuid;
  }
  bytes = pooled_bytes(pool.acquire(text));
  return RefKind::pooled;
}

void release_ref(RefKind kind, const UuidBytes& bytes, StringPool& pool) {
  if (kind == RefKind::pooled) pool.release(pooled_id(bytes));
}

std::string load_ref(RefKind kind, const UuidBytes& bytes, const StringPool& pool, std::string_view self_text) {
  switch (kind) {
    case RefKind::none: return {};
    case RefKind::self: return std::string(self_text);
    case RefKind::pooled: return std::string(pool.view(pooled_id(bytes)));
    case RefKind::uuid: {
      std::string out;
      out.reserve(36);
      append_uuid(out, bytes);
      return out;
    }
  }
  return {};
}

}  // namespace sluice::track

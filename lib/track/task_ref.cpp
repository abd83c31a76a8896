#include "track/task_ref.hpp"

#include <cstring>

namespace sluice::track {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_dash_position(std::size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

std::optional<UuidBytes> parse_canonical_uuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  UuidBytes bytes{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (is_dash_position(i)) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes[out++] = static_cast<std::uint8_t>(high * 16 + low);
    i += 2;
  }
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

#include "common/base64.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace sluice {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint32_t kInvalid = 0xffffffffU;

// Portable code only. An SSSE3 path (16 characters per step, Muła/Lemire)
// was measured against this loop on the 205 base64 bodies of the Celery 5.2
// captures (516 characters on average): 90-103 ns per body against 180-215
// ns, about 0.1 µs of the ~4 µs of CPU an event costs sluiced end to end
// (bench/RESULTS.md, "Custom code"). Not worth 40 lines of intrinsics and a
// CPU dispatch; it was removed.
//
// One table per position in a 4-character quantum, pre-shifted, so a quantum
// decodes with four lookups and three ORs; any invalid character turns the
// result into kInvalid's high byte pattern (checked once per quantum).
struct DecodeTables {
  std::array<std::array<std::uint32_t, 256>, 4> shifted{};
  constexpr DecodeTables() {
    for (auto& table : shifted) table.fill(kInvalid);
    for (std::uint32_t i = 0; i < 64; ++i) {
      const auto c = static_cast<unsigned char>(kAlphabet[i]);
      shifted[0][c] = i << 18;
      shifted[1][c] = i << 12;
      shifted[2][c] = i << 6;
      shifted[3][c] = i;
    }
  }
};
constexpr DecodeTables kTables;


std::uint32_t quantum(const unsigned char* p) {
  return kTables.shifted[0][p[0]] | kTables.shifted[1][p[1]] | kTables.shifted[2][p[2]] |
         kTables.shifted[3][p[3]];
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  base64_encode_append(bytes, out);
  return out;
}

void base64_encode_append(std::string_view bytes, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4);
  char* dst = out.data() + start;
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (; i + 3 <= bytes.size(); i += 3, dst += 4) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    dst[0] = kAlphabet[v >> 18];
    dst[1] = kAlphabet[(v >> 12) & 63];
    dst[2] = kAlphabet[(v >> 6) & 63];
    dst[3] = kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{p[i]} << 16;
    if (rest == 2) v |= std::uint32_t{p[i + 1]} << 8;
    dst[0] = kAlphabet[v >> 18];
    dst[1] = kAlphabet[(v >> 12) & 63];
    dst[2] = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    dst[3] = '=';
  }
}

bool base64_decode_into(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  const std::size_t decoded = text.size() / 4 * 3 - padding;
  out.resize(decoded + 2);  // slack: the fast loop stores 8 bytes per 6
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  const std::size_t full = padding == 0 ? text.size() : text.size() - 4;
  std::size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    // Two quanta per step, their 48 bits written with one 8-byte store.
    for (; i + 8 <= full; i += 8, dst += 6) {
      const std::uint32_t a = quantum(in + i);
      const std::uint32_t b = quantum(in + i + 4);
      if ((a | b) & 0xff000000U) return false;
      const std::uint64_t bytes = __builtin_bswap64(((std::uint64_t{a} << 24) | b) << 16);
      std::memcpy(dst, &bytes, 8);
    }
  }
  for (; i < full; i += 4, dst += 3) {
    const std::uint32_t v = quantum(in + i);
    if (v & 0xff000000U) return false;
    dst[0] = static_cast<unsigned char>(v >> 16);
    dst[1] = static_cast<unsigned char>(v >> 8);
    dst[2] = static_cast<unsigned char>(v);
  }
  if (padding > 0) {
    // The last quantum: "xx==" carries one byte, "xxx=" two.
    const unsigned char third = padding == 2 ? static_cast<unsigned char>('A') : in[full + 2];
    const unsigned char last[4] = {in[full], in[full + 1], third, 'A'};
    const std::uint32_t v = quantum(last);
    if (v & 0xff000000U) return false;
    dst[0] = static_cast<unsigned char>(v >> 16);
    if (padding == 1) dst[1] = static_cast<unsigned char>(v >> 8);
  }
  out.resize(decoded);
  return true;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  if (!base64_decode_into(text, out)) return std::nullopt;
  return out;
}

}  // namespace sluice

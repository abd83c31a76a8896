#include "common/base64.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <tmmintrin.h>
#endif

namespace sluice {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint32_t kInvalid = 0xffffffffU;

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

#if defined(__x86_64__) || defined(__i386__)
#define SLUICE_BASE64_SSSE3 1
// 16 characters → 12 bytes per step with SSSE3 (W. Muła and D. Lemire's
// method, as in aklomp/base64): nibble lookup tables classify every byte —
// exactly the alphabet passes — and multiply-adds pack the 6-bit values.
// Returns how many characters it consumed; stops before a block with any
// byte outside the alphabet (the scalar loop then refuses it) and while
// fewer than 16 characters remain. Writes 16 bytes per 12: needs 4 slack.
__attribute__((target("ssse3"))) std::size_t decode_blocks_ssse3(const unsigned char* in, std::size_t size,
                                                                   unsigned char* out) {
  const __m128i lut_lo = _mm_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A,
                                       0x1B, 0x1B, 0x1B, 0x1A);
  const __m128i lut_hi = _mm_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10,
                                       0x10, 0x10, 0x10, 0x10);
  const __m128i lut_roll = _mm_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m128i mask_2f = _mm_set1_epi8(0x2f);
  const __m128i pack = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  std::size_t done = 0;
  for (; size - done >= 16; done += 16, out += 12) {
    __m128i chars = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + done));
    const __m128i hi_nibbles = _mm_and_si128(_mm_srli_epi32(chars, 4), mask_2f);
    const __m128i lo_nibbles = _mm_and_si128(chars, mask_2f);
    const __m128i hi = _mm_shuffle_epi8(lut_hi, hi_nibbles);
    const __m128i lo = _mm_shuffle_epi8(lut_lo, lo_nibbles);
    if (_mm_movemask_epi8(_mm_cmpgt_epi8(_mm_and_si128(lo, hi), _mm_setzero_si128())) != 0) break;
    const __m128i roll = _mm_shuffle_epi8(lut_roll, _mm_add_epi8(_mm_cmpeq_epi8(chars, mask_2f), hi_nibbles));
    chars = _mm_add_epi8(chars, roll);  // now the 6-bit values
    const __m128i pairs = _mm_maddubs_epi16(chars, _mm_set1_epi32(0x01400140));
    const __m128i quads = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00011000));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(quads, pack));
  }
  return done;
}
#endif

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
  out.resize(decoded + 4);  // slack: the fast loops store 16 bytes per 12, 8 per 6
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  const std::size_t full = padding == 0 ? text.size() : text.size() - 4;
  std::size_t i = 0;
#if defined(SLUICE_BASE64_SSSE3)
  if (__builtin_cpu_supports("ssse3")) {
    i = decode_blocks_ssse3(in, full, dst);
    dst += i / 4 * 3;
  }
#endif
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

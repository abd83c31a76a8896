#pragma once
// find_stop: the innermost loop of the decoder — where does a JSON string
// end (a quote), or need work (a backslash, a control byte)? A base64 body
// is one long string, so this runs over most payload bytes.

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::decode::json_scan {

inline constexpr std::array<bool, 256> kStops = [] {
  std::array<bool, 256> stops{};
  for (std::size_t c = 0; c < 0x20; ++c) stops[c] = true;
  stops['"'] = true;
  stops['\\'] = true;
  return stops;
}();

// The high bit of each byte of the result is set where `word` holds a stop
// ("has zero byte" / "has byte less than" tricks). Borrows only set bits
// above a true hit, so the lowest set bit is exact.
inline std::uint64_t stop_bits(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const std::uint64_t quote = word ^ (kOnes * '"');
  const std::uint64_t backslash = word ^ (kOnes * '\\');
  const std::uint64_t zero_quote = (quote - kOnes) & ~quote;
  const std::uint64_t zero_backslash = (backslash - kOnes) & ~backslash;
  const std::uint64_t below_space = (word - kOnes * 0x20) & ~word;
  return (zero_quote | zero_backslash | below_space) & kHighs;
}

// First stop byte at or after `p`, or `end`: SSE2 (baseline on x86-64)
// checks 16 bytes per step, the word trick 8 elsewhere, the table the tail.
inline const char* find_stop(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i max_control = _mm_set1_epi8(0x1f);
  for (; end - p >= 16; p += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(chunk, max_control), max_control);
    const __m128i special = _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash));
    if (const int mask = _mm_movemask_epi8(_mm_or_si128(special, control)))
      return p + std::countr_zero(static_cast<unsigned>(mask));
  }
#endif
  for (std::uint64_t word = 0; end - p >= 8; p += 8) {
    std::memcpy(&word, p, 8);
    if constexpr (std::endian::native == std::endian::little) {
      if (const std::uint64_t bits = stop_bits(word)) return p + (std::countr_zero(bits) >> 3);
    } else if (stop_bits(word) != 0) {
      break;
    }
  }
  while (p != end && !kStops[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

}  // namespace sluice::decode::json_scan

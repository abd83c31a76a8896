#pragma once
// The spool's record: the unit written to and read back from a segment file
// (docs/spool.md). A record is a 20-byte header and a payload:
//
//   magic u32 | payload bytes u32 | events u32 | type u8 | codec u8 |
//   reserved u16 | crc32 u32 (of the 16 bytes before it and the payload)
//
// little-endian. The magic lets a reader find the next record after a
// damaged one; the checksum catches a torn write or a flipped bit, in the
// header as well as in the payload.
//
// An `events` record holds one hand-over group: for each event its kind
// (u8), key (u64), JSON length (u32) and JSON, the whole LZ4-compressed
// behind its uncompressed size (u32). LZ4 costs ~0.3 µs per event against
// ~2.5 µs for zlib at level 1 (bench numbers in docs/spool.md).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "deliver/encoded_events.hpp"

namespace sluice::deliver::spool {

inline constexpr std::uint32_t kRecordMagic = 0x53'52'4c'53;  // "SLRS" read little-endian
inline constexpr std::size_t kRecordHeaderBytes = 20;
// A hand-over group is at most a few MiB; anything claiming more is damage.
inline constexpr std::uint32_t kMaxPayloadBytes = 64u * 1024 * 1024;

enum class RecordType : std::uint8_t {
  events = 1,     // a group of encoded events
  sync_mark = 2,  // after an fdatasync: `events` = events appended since the previous mark
  closed = 3,     // the last record of a clean shutdown
};

struct RecordHeader {
  std::uint32_t payload_bytes = 0;
  std::uint32_t events = 0;
  RecordType type = RecordType::events;
  std::uint8_t codec = 0;
  std::uint32_t crc = 0;
};

// Header fields if `bytes` (at least kRecordHeaderBytes) start with a
// plausible header: the magic, a known type and codec, a sane size. The
// checksum needs the payload: see verify().
std::optional<RecordHeader> parse_header(std::string_view bytes);
bool verify(std::string_view header_bytes, const RecordHeader& header, std::string_view payload);

// Scratch space an encoder reuses from record to record: at 150 000
// events/s a fresh pair of ~100 KB strings per group showed up as heap
// fragmentation (+10 MB peak) and allocator time.
struct RecordBuffers {
  std::string raw;     // the uncompressed events
  std::string record;  // header and payload
};

// A whole record (header and payload) for events [first, first + count),
// built in `buffers.record`.
const std::string& encode_events(const EncodedEvents& events, std::size_t first, std::size_t count,
                                 RecordBuffers& buffers);
std::string encode_events(const EncodedEvents& events, std::size_t first, std::size_t count);
// A record without payload (sync mark, closed).
std::string encode_mark(RecordType type, std::uint32_t events);

// Appends the events of a verified `events` payload to `into`; false if the
// payload does not decode to exactly `expected_events` events (then `into`
// is left as it was).
bool decode_events(std::string_view payload, std::uint32_t expected_events, EncodedEvents& into);

}  // namespace sluice::deliver::spool

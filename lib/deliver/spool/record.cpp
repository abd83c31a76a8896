#include "deliver/spool/record.hpp"

#include <lz4.h>
#include <zlib.h>

#include <cstring>

namespace sluice::deliver::spool {
namespace {

constexpr std::uint8_t kCodecLz4 = 1;
constexpr std::size_t kEventHeaderBytes = 1 + 8 + 4;  // kind, key, JSON length

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::uint32_t checksum(std::string_view header_bytes, std::string_view payload) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(header_bytes.data()), 16);
  // (zlib's crc32 returns 0 for a null buffer, whatever the crc so far.)
  if (!payload.empty()) {
    crc = crc32(crc, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size()));
  }
  return static_cast<std::uint32_t>(crc);
}

// Header fields then the checksum over them and the payload.
std::string framed(RecordType type, std::uint8_t codec, std::uint32_t events, std::string_view payload) {
  std::string out;
  out.reserve(kRecordHeaderBytes + payload.size());
  put_u32(out, kRecordMagic);
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  put_u32(out, events);
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(codec));
  out.append(2, '\0');
  put_u32(out, checksum(out, payload));
  out.append(payload);
  return out;
}

bool known_type(std::uint8_t type) { return type >= 1 && type <= 3; }

}  // namespace

std::optional<RecordHeader> parse_header(std::string_view bytes) {
  if (bytes.size() < kRecordHeaderBytes || get_u32(bytes.data()) != kRecordMagic) return std::nullopt;
  RecordHeader header;
  header.payload_bytes = get_u32(bytes.data() + 4);
  header.events = get_u32(bytes.data() + 8);
  const auto type = static_cast<std::uint8_t>(bytes[12]);
  header.codec = static_cast<std::uint8_t>(bytes[13]);
  header.crc = get_u32(bytes.data() + 16);
  if (!known_type(type) || header.payload_bytes > kMaxPayloadBytes) return std::nullopt;
  header.type = static_cast<RecordType>(type);
  if (header.type == RecordType::events && header.codec != kCodecLz4) return std::nullopt;
  return header;
}

bool verify(std::string_view header_bytes, const RecordHeader& header, std::string_view payload) {
  return payload.size() == header.payload_bytes && checksum(header_bytes, payload) == header.crc;
}

const std::string& encode_events(const EncodedEvents& events, std::size_t first, std::size_t count,
                                 RecordBuffers& buffers) {
  std::string& raw = buffers.raw;
  raw.clear();
  for (std::size_t i = first; i < first + count; ++i) {
    const std::string_view json = events.event(i);
    raw.push_back(static_cast<char>(events.kind(i)));
    put_u64(raw, events.key(i));
    put_u32(raw, static_cast<std::uint32_t>(json.size()));
    raw.append(json);
  }
  // Header placeholder, uncompressed size, LZ4 block; then the header.
  std::string& record = buffers.record;
  record.assign(kRecordHeaderBytes, '\0');
  put_u32(record, static_cast<std::uint32_t>(raw.size()));
  const int bound = LZ4_compressBound(static_cast<int>(raw.size()));
  record.resize(kRecordHeaderBytes + 4 + static_cast<std::size_t>(bound));
  const int written = LZ4_compress_default(raw.data(), record.data() + kRecordHeaderBytes + 4,
                                           static_cast<int>(raw.size()), bound);
  record.resize(kRecordHeaderBytes + 4 + static_cast<std::size_t>(written));
  std::string header;
  put_u32(header, kRecordMagic);
  put_u32(header, static_cast<std::uint32_t>(record.size() - kRecordHeaderBytes));
  put_u32(header, static_cast<std::uint32_t>(count));
  header.push_back(static_cast<char>(RecordType::events));
  header.push_back(static_cast<char>(kCodecLz4));
  header.append(2, '\0');
  put_u32(header, checksum(header, std::string_view(record).substr(kRecordHeaderBytes)));
  record.replace(0, kRecordHeaderBytes, header);
  return record;
}

std::string encode_events(const EncodedEvents& events, std::size_t first, std::size_t count) {
  RecordBuffers buffers;
  return encode_events(events, first, count, buffers);
}

std::string encode_mark(RecordType type, std::uint32_t events) { return framed(type, 0, events, {}); }

bool decode_events(std::string_view payload, std::uint32_t expected_events, EncodedEvents& into) {
  if (payload.size() < 4) return false;
  const std::uint32_t raw_size = get_u32(payload.data());
  if (raw_size > kMaxPayloadBytes * 4ull) return false;
  std::string raw(raw_size, '\0');
  const int got = LZ4_decompress_safe(payload.data() + 4, raw.data(), static_cast<int>(payload.size() - 4),
                                      static_cast<int>(raw_size));
  if (got < 0 || static_cast<std::uint32_t>(got) != raw_size) return false;
  EncodedEvents decoded;
  std::size_t at = 0;
  while (at < raw.size()) {
    if (raw.size() - at < kEventHeaderBytes) return false;
    const auto kind = static_cast<std::uint8_t>(raw[at]);
    const std::uint64_t key = get_u64(raw.data() + at + 1);
    const std::uint32_t length = get_u32(raw.data() + at + 9);
    at += kEventHeaderBytes;
    if (kind > static_cast<std::uint8_t>(EventKind::queue) || raw.size() - at < length) return false;
    decoded.append(std::string_view(raw).substr(at, length), static_cast<EventKind>(kind), key);
    at += length;
  }
  if (decoded.size() != expected_events) return false;
  into.append(decoded);
  return true;
}

}  // namespace sluice::deliver::spool

#pragma once
// Little-endian fields for the table snapshot (table_snapshot.hpp): a
// writer that appends to a string, and a reader that never reads past its
// bytes — once a field does not fit, it stays failed and yields zeros.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::track {

// Writes at a position in a buffer that grows by doubling, so a field costs
// a bounds check and a copy; finish() cuts the buffer to what was written.
class SnapshotWriter {
 public:
  // `expected`: the bytes likely to be written, allocated at once.
  explicit SnapshotWriter(std::string& out, std::size_t expected = 0) : out_(out), at_(out.size()) {
    out_.resize(at_ + expected);
  }

  void u8(std::uint8_t v) { put(v); }
  void u16(std::uint16_t v) { put(v); }
  void u32(std::uint32_t v) { put(v); }
  void i64(std::int64_t v) { put(v); }
  void f64(double v) { put(std::bit_cast<std::uint64_t>(v)); }
  void bytes(const void* data, std::size_t size) {
    room(size);
    std::memcpy(out_.data() + at_, data, size);
    at_ += size;
  }
  void text(std::string_view text) {
    u32(static_cast<std::uint32_t>(text.size()));
    bytes(text.data(), text.size());
  }
  // Writes a u32 now and fills it in later (a count known only at the end).
  std::size_t u32_placeholder() {
    u32(0);
    return at_ - 4;
  }
  void patch_u32(std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  }
  void finish() { out_.resize(at_); }

 private:
  template <class T>
  void put(T v) {
    room(sizeof v);
    char* to = out_.data() + at_;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(to, &v, sizeof v);
    } else {
      for (std::size_t i = 0; i < sizeof v; ++i) to[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    }
    at_ += sizeof v;
  }
  void room(std::size_t size) {
    if (out_.size() - at_ < size) out_.resize(std::max(out_.size() * 2, at_ + size + 4096));
  }
  std::string& out_;
  std::size_t at_;
};

class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view bytes) : bytes_(bytes) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(get(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(get(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::int64_t i64() { return static_cast<std::int64_t>(get(8)); }
  double f64() { return std::bit_cast<double>(get(8)); }
  std::string_view bytes(std::size_t size) {
    if (failed_ || bytes_.size() - at_ < size) {
      failed_ = true;
      return {};
    }
    const std::string_view view = bytes_.substr(at_, size);
    at_ += size;
    return view;
  }
  std::string_view text() { return bytes(u32()); }

  bool failed() const { return failed_; }
  bool at_end() const { return at_ == bytes_.size(); }
  void fail() { failed_ = true; }

 private:
  std::uint64_t get(int size) {
    const std::string_view field = bytes(static_cast<std::size_t>(size));
    std::uint64_t v = 0;
    for (int i = static_cast<int>(field.size()) - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(field[i]);
    return v;
  }
  std::string_view bytes_;
  std::size_t at_ = 0;
  bool failed_ = false;
};

}  // namespace sluice::track

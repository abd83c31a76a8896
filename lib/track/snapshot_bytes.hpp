#pragma once
// Little-endian fields for the table snapshot (table_snapshot.hpp): a
// writer that appends to a string, and a reader that never reads past its
// bytes — once a field does not fit, it stays failed and yields zeros.

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::track {

class SnapshotWriter {
 public:
  explicit SnapshotWriter(std::string& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void i64(std::int64_t v) { put(static_cast<std::uint64_t>(v), 8); }
  void f64(double v) { put(std::bit_cast<std::uint64_t>(v), 8); }
  void bytes(const void* data, std::size_t size) { out_.append(static_cast<const char*>(data), size); }
  void text(std::string_view text) {
    u32(static_cast<std::uint32_t>(text.size()));
    out_.append(text);
  }
  // Writes a u32 now and fills it in later (a count known only at the end).
  std::size_t u32_placeholder() {
    u32(0);
    return out_.size() - 4;
  }
  void patch_u32(std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  }

 private:
  void put(std::uint64_t v, int size) {
    for (int i = 0; i < size; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  std::string& out_;
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

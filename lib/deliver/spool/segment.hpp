#pragma once
// Segment files of the spool (docs/spool.md): a 24-byte file header, then
// records (record.hpp) appended one write(2) each. A segment is written by
// one SegmentWriter and read back, possibly while it is still being
// written, by a SegmentReader that skips damaged stretches.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "deliver/spool/record.hpp"

namespace sluice::deliver::spool {

inline constexpr std::uint32_t kSegmentVersion = 1;
inline constexpr std::size_t kSegmentHeaderBytes = 24;  // magic[12], version u32, created (ms since epoch) u64

// "0000000000000042.seg" for sequence number 42, and back.
std::string segment_file_name(std::uint64_t seq);
std::optional<std::uint64_t> segment_seq(std::string_view file_name);

// An owned file descriptor.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  ~FileDescriptor();
  int get() const { return fd_; }
  int release();
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

class SegmentWriter {
 public:
  // Creates `path` (which must not exist) and writes the file header.
  static Expected<SegmentWriter, std::string> create(const std::string& path,
                                                     std::chrono::system_clock::time_point created);

  // Appends whole records with one write(2). On failure the file is cut back
  // to what it held, so it never ends in a torn record, and the error says why.
  std::optional<std::string> append(std::string_view records);
  std::optional<std::string> sync();  // fdatasync
  std::uint64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  SegmentWriter(std::string path, FileDescriptor fd, std::uint64_t bytes)
      : path_(std::move(path)), fd_(std::move(fd)), bytes_(bytes) {}
  std::string path_;
  FileDescriptor fd_;
  std::uint64_t bytes_;
};

enum class SegmentProblem { unreadable, empty, not_a_segment, future_version };
const char* to_string(SegmentProblem problem);

class SegmentReader {
 public:
  static Expected<SegmentReader, SegmentProblem> open(const std::string& path, std::string* error = nullptr);

  struct Record {
    RecordHeader header;
    std::string_view payload;  // valid until the next call
  };
  // The next intact record from the current position, skipping damage; none
  // at the end of what is written so far.
  std::optional<Record> next();
  // Continues at `offset` (a position an earlier next() reached).
  void seek(std::uint64_t offset) { position_ = offset; }
  std::uint64_t position() const { return position_; }
  std::chrono::system_clock::time_point created() const { return created_; }
  // Damaged stretches skipped so far (each counts as one record), and
  // whether the file ended inside one (a torn last write).
  std::uint64_t damaged() const { return damaged_; }
  bool ends_torn() const { return in_damage_; }

 private:
  explicit SegmentReader(FileDescriptor fd) : fd_(std::move(fd)) {}
  bool cover(std::uint64_t offset, std::size_t bytes);  // makes buffer_ hold [offset, offset + bytes)
  void skip_damage();
  std::string_view view(std::uint64_t offset, std::size_t bytes) const;

  FileDescriptor fd_;
  std::chrono::system_clock::time_point created_{};
  std::string buffer_;
  std::uint64_t buffer_at_ = 0;  // file offset of buffer_[0]
  std::uint64_t position_ = kSegmentHeaderBytes;
  std::uint64_t damaged_ = 0;
  bool in_damage_ = false;
};

}  // namespace sluice::deliver::spool

#include "deliver/spool/segment.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace sluice::deliver::spool {
namespace {

constexpr std::string_view kSegmentMagic{"SLUICESPOOL\0", 12};
constexpr std::string_view kSuffix = ".seg";
constexpr std::size_t kReadChunk = 1 << 20;

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_le(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Writes all of `bytes` at the end of the file, retrying short writes.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string segment_file_name(std::uint64_t seq) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.seg", static_cast<unsigned long long>(seq));
  return name;
}

std::optional<std::uint64_t> segment_seq(std::string_view file_name) {
  if (file_name.size() != 16 + kSuffix.size() || !file_name.ends_with(kSuffix)) return std::nullopt;
  std::uint64_t seq = 0;
  const auto [end, ec] = std::from_chars(file_name.data(), file_name.data() + 16, seq, 16);
  if (ec != std::errc{} || end != file_name.data() + 16) return std::nullopt;
  return seq;
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

int FileDescriptor::release() { return std::exchange(fd_, -1); }

Expected<SegmentWriter, std::string> SegmentWriter::create(const std::string& path,
                                                           std::chrono::system_clock::time_point created) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600));
  if (!fd) return Unexpected(errno_text("cannot create a spool segment"));
  std::string header(kSegmentMagic);
  put_le(header, kSegmentVersion, 4);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(created.time_since_epoch()).count();
  put_le(header, static_cast<std::uint64_t>(ms), 8);
  if (!write_all(fd.get(), header)) {
    const std::string error = errno_text("cannot write a spool segment");
    ::unlink(path.c_str());
    return Unexpected(error);
  }
  return SegmentWriter(path, std::move(fd), header.size());
}

std::optional<std::string> SegmentWriter::append(std::string_view records) {
  if (write_all(fd_.get(), records)) {
    bytes_ += records.size();
    return std::nullopt;
  }
  std::string error = errno_text("cannot write to the spool");
  if (::ftruncate(fd_.get(), static_cast<off_t>(bytes_)) != 0) error += " (and the partial record stays)";
  return error;
}

std::optional<std::string> SegmentWriter::sync() {
  if (::fdatasync(fd_.get()) != 0) return errno_text("cannot sync the spool");
  return std::nullopt;
}

const char* to_string(SegmentProblem problem) {
  switch (problem) {
    case SegmentProblem::unreadable: return "unreadable";
    case SegmentProblem::empty: return "empty";
    case SegmentProblem::not_a_segment: return "not_a_segment";
    case SegmentProblem::future_version: return "future_version";
  }
  return "unreadable";
}

Expected<SegmentReader, SegmentProblem> SegmentReader::open(const std::string& path, std::string* error) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (error) *error = errno_text("cannot open a spool segment");
    return Unexpected(SegmentProblem::unreadable);
  }
  SegmentReader reader(std::move(fd));
  if (!reader.cover(0, kSegmentHeaderBytes)) return Unexpected(SegmentProblem::empty);
  const std::string_view header = reader.view(0, kSegmentHeaderBytes);
  if (header.substr(0, kSegmentMagic.size()) != kSegmentMagic) return Unexpected(SegmentProblem::not_a_segment);
  if (get_le(header.data() + 12, 4) != kSegmentVersion) return Unexpected(SegmentProblem::future_version);
  reader.created_ = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(static_cast<std::int64_t>(get_le(header.data() + 16, 8))));
  return reader;
}

std::string_view SegmentReader::view(std::uint64_t offset, std::size_t bytes) const {
  return std::string_view(buffer_).substr(offset - buffer_at_, bytes);
}

bool SegmentReader::cover(std::uint64_t offset, std::size_t bytes) {
  if (offset >= buffer_at_ && offset + bytes <= buffer_at_ + buffer_.size()) return true;
  // Keep what is already read from `offset` on, then read the rest.
  if (offset >= buffer_at_ && offset <= buffer_at_ + buffer_.size()) {
    buffer_.erase(0, offset - buffer_at_);
  } else {
    buffer_.clear();
  }
  buffer_at_ = offset;
  while (buffer_.size() < bytes) {
    const std::size_t have = buffer_.size();
    const std::size_t want = std::max(bytes - have, kReadChunk);
    buffer_.resize(have + want);
    const ssize_t n = ::pread(fd_.get(), buffer_.data() + have, want, static_cast<off_t>(offset + have));
    if (n < 0 && errno == EINTR) {
      buffer_.resize(have);
      continue;
    }
    buffer_.resize(have + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n <= 0) return false;
  }
  return true;
}

std::optional<SegmentReader::Record> SegmentReader::next() {
  for (;;) {
    if (!cover(position_, kRecordHeaderBytes)) {
      // Bytes that cannot even hold a header: a torn write, if any are there.
      if (position_ < buffer_at_ + buffer_.size()) skip_damage();
      return std::nullopt;
    }
    const std::string_view header_bytes = view(position_, kRecordHeaderBytes);
    const auto header = parse_header(header_bytes);
    if (!header || !cover(position_, kRecordHeaderBytes + header->payload_bytes)) {
      skip_damage();
      continue;
    }
    const std::string_view payload = view(position_ + kRecordHeaderBytes, header->payload_bytes);
    if (!verify(view(position_, kRecordHeaderBytes), *header, payload)) {
      skip_damage();
      continue;
    }
    position_ += kRecordHeaderBytes + header->payload_bytes;
    in_damage_ = false;
    return Record{*header, payload};
  }
}

// Counts a damaged stretch once and moves to the next record magic after
// it, or to the end of what is written.
void SegmentReader::skip_damage() {
  if (!in_damage_) ++damaged_;
  in_damage_ = true;
  char magic[4];
  for (int i = 0; i < 4; ++i) magic[i] = static_cast<char>((kRecordMagic >> (8 * i)) & 0xff);
  std::uint64_t from = position_ + 1;
  for (;;) {
    if (!cover(from, 4)) {
      // No record after the damage: the file ends in it. (A record written
      // later cannot join a torn one: the writer cuts a failed write back.)
      position_ = std::max(position_ + 1, buffer_at_ + buffer_.size());
      return;
    }
    const std::string_view rest = view(from, buffer_at_ + buffer_.size() - from);
    const auto found = rest.find(std::string_view(magic, 4));
    if (found != std::string_view::npos) {
      position_ = from + found;
      return;
    }
    from += rest.size() - 3;
  }
}

}  // namespace sluice::deliver::spool

#include "deliver/spool/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

namespace sluice::deliver::spool {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr std::uint64_t kMinSegmentBytes = 64 * 1024;
constexpr std::uint64_t kMaxSegmentBytes = 64 * 1024 * 1024;
// Past this many live segments the write segment rotates by size only, so
// tags (a segment's sequence number modulo 65 535) stay unique.
constexpr std::size_t kMaxTimeRotatedSegments = 1000;

// Makes a new directory entry durable: a crash after this cannot lose the file.
void sync_directory(const std::string& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) ::fsync(fd.get());
}

}  // namespace

Spool::Spool(SpoolOptions options) : options_(std::move(options)) {
  if (options_.segment_bytes == 0) {
    options_.segment_bytes = std::clamp(options_.max_bytes / 16, kMinSegmentBytes, kMaxSegmentBytes);
  }
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  recover();
}

std::string Spool::path_of(std::uint64_t seq) const { return options_.dir + "/" + segment_file_name(seq); }

// Reads every segment a previous run left: what is unread there is sent
// first, in file order.
void Spool::recover() {
  std::error_code ec;
  std::vector<std::uint64_t> found;
  for (fs::directory_iterator it(options_.dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (auto seq = segment_seq(it->path().filename().string())) found.push_back(*seq);
  }
  if (ec) fail("cannot read the spool directory " + options_.dir + ": " + ec.message());
  std::sort(found.begin(), found.end());
  RecordType last_type = RecordType::closed;
  for (const std::uint64_t seq : found) {
    next_seq_ = std::max(next_seq_, seq + 1);
    const std::string path = path_of(seq);
    std::string error;
    auto reader = SegmentReader::open(path, &error);
    if (!reader) {
      ++recovery_.skipped_segments;
      const SegmentProblem problem = reader.error();
      recovery_.notes += segment_file_name(seq) + ": " + to_string(problem) + (error.empty() ? "" : " (" + error + ")");
      if (problem == SegmentProblem::empty) {
        ::unlink(path.c_str());
      } else if (problem != SegmentProblem::unreadable) {
        // Kept for whoever can read it (a newer sluiced), out of the way.
        ::rename(path.c_str(), (path + ".skipped").c_str());
        recovery_.notes += ", renamed to " + segment_file_name(seq) + ".skipped";
      }
      recovery_.notes += "\n";
      continue;
    }
    Segment segment{seq, 0, 0, 0, 0, reader->created(), true};
    while (auto record = reader->next()) {
      last_type = record->header.type;
      if (record->header.type == RecordType::events) segment.unread += record->header.events;
      if (record->header.type == RecordType::sync_mark) recovery_.last_sync_interval_events = record->header.events;
    }
    if (reader->ends_torn()) last_type = RecordType::events;
    recovery_.damaged_records += reader->damaged();
    damaged_ += reader->damaged();
    std::error_code size_ec;
    segment.bytes = fs::file_size(path, size_ec);
    if (segment.unread == 0) {
      ::unlink(path.c_str());
      continue;
    }
    ++recovery_.segments;
    recovery_.events += segment.unread;
    recovery_.bytes += segment.bytes;
    bytes_ += segment.bytes;
    unread_events_ += segment.unread;
    segments_.push_back(segment);
  }
  recovery_.clean = found.empty() || last_type == RecordType::closed;
  if (!segments_.empty()) cursor_ = Cursor{segments_.front().seq, kSegmentHeaderBytes};
}

Spool::Segment* Spool::segment_by_tag(std::uint16_t tag) {
  for (auto& segment : segments_) {
    if (tag_of(segment.seq) == tag) return &segment;
  }
  return nullptr;
}

bool Spool::open_writer() {
  const std::uint64_t seq = next_seq_++;
  const auto now = WallClock::now();
  auto writer = SegmentWriter::create(path_of(seq), now);
  if (!writer) {
    fail(writer.error() + " in " + options_.dir);
    return false;
  }
  sync_directory(options_.dir);
  segments_.push_back(Segment{seq, writer->bytes(), 0, 0, 0, now, false});
  bytes_ += writer->bytes();
  writer_.emplace(std::move(*writer));
  return true;
}

void Spool::close_writer(bool sync) {
  if (!writer_) return;
  if (sync && dirty_) sync_writer();
  writer_.reset();
}

void Spool::fail(std::string problem) {
  if (!degraded_) ++failures_;
  degraded_ = true;
  problem_ = std::move(problem);
  writer_.reset();
  retry_at_ = SteadyClock::now() + options_.retry_interval;
}

std::size_t Spool::append(EncodedEvents& events, bool handed) {
  std::size_t written = 0;
  while (written < events.size()) {
    const std::size_t count = std::min(kRecordEvents, events.size() - written);
    const std::string& record = encode_events(events, written, count, buffers_);
    if (!write(record, static_cast<std::uint32_t>(count), handed)) break;
    const std::uint16_t tag = tag_of(segments_.back().seq);
    for (std::size_t i = written; i < written + count; ++i) events.set_tag(i, tag);
    written += count;
  }
  return written;
}

bool Spool::write(const std::string& record, std::uint32_t events, bool handed) {
  if (degraded_) return false;
  make_room(record.size());
  if (writer_ && writer_->bytes() >= options_.segment_bytes) close_writer(true);
  if (!writer_ && !open_writer()) return false;
  const std::uint64_t offset = writer_->bytes();
  if (auto error = writer_->append(record)) {
    fail(*error + " in " + options_.dir);
    return false;
  }
  Segment& segment = segments_.back();
  segment.bytes += record.size();
  bytes_ += record.size();
  if (handed) {
    segment.handed += events;
  } else {
    if (unread_events_ == 0) {
      // The backlog starts here: reading resumes at this record.
      cursor_ = Cursor{segment.seq, offset};
      reader_.reset();
    }
    segment.unread += events;
    unread_events_ += events;
  }
  appended_since_sync_ += events;
  dirty_ = true;
  return true;
}

// Drops the oldest segments until `record_bytes` more fit under the bound.
void Spool::make_room(std::uint64_t record_bytes) {
  while (bytes_ + record_bytes > options_.max_bytes && !segments_.empty()) {
    const bool only_the_write_segment = writer_ && segments_.size() == 1;
    if (only_the_write_segment) {
      if (segments_.front().bytes <= kSegmentHeaderBytes) return;  // a record larger than the bound: let it in
      close_writer(false);
    }
    drop_segment(0);
  }
}

void Spool::drop_segment(std::size_t index) {
  const Segment segment = segments_[index];
  drops_.overflow += segment.unread;
  unread_events_ -= segment.unread;
  ::unlink(path_of(segment.seq).c_str());
  bytes_ -= segment.bytes;
  segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(index));
  if (cursor_.seq == segment.seq) {
    reader_.reset();
    for (const auto& next : segments_) {
      if (next.unread > 0) {
        cursor_ = Cursor{next.seq, kSegmentHeaderBytes};
        break;
      }
    }
  }
}

std::size_t Spool::read(EncodedEvents& into, std::size_t want) {
  std::size_t added = 0;
  EncodedEvents decoded;
  while (added < want && unread_events_ > 0) {
    auto at = std::find_if(segments_.begin(), segments_.end(), [&](const Segment& s) { return s.seq == cursor_.seq; });
    if (at == segments_.end() || at->unread == 0) {
      // The cursor's segment is gone or read: on to the next with unread events.
      at = std::find_if(segments_.begin(), segments_.end(), [](const Segment& s) { return s.unread > 0; });
      if (at == segments_.end()) break;
      cursor_ = Cursor{at->seq, kSegmentHeaderBytes};
      reader_.reset();
    }
    Segment& segment = *at;
    if (!reader_) {
      auto reader = SegmentReader::open(path_of(segment.seq));
      if (!reader) {
        drops_.lost += segment.unread;
        unread_events_ -= segment.unread;
        segment.unread = 0;
        continue;
      }
      reader_.emplace(std::move(*reader));
      reader_->seek(cursor_.offset);
    }
    const std::uint64_t damaged_before = reader_->damaged();
    auto record = reader_->next();
    damaged_ += reader_->damaged() - damaged_before;
    cursor_.offset = reader_->position();
    if (!record) {
      // Everything written there is read; what is still counted unread was
      // in records that turned out damaged.
      const bool still_written = writer_ && &segment == &segments_.back();
      if (still_written && segment.unread == 0) break;
      drops_.lost += segment.unread;
      unread_events_ -= segment.unread;
      segment.unread = 0;
      if (still_written) break;
      continue;
    }
    if (record->header.type != RecordType::events) continue;
    const std::uint32_t count = std::min<std::uint64_t>(record->header.events, segment.unread);
    const std::size_t before = into.size();
    if (!decode_events(record->payload, record->header.events, into)) {
      ++damaged_;
      drops_.lost += count;
    } else {
      for (std::size_t i = before; i < into.size(); ++i) into.set_tag(i, tag_of(segment.seq));
      segment.handed += count;
      added += count;
      if (segment.previous_run) replayed_ += count;
    }
    segment.unread -= count;
    unread_events_ -= count;
  }
  return added;
}

void Spool::settle(std::uint16_t tag, std::size_t events) {
  Segment* segment = segment_by_tag(tag);
  if (!segment) return;  // dropped at the bound meanwhile
  segment->settled = std::min(segment->handed, segment->settled + events);
  if (!segment->pending()) retire_settled();
}

bool Spool::append_mark(RecordType type, std::uint64_t events) {
  if (writer_->append(encode_mark(type, static_cast<std::uint32_t>(events)))) return false;
  segments_.back().bytes += kRecordHeaderBytes;
  bytes_ += kRecordHeaderBytes;
  return true;
}

// Deletes every segment whose events are all settled, but the one being
// written (or, with `keep_last`, the last one).
void Spool::retire_settled(bool keep_last) {
  for (std::size_t i = 0; i < segments_.size();) {
    const bool written = (writer_ || keep_last) && i + 1 == segments_.size();
    if (written || segments_[i].pending()) {
      ++i;
      continue;
    }
    if (cursor_.seq == segments_[i].seq) reader_.reset();
    ::unlink(path_of(segments_[i].seq).c_str());
    bytes_ -= segments_[i].bytes;
    segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void Spool::sync_writer() {
  const auto started = SteadyClock::now();
  if (auto error = writer_->sync()) {
    fail(*error + " in " + options_.dir);
    return;
  }
  last_sync_ = SteadyClock::now() - started;
  dirty_ = false;
  // What an unclean end could lose: the events of one sync interval. The
  // mark itself needs no sync: without it the next start only knows less.
  append_mark(RecordType::sync_mark, appended_since_sync_);
  appended_since_sync_ = 0;
}

void Spool::tick() {
  if (degraded_ && SteadyClock::now() >= retry_at_) {
    degraded_ = false;
    problem_.clear();
    std::error_code ec;
    fs::create_directories(options_.dir, ec);  // it may have been removed
    open_writer();  // fails again (and stays degraded) if the disk is still bad
  }
  if (writer_ && dirty_) sync_writer();
  // While delivery keeps up (no backlog in it), the write segment is
  // rotated every tick: a settled segment is deleted soon, and after a
  // crash only the last second or two of events can be sent twice.
  if (writer_ && segments_.back().unread == 0 && segments_.back().bytes > kSegmentHeaderBytes &&
      segments_.size() < kMaxTimeRotatedSegments) {
    close_writer(true);
  }
  retire_settled();
}

void Spool::close() {
  if (degraded_) return;
  if (!writer_ && !open_writer()) return;
  if (dirty_) sync_writer();
  // The closed mark is the last record: the next start knows it was clean.
  if (append_mark(RecordType::closed, 0)) writer_->sync();
  writer_.reset();
  retire_settled(/*keep_last=*/true);
  // The mark must survive in the last segment unless nothing at all is left.
  if (segments_.size() == 1 && !segments_.back().pending()) {
    ::unlink(path_of(segments_.back().seq).c_str());
    bytes_ -= segments_.back().bytes;
    segments_.clear();
  }
}

std::uint64_t Spool::events() const {
  std::uint64_t total = 0;
  for (const auto& segment : segments_) total += segment.unread + segment.handed - segment.settled;
  return total;
}

std::optional<Spool::WallClock::time_point> Spool::oldest() const {
  for (const auto& segment : segments_) {
    if (segment.pending()) return segment.created;
  }
  return std::nullopt;
}

}  // namespace sluice::deliver::spool

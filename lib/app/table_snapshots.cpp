#include "app/table_snapshots.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "deliver/spool/segment.hpp"
#include "track/table_snapshot.hpp"

namespace sluice::app {
namespace {

using deliver::spool::FileDescriptor;

track::SnapshotTime now() {
  const auto wall = std::chrono::system_clock::now().time_since_epoch();
  return {track::Clock::now(), std::chrono::duration_cast<std::chrono::milliseconds>(wall).count()};
}

std::string seconds_text(std::chrono::milliseconds ms) { return std::to_string(ms.count() / 1000); }

std::string error_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Replaces `path` with `bytes` so that a crash at any moment leaves either
// the old file or the new one; returns why not, if it could not.
std::optional<std::string> write_atomically(const std::string& path, const std::string& bytes) {
  const std::string temporary = path + ".tmp";
  {
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) return error_text("open");
    for (std::size_t done = 0; done < bytes.size();) {
      const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const std::string why = error_text("write");
        ::unlink(temporary.c_str());
        return why;
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) {
      const std::string why = error_text("fsync");
      ::unlink(temporary.c_str());
      return why;
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = error_text("rename");
    ::unlink(temporary.c_str());
    return why;
  }
  const std::string dir = path.substr(0, path.find_last_of('/') + 1);
  FileDescriptor dir_fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd) ::fsync(dir_fd.get());
  return std::nullopt;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

}  // namespace

TableSnapshots::TableSnapshots(asio::any_io_executor executor, const config::Settings& settings,
                               observe::Metrics& metrics, observe::Logger& log, track::Tracker& tracker)
    : timer_(executor),
      log_(log),
      tracker_(tracker),
      connection_id_(settings.connection_id),
      path_(settings.spool_dir.empty() ? "" : settings.spool_dir + "/" + kFileName) {
  const char* restored_help = "Entries of the task and worker tables restored from the snapshot at start";
  restored_tasks_ = &metrics.gauge("sluiced_snapshot_restored_entries", restored_help, {{"table", "tasks"}});
  restored_workers_ = &metrics.gauge("sluiced_snapshot_restored_entries", restored_help, {{"table", "workers"}});
  bytes_ = &metrics.gauge("sluiced_snapshot_bytes", "Size of the last table snapshot written");
  encode_seconds_ = &metrics.gauge("sluiced_snapshot_encode_seconds",
                                   "Time the last table snapshot took on the reading thread (encoding)");
  write_errors_ = &metrics.counter("sluiced_snapshot_write_errors_total", "Table snapshots that could not be written");
}

TableSnapshots::~TableSnapshots() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void TableSnapshots::restore() {
  if (path_.empty()) {
    log_.log(observe::Level::info, "no SLUICE_SPOOL_DIR: the task and worker tables start empty at every start");
    return;
  }
  const auto bytes = read_file(path_);
  if (!bytes) {
    log_.log(observe::Level::info, "no table snapshot: the task and worker tables start empty", {{"path", path_}});
    return;
  }
  const auto restored = track::restore_tables(*bytes, {connection_id_, kMaxAge}, now(), tracker_);
  if (!restored) {
    log_.log(observe::Level::warn, "table snapshot ignored: the task and worker tables start empty",
             {{"reason", track::to_string(restored.error().problem)}, {"detail", restored.error().detail}});
    return;
  }
  restored_tasks_->set(static_cast<double>(restored->tasks));
  restored_workers_->set(static_cast<double>(restored->workers));
  log_.log(observe::Level::info, "restored the task and worker tables",
           {{"tasks", std::to_string(restored->tasks)},
            {"workers", std::to_string(restored->workers)},
            {"age_s", seconds_text(restored->age)}});
}

void TableSnapshots::start() {
  if (path_.empty()) return;
  writer_ = std::thread([this] { write_loop(); });
  arm();
}

void TableSnapshots::arm() {
  timer_.expires_after(kSaveInterval);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopped_) return;
    save();
    arm();
  });
}

void TableSnapshots::save() {
  const auto began = std::chrono::steady_clock::now();
  std::string bytes = track::encode_tables_unsealed(tracker_, connection_id_, now());
  encode_seconds_->set(std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  {
    std::lock_guard lock(mutex_);
    pending_ = std::move(bytes);
  }
  wake_.notify_all();
}

void TableSnapshots::save_and_stop() {
  if (path_.empty() || stopped_) return;
  stopped_ = true;
  timer_.cancel();
  save();
  std::unique_lock lock(mutex_);
  closing_ = true;
  wake_.notify_all();
  lock.unlock();
  if (writer_.joinable()) writer_.join();
}

// Writes whatever is newest until closing, then the last one left.
void TableSnapshots::write_loop() {
  bool failing = false;
  while (true) {
    std::string bytes;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return pending_.has_value() || closing_; });
      if (!pending_) return;
      bytes = std::move(*pending_);
      pending_.reset();
    }
    track::seal_tables(bytes);
    const auto problem = write_atomically(path_, bytes);
    if (problem) {
      write_errors_->inc();
      // Once per outage of the disk: the spool says more about it.
      if (!failing) log_.log(observe::Level::warn, "cannot write the table snapshot", {{"path", path_}, {"error", *problem}});
    } else {
      bytes_->set(static_cast<double>(bytes.size()));
      if (failing) log_.log(observe::Level::info, "table snapshot written again", {{"path", path_}});
    }
    failing = problem.has_value();
  }
}

}  // namespace sluice::app

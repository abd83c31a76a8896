#pragma once
// TableSnapshots: the task and worker tables saved next to the spool
// (`state.snapshot` in SLUICE_SPOOL_DIR) every kSaveInterval and at
// shutdown, and restored at start (track/table_snapshot.hpp,
// docs/spool.md "What sluiced remembers across restarts"). Without a spool
// directory it does nothing.
//
// Encoding runs on the main thread, which reads Redis, so it stays short
// (jobs that are over are left out); writing and fsync run on a thread of
// their own. A file is replaced atomically: temporary file, fsync, rename,
// directory fsync.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/asio.hpp"
#include "config/settings.hpp"
#include "observe/log.hpp"
#include "observe/metrics.hpp"
#include "track/tracker.hpp"

namespace sluice::app {

class TableSnapshots {
 public:
  // How often the tables are saved: what a SIGKILL makes sluiced forget.
  static constexpr std::chrono::seconds kSaveInterval{10};
  // An older snapshot is ignored: the jobs it knows are long over.
  static constexpr std::chrono::hours kMaxAge{24};
  static constexpr const char* kFileName = "state.snapshot";

  TableSnapshots(asio::any_io_executor executor, const config::Settings& settings, observe::Metrics& metrics,
                 observe::Logger& log, track::Tracker& tracker);
  TableSnapshots(const TableSnapshots&) = delete;
  TableSnapshots& operator=(const TableSnapshots&) = delete;
  ~TableSnapshots();

  // At start, before the first event: restores the last snapshot, or logs
  // why there is none to restore.
  void restore();
  // Saves every kSaveInterval from now on.
  void start();
  // At shutdown, once no event is read any more: a last save, written
  // before this returns.
  void save_and_stop();

 private:
  void arm();
  void save();
  void write_loop();

  asio::steady_timer timer_;
  observe::Logger& log_;
  track::Tracker& tracker_;
  std::string connection_id_;
  std::string path_;  // empty: no spool directory
  observe::Gauge* restored_tasks_ = nullptr;
  observe::Gauge* restored_workers_ = nullptr;
  observe::Gauge* bytes_ = nullptr;
  observe::Gauge* encode_seconds_ = nullptr;
  observe::Counter* write_errors_ = nullptr;

  // The writer thread's mailbox: only the newest snapshot matters.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<std::string> pending_;
  bool closing_ = false;
  std::thread writer_;
  bool stopped_ = false;
};

}  // namespace sluice::app

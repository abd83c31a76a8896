#pragma once
// SentExpectation: is a task-sent worth waiting for? Only producers with
// task_send_sent_event=True send one (Celery's default is False), so the
// tracker holds a task-received of an unknown task for its task-sent (and
// queue) only while task-sent events may come: from the start (so that the
// first task after a restart gets its queue too) and after any task-sent.
// A run of `misses_needed` held tasks whose window ended without their
// task-sent says no, until the next task-sent. Without this, every task of
// a deployment that never sends task-sent would wait a whole window; with
// it, only its first `misses_needed` tasks do.

#include <cstddef>

namespace sluice::track {

class SentExpectation {
 public:
  explicit SentExpectation(std::size_t misses_needed = 20) : misses_needed_(misses_needed) {}

  void on_sent() {
    expected_ = true;
    misses_ = 0;
  }
  // A task-received waited its whole window and no task-sent came.
  void on_missed() {
    if (expected_ && ++misses_ >= misses_needed_) expected_ = false;
  }
  bool expected() const { return expected_; }
  // What a snapshot of the previous run said (table_snapshot.hpp).
  void restore(bool expected) {
    expected_ = expected;
    misses_ = 0;
  }

 private:
  std::size_t misses_needed_;
  std::size_t misses_ = 0;
  bool expected_ = true;
};

}  // namespace sluice::track

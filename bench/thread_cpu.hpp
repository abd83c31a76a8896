#pragma once
// CPU time of the calling thread, in seconds: rates measured with it hold on
// a shared, busy machine, where wall-clock rates swing with the load.

#include <ctime>

namespace sluice::bench {

inline double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

}  // namespace sluice::bench

#include "support/celery_worker.hpp"

#include <sstream>

#include "support/test_paths.hpp"

namespace sluice::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with python3-celery

std::vector<std::pair<std::string, std::string>> celery_env(const CeleryOptions& celery) {
  std::vector<std::pair<std::string, std::string>> env = {
      {"PYTHONPATH", source_path("tests/support/celery")},
      {"PYTHONDONTWRITEBYTECODE", "1"},  // nothing written into the source tree
      {"PYTHONUNBUFFERED", "1"},
      {"SLUICE_TEST_BROKER", celery.broker},
      {"SLUICE_TEST_TRANSPORT", celery.transport_options},
      {"SLUICE_TEST_SENT_EVENT", celery.sent_events ? "1" : "0"},
  };
  env.insert(env.end(), celery.extra_env.begin(), celery.extra_env.end());
  return env;
}

}  // namespace

CeleryOptions CeleryOptions::for_broker(const config::RedisUrl& url) {
  CeleryOptions out;
  std::string auth;
  if (!url.password.empty()) auth = url.username + ":" + url.password + "@";  // no percent-encoding needed in tests
  out.broker = "redis://" + auth + url.host + ":" + std::to_string(url.port) + "/" + std::to_string(url.db);
  return out;
}

CeleryWorker::CeleryWorker(const CeleryOptions& celery, const WorkerOptions& worker) {
  std::vector<std::string> argv = {kPython, "-m", "celery", "-A", "sluice_test_app", "worker",
                                   "--pool=" + worker.pool, "--concurrency=" + std::to_string(worker.concurrency),
                                   "--hostname=" + worker.node_name, "--loglevel=INFO",
                                   // mingle waits ~1 s for peers; gossip is not under test
                                   "--without-mingle", "--without-gossip"};
  if (worker.task_events) argv.push_back("--task-events");
  process_ = std::make_unique<ChildProcess>(ProcessSpec{argv, celery_env(celery), dir_.path(), dir_.file("worker.log")});
}

std::string CeleryWorker::log() const { return read_file(dir_.file("worker.log")); }

void CeleryWorker::stop() { process_->stop(std::chrono::seconds(10)); }

CeleryProducer::CeleryProducer(const CeleryOptions& celery, const std::string& task,
                               const std::vector<std::string>& args, int count, double every_seconds) {
  start(celery, {"--count", std::to_string(count), "--every", std::to_string(every_seconds)}, task, args);
}

CeleryProducer::CeleryProducer(const CeleryOptions& celery, const std::string& task,
                               const std::vector<std::string>& args, const Bursts& bursts) {
  start(celery,
        {"--bursts", std::to_string(bursts.size), std::to_string(bursts.min_pause), std::to_string(bursts.max_pause),
         std::to_string(bursts.seconds)},
        task, args);
}

void CeleryProducer::start(const CeleryOptions& celery, std::vector<std::string> options, const std::string& task,
                           const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kPython, source_path("tests/support/celery/produce.py")};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(task);
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<ChildProcess>(ProcessSpec{argv, celery_env(celery), dir_.path(), dir_.file("ids.txt")});
}

std::vector<std::string> CeleryProducer::task_ids() const {
  std::istringstream in(read_file(dir_.file("ids.txt")));
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (line.size() == 36) out.push_back(line);  // skip anything that is not a uuid (warnings)
  }
  return out;
}

bool CeleryProducer::wait_done(std::chrono::milliseconds timeout) { return process_->wait_for(timeout).has_value(); }

void CeleryProducer::stop() { process_->stop(); }

}  // namespace sluice::testing

// The ResultBackendReader against a real redis-server whose db 1 holds
// result entries as Celery's Redis backend writes them: each lookup's
// outcome, the key prefix, and that the reader only ever sends GET.

#include "source/result_backend_reader.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <sstream>

#include "support/blocking_redis.hpp"
#include "support/io_thread.hpp"
#include "support/redis_server.hpp"
#include "support/wait_until.hpp"

namespace sluice::source {
namespace {

using namespace std::string_literals;
using testing::BlockingRedis;
using testing::IoThread;
using testing::RedisServer;
using testing::wait_until;

class ReaderRun {
 public:
  explicit ReaderRun(ResultReaderOptions options)
      : log_(log_out_, observe::Level::debug, observe::Format::text),
        reader_(io_.executor(), std::move(options), log_, [this](std::vector<Lookup>&& lookups) {
          std::lock_guard lock(mutex_);
          for (auto& lookup : lookups) found_[lookup.task_id] = std::move(lookup);
        }) {
    io_.call([this] { reader_.start(); });
  }
  ~ReaderRun() {
    reader_.stop();
    io_.finish();
  }
  void look_up(std::vector<std::string> ids) {
    io_.call([&] { reader_.look_up(std::move(ids)); });
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return found_.size();
  }
  Lookup at(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return found_.at(id);
  }

 private:
  IoThread io_;
  std::ostringstream log_out_;
  observe::Logger log_;
  ResultBackendReader reader_;
  mutable std::mutex mutex_;
  std::map<std::string, Lookup> found_;
};

ResultReaderOptions options_for(const config::RedisUrl& url, std::string prefix = "") {
  ResultReaderOptions o;
  o.connect.url = url;
  o.connect.connect_timeout = Duration{2000};
  o.connect.command_timeout = Duration{2000};
  o.keyprefix = std::move(prefix);
  o.rate = 1000;
  return o;
}

TEST(ResultBackendReader, ReadsEachEntryOrSaysWhyNot) {
  RedisServer server;
  BlockingRedis redis("127.0.0.1", server.port());
  redis.command({"SELECT", "1"});
  const std::string prefix = "app1:";
  redis.command({"SET", prefix + "celery-task-meta-ok",
                 R"({"status": "SUCCESS", "result": "SECRET", "date_done": "2026-12-03T09:20:01.5", "task_id": "ok"})"});
  redis.command({"SET", prefix + "celery-task-meta-bad",
                 R"({"status": "FAILURE", "result": {"exc_type": "KeyError", "exc_message": ["k"]}})"});
  redis.command({"SET", prefix + "celery-task-meta-pickled", "\x80\x04\x95\x10"s});
  redis.command({"SET", prefix + "celery-task-meta-junk", "not json"});
  redis.command({"LPUSH", prefix + "celery-task-meta-list", "x"});
  redis.command({"CONFIG", "RESETSTAT"});

  ReaderRun run(options_for(server.tcp_url(1), prefix));
  run.look_up({"ok", "bad", "pickled", "junk", "list", "gone"});
  ASSERT_TRUE(wait_until([&] { return run.count() == 6; }));
  EXPECT_EQ(run.at("ok").outcome, LookupOutcome::found);
  EXPECT_EQ(run.at("ok").meta->status, "SUCCESS");
  EXPECT_EQ(run.at("bad").outcome, LookupOutcome::found);
  EXPECT_EQ(decode::exception_repr(*run.at("bad").meta), "KeyError('k')");
  EXPECT_EQ(run.at("pickled").outcome, LookupOutcome::pickle);
  EXPECT_EQ(run.at("junk").outcome, LookupOutcome::malformed);
  EXPECT_EQ(run.at("list").outcome, LookupOutcome::error);  // WRONGTYPE
  EXPECT_EQ(run.at("gone").outcome, LookupOutcome::missing);

  // Read-only: besides the connection's own set-up, GET is all it sent.
  const auto stats = redis.command({"INFO", "commandstats"});
  ASSERT_NE(stats.text(), nullptr);
  std::istringstream lines(*stats.text());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("cmdstat_", 0) != 0) continue;
    const std::string name = line.substr(8, line.find(':') - 8);
    EXPECT_TRUE(name == "get" || name == "select" || name == "client" || name == "info" ||
                name == "config|resetstat")
        << line;
  }
  EXPECT_NE(stats.text()->find("cmdstat_get:calls=6,"), std::string::npos) << *stats.text();
}

// Ids wait in the queue while the backend cannot be reached.
TEST(ResultBackendReader, LookupsWaitForAnUnreachableBackend) {
  RedisServer server;
  const auto url = server.tcp_url(1);
  server.stop();
  ReaderRun run(options_for(url));
  run.look_up({"a"});
  server.start();
  BlockingRedis redis("127.0.0.1", server.port());
  redis.command({"SELECT", "1"});
  redis.command({"SET", "celery-task-meta-b", R"({"status": "REVOKED"})"});
  run.look_up({"b"});
  ASSERT_TRUE(wait_until([&] { return run.count() == 2; }, std::chrono::seconds(20)));
  EXPECT_EQ(run.at("a").outcome, LookupOutcome::missing);
  EXPECT_EQ(run.at("b").outcome, LookupOutcome::found);
}

}  // namespace
}  // namespace sluice::source

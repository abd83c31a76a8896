#pragma once
// ResultBackendReader: looks task ids up in Celery's Redis result backend on
// a connection of its own — `GET <prefix>celery-task-meta-<id>`, pipelined
// in batches and paced to a rate, never a write — and hands back what each
// entry says (result_meta.hpp: status, date_done, exception; never the
// return value) or why it cannot be read.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "config/settings.hpp"
#include "decode/result_meta.hpp"
#include "observe/log.hpp"
#include "redis/connect_options.hpp"
#include "redis/connection.hpp"

namespace sluice::source {

struct ResultReaderOptions {
  redis::ConnectOptions connect;
  std::string keyprefix;
  std::size_t rate = 100;          // lookups per second, at most
  std::size_t max_text = 10'000;   // exception type and message, bytes each
  Duration retry_delay{1000};      // after a failed connect or round trip

  // Nothing when no result backend is configured.
  static std::optional<ResultReaderOptions> from_settings(const config::Settings& settings);
};

enum class LookupOutcome : std::uint8_t { found, missing, pickle, malformed, error };
const char* to_string(LookupOutcome outcome);

struct Lookup {
  std::string task_id;
  LookupOutcome outcome = LookupOutcome::error;
  std::optional<decode::ResultMeta> meta;  // when found
};

// What one GET reply says: an entry, none (nil), or why it is unreadable.
Lookup read_lookup_reply(std::string task_id, const redis::RedisReply& reply, std::size_t max_text);

class ResultBackendReader {
 public:
  using Handler = std::function<void(std::vector<Lookup>&&)>;  // one call per round trip

  ResultBackendReader(asio::any_io_executor executor, ResultReaderOptions options, observe::Logger& log,
                      Handler on_lookups);
  ResultBackendReader(const ResultBackendReader&) = delete;
  ResultBackendReader& operator=(const ResultBackendReader&) = delete;

  void start();
  // Ends the loop; no handler call afterwards. Keep the object alive until
  // the io_context has run out of work.
  void stop();
  // Queues task ids for lookup (at most room() are kept).
  void look_up(std::vector<std::string> ids);
  // How many more ids the queue takes: what the rate drains in `period`.
  std::size_t room(std::chrono::milliseconds period) const;
  std::size_t queued() const { return queue_.size(); }

 private:
  asio::awaitable<void> run();
  asio::awaitable<bool> ensure_connected();
  asio::awaitable<void> look_up_batch();
  asio::awaitable<void> pause(std::chrono::steady_clock::duration delay);
  void note_error(const std::string& error);

  asio::any_io_executor executor_;
  ResultReaderOptions options_;
  observe::Logger& log_;
  Handler on_lookups_;
  asio::steady_timer timer_;
  std::optional<redis::Connection> connection_;
  std::deque<std::string> queue_;
  std::string error_state_;  // "" while lookups work
  bool waiting_for_work_ = false;
  bool stopping_ = false;
};

}  // namespace sluice::source

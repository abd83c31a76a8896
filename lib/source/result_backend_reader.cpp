#include "source/result_backend_reader.hpp"

#include <algorithm>

#include "track/limits.hpp"

namespace sluice::source {
namespace {

using Level = observe::Level;
using SteadyClock = std::chrono::steady_clock;

// Ten round trips a second at most: small batches keep each reply short,
// and the pacing between them keeps to the rate.
std::size_t batch_size(std::size_t rate) { return std::clamp<std::size_t>(rate / 10, 1, 100); }

}  // namespace

std::optional<ResultReaderOptions> ResultReaderOptions::from_settings(const config::Settings& settings) {
  if (!settings.result_backend) return std::nullopt;
  ResultReaderOptions out;
  out.connect = redis::ConnectOptions::from_settings(settings);
  out.connect.url = *settings.result_backend;
  out.connect.client_name = "sluiced-results";
  out.keyprefix = settings.result_keyprefix;
  out.rate = std::max<std::size_t>(settings.reconcile_rate, 1);
  out.max_text = track::limits::kError;
  out.retry_delay = std::max(settings.reconnect_max, Duration{1000});
  return out;
}

const char* to_string(LookupOutcome outcome) {
  switch (outcome) {
    case LookupOutcome::found: return "found";
    case LookupOutcome::missing: return "missing";
    case LookupOutcome::pickle: return "pickle";
    case LookupOutcome::malformed: return "malformed";
    case LookupOutcome::error: return "error";
  }
  return "error";
}

Lookup read_lookup_reply(std::string task_id, const redis::RedisReply& reply, std::size_t max_text) {
  Lookup out{std::move(task_id), LookupOutcome::error, std::nullopt};
  if (std::holds_alternative<redis::RedisReply::Nil>(reply.value)) {
    out.outcome = LookupOutcome::missing;  // ignore_result=True, expired, or not run yet
    return out;
  }
  const auto* bytes = std::get_if<std::string>(&reply.value);
  if (bytes == nullptr) return out;  // an error reply (WRONGTYPE, NOPERM)
  auto meta = decode::parse_result_meta(*bytes, max_text);
  if (!meta) {
    out.outcome = meta.error() == decode::ResultMetaError::pickle ? LookupOutcome::pickle : LookupOutcome::malformed;
    return out;
  }
  out.outcome = LookupOutcome::found;
  out.meta = std::move(*meta);
  return out;
}

ResultBackendReader::ResultBackendReader(asio::any_io_executor executor, ResultReaderOptions options,
                                         observe::Logger& log, Handler on_lookups)
    : executor_(executor),
      options_(std::move(options)),
      log_(log),
      on_lookups_(std::move(on_lookups)),
      timer_(executor) {}

void ResultBackendReader::start() {
  asio::co_spawn(executor_, run(), [this](std::exception_ptr failure) {
    if (!failure) return;
    log_.log(Level::error, "result backend reader failed (bug); stopping");
    std::rethrow_exception(failure);
  });
}

void ResultBackendReader::stop() {
  asio::dispatch(executor_, [this] {
    stopping_ = true;
    timer_.cancel();
    if (connection_) connection_->close();
  });
}

void ResultBackendReader::look_up(std::vector<std::string> ids) {
  for (auto& id : ids) queue_.push_back(std::move(id));
  if (waiting_for_work_ && !queue_.empty()) timer_.cancel();
}

std::size_t ResultBackendReader::room(std::chrono::milliseconds period) const {
  const std::size_t drained = std::max<std::size_t>(options_.rate * static_cast<std::size_t>(period.count()) / 1000,
                                                    batch_size(options_.rate));
  return drained > queue_.size() ? drained - queue_.size() : 0;
}

asio::awaitable<void> ResultBackendReader::run() {
  while (!stopping_) {
    if (queue_.empty()) {
      waiting_for_work_ = true;
      co_await pause(std::chrono::hours(1));
      waiting_for_work_ = false;
      continue;
    }
    if (!co_await ensure_connected()) {
      co_await pause(options_.retry_delay);
      continue;
    }
    const auto started = SteadyClock::now();
    const std::size_t count = std::min(queue_.size(), batch_size(options_.rate));
    co_await look_up_batch();
    // Paced to the rate: a batch of n lookups takes n/rate seconds at least.
    co_await pause(std::chrono::microseconds(count * 1'000'000 / options_.rate) - (SteadyClock::now() - started));
  }
}

asio::awaitable<bool> ResultBackendReader::ensure_connected() {
  if (connection_ && connection_->is_open()) co_return true;
  connection_.emplace(executor_, options_.connect);
  redis::Connection connection = *connection_;
  auto done = co_await connection.connect();
  if (done) co_return true;
  if (!stopping_) note_error(std::string("cannot connect: ") + std::string(to_string(done.error().kind)));
  co_return false;
}

asio::awaitable<void> ResultBackendReader::look_up_batch() {
  std::vector<std::string> ids;
  std::vector<redis::CommandArgs> commands;
  const std::size_t count = std::min(queue_.size(), batch_size(options_.rate));
  for (std::size_t i = 0; i < count; ++i) {
    ids.push_back(std::move(queue_.front()));
    queue_.pop_front();
    commands.push_back({"GET", options_.keyprefix + "celery-task-meta-" + ids.back()});
  }
  auto replies = co_await connection_->commands(std::move(commands));
  if (stopping_) co_return;
  std::vector<Lookup> lookups;
  if (!replies || replies->size() != ids.size()) {
    // The ids are dropped: still stale, they are due again after the reconcile age.
    note_error(replies ? "short reply" : std::string("lookup failed: ") + std::string(to_string(replies.error().kind)));
    for (auto& id : ids) lookups.push_back({std::move(id), LookupOutcome::error, std::nullopt});
  } else {
    note_error("");
    for (std::size_t i = 0; i < ids.size(); ++i) {
      lookups.push_back(read_lookup_reply(std::move(ids[i]), (*replies)[i], options_.max_text));
    }
  }
  on_lookups_(std::move(lookups));
}

asio::awaitable<void> ResultBackendReader::pause(SteadyClock::duration delay) {
  if (delay <= SteadyClock::duration::zero() || stopping_) co_return;
  timer_.expires_after(delay);
  boost::system::error_code ec;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void ResultBackendReader::note_error(const std::string& error) {
  if (error == error_state_) return;
  if (error.empty()) {
    log_.log(Level::info, "result backend lookups recovered");
  } else {
    log_.log(Level::warn, "result backend lookups failed", {{"error", error}});
  }
  error_state_ = error;
}

}  // namespace sluice::source

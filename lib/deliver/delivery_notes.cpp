#include "deliver/delivery_notes.hpp"

namespace sluice::deliver {
namespace {

using observe::Level;

constexpr char kDropped[] = "sluiced_events_dropped_total";
constexpr char kDroppedHelp[] = "Events that will never be delivered, by reason";
constexpr char kBatches[] = "sluiced_batches_total";
constexpr char kBatchesHelp[] = "Ingest requests by outcome class (error: no HTTP answer)";

std::string millis_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

}  // namespace

DeliveryNotes::DeliveryNotes(observe::Metrics& metrics, observe::Logger& log)
    : log_(log),
      delivered_(metrics.counter("sluiced_events_delivered_total", "Events accepted by the sink")),
      dropped_overflow_(metrics.counter(kDropped, kDroppedHelp, {{"reason", "overflow"}})),
      dropped_rejected_(metrics.counter(kDropped, kDroppedHelp, {{"reason", "rejected"}})),
      dropped_shutdown_(metrics.counter(kDropped, kDroppedHelp, {{"reason", "shutdown"}})),
      batches_2xx_(metrics.counter(kBatches, kBatchesHelp, {{"status", "2xx"}})),
      batches_4xx_(metrics.counter(kBatches, kBatchesHelp, {{"status", "4xx"}})),
      batches_5xx_(metrics.counter(kBatches, kBatchesHelp, {{"status", "5xx"}})),
      batches_error_(metrics.counter(kBatches, kBatchesHelp, {{"status", "error"}})),
      duration_(metrics.histogram("sluiced_request_duration_seconds", "Time of one ingest request",
                                  {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})),
      waiting_(metrics.gauge("sluiced_buffer_events", "Events waiting for delivery, in flight included")),
      waiting_bytes_(metrics.gauge("sluiced_buffer_bytes",
                                   "Encoded bytes of the events waiting for delivery, in flight included")),
      concurrency_limit_(metrics.gauge("sluiced_delivery_concurrency_limit",
                                       "Ingest requests allowed in flight (adaptive or fixed)")),
      in_flight_(metrics.gauge("sluiced_delivery_requests_in_flight", "Ingest requests in flight")),
      rtt_(metrics.gauge("sluiced_delivery_rtt_seconds", "Smoothed round-trip time of ingest requests")),
      rejected_lines_(std::chrono::seconds(60)) {
  for (std::size_t kind = 0; kind < kSupersededKinds; ++kind) {
    superseded_[kind] = &metrics.counter(kCoalesced, kCoalescedHelp,
                                         {{"reason", to_string(static_cast<SupersededKind>(kind))}});
  }
}

observe::Counter& DeliveryNotes::batches(int status) {
  switch (status / 100) {
    case 2: return batches_2xx_;
    case 4: return batches_4xx_;
    case 5: return batches_5xx_;
    default: return batches_error_;
  }
}

void DeliveryNotes::note_waiting(std::size_t events, std::size_t bytes) {
  status_.buffered_events = events;
  board_.set_buffered(events);
  waiting_.set(static_cast<double>(events));
  waiting_bytes_.set(static_cast<double>(bytes));
}

void DeliveryNotes::note_overflow(std::size_t events) { dropped_overflow_.inc(events); }

void DeliveryNotes::note_superseded(const std::array<std::size_t, kSupersededKinds>& superseded,
                                    std::size_t overflow, std::size_t before, std::size_t after) {
  std::size_t total = 0;
  for (std::size_t kind = 0; kind < kSupersededKinds; ++kind) {
    superseded_[kind]->inc(superseded[kind]);
    total += superseded[kind];
  }
  note_overflow(overflow);
  log_.log(Level::info, "the Sluice API's quota is spent: waiting events superseded, job states go first",
           {{"waiting", std::to_string(before)},
            {"superseded", std::to_string(total)},
            {"dropped", std::to_string(overflow)},
            {"sending", std::to_string(after)}});
}

void DeliveryNotes::note_concurrency(std::size_t limit, std::size_t in_flight, double rtt_seconds) {
  concurrency_limit_.set(static_cast<double>(limit));
  in_flight_.set(static_cast<double>(in_flight));
  rtt_.set(rtt_seconds);
}

void DeliveryNotes::note_attempt(const SendResult& result, std::chrono::duration<double> elapsed) {
  batches(result.status).inc();
  duration_.observe(elapsed.count());
  status_.last_outcome = describe(result);
  publish();
}

void DeliveryNotes::note_delivered(std::size_t events, WallTime now) {
  delivered_.inc(events);
  status_.last_success = now;
  if (status_.condition != Condition::ok && status_.condition != Condition::idle) {
    const auto down = status_.failing_since ? now - *status_.failing_since : WallTime::duration{};
    log_.log(Level::info, "delivery recovered",
             {{"was", to_string(status_.condition)},
              {"down_for", millis_text(std::chrono::duration_cast<std::chrono::milliseconds>(down))}});
  }
  status_.condition = Condition::ok;
  status_.failing_since.reset();
  status_.problem.clear();
  publish();
}

void DeliveryNotes::note_rejected(EventKind kind, const SendResult& result, SteadyTime now) {
  count_rejected(kind, "the Sluice API rejected an event; dropped it", result.error, now);
}

void DeliveryNotes::note_oversized(EventKind kind, std::size_t bytes, std::size_t limit, SteadyTime now) {
  ApiError error{"TOO_LARGE", "event of " + std::to_string(bytes) + " bytes exceeds the batch limit of " +
                                  std::to_string(limit) + " bytes", ""};
  count_rejected(kind, "an event is too large to send; dropped it", error, now);
}

void DeliveryNotes::count_rejected(EventKind kind, std::string_view why, const ApiError& error,
                                   SteadyTime now) {
  dropped_rejected_.inc();
  const std::string type = to_string(kind);
  std::uint64_t suppressed = 0;
  if (!rejected_lines_.allow("rejected:" + type, now, suppressed)) return;
  log_.log(Level::warn, why,
           {{"type", type},
            {"error.code", error.code},
            {"error.message", error.message},
            {"details", error.details},
            {"suppressed", std::to_string(suppressed)}});
}

void DeliveryNotes::leave_ok(Condition condition, std::string problem, WallTime now) {
  if (condition != Condition::rate_limited && !status_.failing_since) status_.failing_since = now;
  if (condition == Condition::rate_limited) status_.failing_since.reset();
  status_.condition = condition;
  status_.problem = std::move(problem);
  publish();
}

void DeliveryNotes::note_backoff(const SendResult& result, std::chrono::milliseconds delay, WallTime now) {
  const bool changed = status_.condition != Condition::failing;
  leave_ok(Condition::failing, "delivery failing: " + describe(result), now);
  log_.log(changed ? Level::warn : Level::debug, changed ? "delivery failing; retrying with backoff" : "retrying",
           {{"error", describe(result)}, {"retry_in", millis_text(delay)}});
}

void DeliveryNotes::note_stopped(const SendResult& result, std::string_view hint, std::chrono::milliseconds retry,
                                 WallTime now) {
  const bool changed = status_.condition != Condition::unauthorized;
  std::string problem = "the Sluice API refused the configuration (" + describe(result) + "): " +
                        std::string(hint) + "; sending stopped, events stay buffered";
  leave_ok(Condition::unauthorized, problem, now);
  if (!changed) return;
  log_.log(Level::error, problem,
           {{"status", std::to_string(result.status)},
            {"error.code", result.error.code},
            {"error.message", result.error.message},
            {"retry_in", millis_text(retry)}});
}

void DeliveryNotes::note_rate_limited(const SendResult& result, std::chrono::milliseconds delay, WallTime now) {
  const bool changed = status_.condition != Condition::rate_limited;
  leave_ok(Condition::rate_limited, "rate limited by the Sluice API (" + describe(result) + ")", now);
  log_.log(changed ? Level::warn : Level::debug, "rate limited by the Sluice API; sending paused",
           {{"error.code", result.error.code}, {"error.message", result.error.message},
            {"retry_in", millis_text(delay)}});
}

void DeliveryNotes::note_shutdown(std::size_t dropped, std::size_t kept_spooled) {
  dropped_shutdown_.inc(dropped);
  if (kept_spooled > 0) {
    log_.log(Level::info, "shutdown: events not delivered in time stay in the spool for the next start",
             {{"events", std::to_string(kept_spooled)}});
  }
  if (dropped == 0 && kept_spooled == 0) {
    log_.log(Level::info, "delivery flushed every buffered event");
  } else {
    log_.log(Level::warn, "shutdown: events not delivered in time were dropped",
             {{"dropped", std::to_string(dropped)}});
  }
}

void DeliveryNotes::note_after_shutdown() { dropped_shutdown_.inc(); }

void DeliveryNotes::note_loop_failed(const std::exception_ptr& error) {
  std::string what = "unknown error";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  status_.condition = Condition::failing;
  if (!status_.failing_since) status_.failing_since = std::chrono::system_clock::now();
  status_.problem = "the delivery loop stopped: " + what;
  publish();
  log_.log(Level::error, status_.problem);
}

}  // namespace sluice::deliver

#include <chrono>

#include "common/uuid.hpp"
#include "config/listen_addr.hpp"
#include "config/setting_binders.hpp"
#include "config/setting_spec.hpp"

namespace sluice::config {
namespace {

using namespace std::chrono_literals;
constexpr std::size_t kMiB = 1024 * 1024;

std::optional<Problem> apply_connection_id(Settings& s, std::string_view text) {
  if (text.empty()) {
    return Problem{"is required",
                   "set it to the connection UUID shown in the Sluice dashboard under Connections",
                   true};
  }
  auto uuid = canonical_uuid(text);
  if (!uuid) {
    return Problem{"is not a valid UUID",
                   "use the connection UUID shown in the Sluice dashboard under Connections"};
  }
  s.connection_id = *uuid;
  return std::nullopt;
}

// "adaptive" (0) or a fixed number of requests in flight.
std::optional<Problem> apply_delivery_concurrency(Settings& s, std::string_view text) {
  if (text == "adaptive") {
    s.delivery_concurrency = 0;
    return std::nullopt;
  }
  return count_field(&Settings::delivery_concurrency, 1, 256)(s, text);
}

// "off" (0) or the events a UTC day may cost before low-priority ones stop.
std::optional<Problem> apply_daily_event_budget(Settings& s, std::string_view text) {
  if (text == "off" || text == "0") {
    s.daily_event_budget = 0;
    return std::nullopt;
  }
  return count_field(&Settings::daily_event_budget, 1, 1'000'000'000)(s, text);
}

std::optional<Problem> apply_api_url(Settings& s, std::string_view text) {
  auto url = parse_http_url(text);
  if (!url) return Problem{"is not a valid API URL: " + url.error(), "use e.g. https://sluice.sh/api"};
  s.api_url = *url;
  return std::nullopt;
}

std::optional<Problem> apply_redis_url(Settings& s, std::string_view text) {
  auto url = parse_redis_url(text);
  if (!url) {
    return Problem{"is not a valid Redis URL: " + url.error(),
                   "use redis://[user:password@]host[:port][/db], rediss://…, unix:///path?db=N or "
                   "sentinel://[:password@]host[:port][;sentinel://host[:port]…][/db]"};
  }
  s.redis = *url;
  return std::nullopt;
}

// Celery's result_backend URL; only a Redis backend can be read.
std::optional<Problem> apply_result_backend(Settings& s, std::string_view text) {
  if (text.empty() || text == "off") {
    s.result_backend.reset();
    return std::nullopt;
  }
  const auto scheme = text.substr(0, text.find("://"));
  if (scheme != "redis" && scheme != "rediss" && scheme != "unix" && scheme != "sentinel") {
    return Problem{"is not a Redis result backend (sluiced reads only redis://, rediss://, unix:// and "
                   "sentinel:// backends)",
                   "leave it empty (off) unless Celery's result_backend is Redis"};
  }
  auto url = parse_redis_url(text);
  if (!url) {
    return Problem{"is not a valid Redis URL: " + url.error(),
                   "use Celery's result_backend, e.g. redis://[user:password@]host[:port]/1"};
  }
  s.result_backend = *url;
  return std::nullopt;
}

// The parser the daemon listens with, so --check-config accepts exactly
// what the daemon can start with.
std::optional<Problem> apply_health_addr(Settings& s, std::string_view text) {
  if (auto addr = parse_listen_addr(text); !addr) {
    return Problem{addr.error(), "use :PORT, HOST:PORT, [IPv6]:PORT or off (e.g. :8081, 127.0.0.1:8081, [::1]:8081)"};
  }
  s.health_addr = std::string(text);
  return std::nullopt;
}

std::optional<Problem> apply_exchange(std::string Settings::*field, Settings& s, std::string_view text) {
  if (text.empty() || text.find_first_of("*?[]\\") != std::string_view::npos) {
    return Problem{"is not a usable exchange name",
                   "use the same non-empty name as the Celery app (no glob characters * ? [ ] \\)"};
  }
  s.*field = std::string(text);
  return std::nullopt;
}

std::string masked_url_display(std::string_view text) { return masked_redis_url(text); }

std::vector<SettingSpec> build_table() {
  std::vector<SettingSpec> t;
  const auto add = [&t](SettingSpec spec) { t.push_back(std::move(spec)); };

  const std::string api = "Sluice API and delivery";
  add({"api-key", "SLUICE_API_KEY", "", "Sluice API key (starts with sk_); required unless --sink stdout",
       api, text_field(&Settings::api_key), true});
  add({"api-url", "SLUICE_API_URL", "https://sluice.sh/api", "Base URL of the Sluice API", api,
       apply_api_url, false, false, masked_url_display});
  add({"connection-id", "SLUICE_CONNECTION_ID", "",
       "Connection UUID from the Sluice dashboard (required)", api, apply_connection_id});
  add({"framework", "SLUICE_FRAMEWORK", "celery", "Framework of the monitored app (only celery)", api,
       choice_field(&Settings::framework, {{"celery", std::string("celery")}})});
  add({"sink", "SLUICE_SINK", "https",
       "Where events go: https (the Sluice API) or stdout (dry run, one JSON event per line)", api,
       choice_field(&Settings::sink, {{"https", Sink::https}, {"stdout", Sink::stdout_lines}})});
  add({"compression", "SLUICE_COMPRESSION", "none", "Request body compression: none or gzip", api,
       choice_field(&Settings::compression, {{"none", Compression::none}, {"gzip", Compression::gzip}})});
  add({"ca-file", "SLUICE_CA_FILE", "", "Extra CA bundle (PEM) trusted for the API, besides the system store",
       api, text_field(&Settings::ca_file)});
  add({"allow-insecure-http", "SLUICE_ALLOW_INSECURE_HTTP", "false",
       "Allow a plain http:// API URL on a non-loopback host", api,
       bool_field(&Settings::allow_insecure_http), false, true});
  add({"http-connect-timeout", "SLUICE_HTTP_CONNECT_TIMEOUT", "10s", "Timeout to connect to the API", api,
       duration_field(&Settings::http_connect_timeout, 100ms, 5min)});
  add({"http-timeout", "SLUICE_HTTP_TIMEOUT", "30s", "Timeout for one API request", api,
       duration_field(&Settings::http_request_timeout, 100ms, 10min)});
  add({"batch-max-events", "SLUICE_BATCH_MAX_EVENTS", "500", "Most events per request (1-500)", api,
       count_field(&Settings::batch_max_events, 1, 500)});
  add({"batch-max-bytes", "SLUICE_BATCH_MAX_BYTES", "1MiB", "Most uncompressed bytes per request (max 1MiB)",
       api, byte_size_field(&Settings::batch_max_bytes, 4096, kMiB)});
  add({"flush-interval", "SLUICE_FLUSH_INTERVAL", "1s", "Longest time an event waits for its batch to fill",
       api, duration_field(&Settings::flush_interval, 10ms, 1min)});
  add({"buffer-max-events", "SLUICE_BUFFER_MAX_EVENTS", "100000",
       "Events buffered before the oldest are dropped", api,
       count_field(&Settings::buffer_max_events, 100, 10'000'000)});
  add({"buffer-max-bytes", "SLUICE_BUFFER_MAX_BYTES", "64MiB",
       "Encoded bytes buffered before the oldest events are dropped", api,
       byte_size_field(&Settings::buffer_max_bytes, kMiB, 64 * 1024 * kMiB)});
  add({"delivery-concurrency", "SLUICE_DELIVERY_CONCURRENCY", "adaptive",
       "Ingest requests in flight: adaptive (follows what the API sustains) or a fixed number (1-256)", api,
       apply_delivery_concurrency});
  add({"delivery-concurrency-max", "SLUICE_DELIVERY_CONCURRENCY_MAX", "32",
       "Most ingest requests in flight when adaptive (1-256)", api,
       count_field(&Settings::delivery_concurrency_max, 1, 256)});
  add({"daily-event-budget", "SLUICE_DAILY_EVENT_BUDGET", "off",
       "Events a UTC day may cost: from 90 % of it only job final states and worker online/offline are sent "
       "(the rest is held back and counted); off or a number", api, apply_daily_event_budget});
  add({"shutdown-timeout", "SLUICE_SHUTDOWN_TIMEOUT", "5s", "How long to flush buffered events on shutdown",
       api, duration_field(&Settings::shutdown_timeout, 0ms, 5min)});
  add({"unhealthy-after", "SLUICE_UNHEALTHY_AFTER", "60s",
       "Delivery failing this long makes /health report 503", api,
       duration_field(&Settings::unhealthy_after, 1s, 1h)});

  const std::string spool = "Spool (durable buffer on disk)";
  add({"spool-dir", "SLUICE_SPOOL_DIR", "",
       "Directory for the on-disk spool; empty: undelivered events live in memory only", spool,
       text_field(&Settings::spool_dir)});
  add({"spool-max-bytes", "SLUICE_SPOOL_MAX_BYTES", "1GiB",
       "Disk bytes the spool may use before the oldest events are dropped", spool,
       byte_size_field(&Settings::spool_max_bytes, kMiB, 1024 * 1024 * kMiB)});
  add({"spool-sync-interval", "SLUICE_SPOOL_SYNC_INTERVAL", "1s",
       "How often the spool is synced to disk: a crash or power cut loses at most this much", spool,
       duration_field(&Settings::spool_sync_interval, 10ms, 1min)});

  const std::string redis = "Redis broker";
  add({"redis-url", "SLUICE_REDIS_URL", "redis://localhost:6379/0",
       "Broker URL: redis://[user:password@]host[:port][/db], rediss://…, unix:///path?db=N, or "
       "sentinel://[:password@]host[:port][;sentinel://…][/db]",
       redis, apply_redis_url, false, false, masked_url_display});
  add({"redis-ca-file", "SLUICE_REDIS_CA_FILE", "", "CA bundle (PEM) for rediss:// (default: system store)",
       redis, text_field(&Settings::redis_ca_file)});
  add({"redis-cert-file", "SLUICE_REDIS_CERT_FILE", "", "Client certificate (PEM) for rediss://", redis,
       text_field(&Settings::redis_cert_file)});
  add({"redis-key-file", "SLUICE_REDIS_KEY_FILE", "", "Client private key (PEM) for rediss://", redis,
       text_field(&Settings::redis_key_file)});
  add({"redis-connect-timeout", "SLUICE_REDIS_CONNECT_TIMEOUT", "5s", "Timeout to connect to Redis", redis,
       duration_field(&Settings::redis_connect_timeout, 100ms, 5min)});
  add({"reconnect-min", "SLUICE_RECONNECT_MIN", "100ms", "First Redis reconnect delay (doubles each try)",
       redis, duration_field(&Settings::reconnect_min, 10ms, 1min)});
  add({"reconnect-max", "SLUICE_RECONNECT_MAX", "5s", "Longest Redis reconnect delay", redis,
       duration_field(&Settings::reconnect_max, 10ms, 10min)});
  add({"max-message-bytes", "SLUICE_MAX_MESSAGE_BYTES", "16MiB",
       "Larger pub/sub messages are dropped and counted", redis,
       byte_size_field(&Settings::max_message_bytes, 1024, 512 * kMiB)});

  const std::string sentinel = "Redis Sentinel (sentinel:// URLs)";
  add({"redis-sentinel-master", "SLUICE_REDIS_SENTINEL_MASTER", "",
       "Name of the monitored master (Celery's broker_transport_options master_name); required with "
       "sentinel://",
       sentinel, text_field(&Settings::sentinel_master)});
  add({"redis-sentinel-username", "SLUICE_REDIS_SENTINEL_USERNAME", "",
       "ACL user on the sentinels themselves (sentinel_kwargs username); empty = default user", sentinel,
       text_field(&Settings::sentinel_username)});
  add({"redis-sentinel-password", "SLUICE_REDIS_SENTINEL_PASSWORD", "",
       "Password of the sentinels themselves (sentinel_kwargs password); the URL's is the master's", sentinel,
       text_field(&Settings::sentinel_password), true});
  add({"redis-sentinel-tls", "SLUICE_REDIS_SENTINEL_TLS", "false",
       "TLS to the sentinels (sentinel_kwargs ssl); CA and client files from SLUICE_REDIS_CA_FILE etc.",
       sentinel, bool_field(&Settings::sentinel_tls), false, true});
  add({"redis-master-tls", "SLUICE_REDIS_MASTER_TLS", "false",
       "TLS to the master the sentinels name (Celery's broker_use_ssl); its certificate must name the "
       "address the sentinels announce",
       sentinel, bool_field(&Settings::master_tls), false, true});

  const std::string celery = "Celery";
  add({"event-exchange", "SLUICE_EVENT_EXCHANGE", "celeryev", "Celery event_exchange", celery,
       [](Settings& s, std::string_view v) { return apply_exchange(&Settings::event_exchange, s, v); }});
  add({"control-exchange", "SLUICE_CONTROL_EXCHANGE", "celery", "Celery control_exchange (without .pidbox)",
       celery,
       [](Settings& s, std::string_view v) { return apply_exchange(&Settings::control_exchange, s, v); }});
  add({"fanout-prefix", "SLUICE_FANOUT_PREFIX", "true",
       "Transport option fanout_prefix: true, false, or a custom prefix ({db} is replaced)", celery,
       text_field(&Settings::fanout_prefix)});
  add({"fanout-patterns", "SLUICE_FANOUT_PATTERNS", "true", "Transport option fanout_patterns", celery,
       bool_field(&Settings::fanout_patterns), false, true});
  add({"global-keyprefix", "SLUICE_GLOBAL_KEYPREFIX", "", "Transport option global_keyprefix", celery,
       text_field(&Settings::global_keyprefix)});
  add({"enable-events", "SLUICE_ENABLE_EVENTS", "true",
       "Broadcast enable_events so workers send task events (false = strictly read-only)", celery,
       bool_field(&Settings::enable_events), false, true});
  add({"enable-events-interval", "SLUICE_ENABLE_EVENTS_INTERVAL", "10s", "How often enable_events is repeated",
       celery, duration_field(&Settings::enable_events_interval, 1s, 1h)});

  const std::string track = "Tracking";
  add({"task-table-size", "SLUICE_TASK_TABLE_SIZE", "100000", "Tasks remembered for names and queues (LRU)",
       track, count_field(&Settings::task_table_size, 100, 10'000'000)});
  add({"worker-offline-timeout", "SLUICE_WORKER_OFFLINE_TIMEOUT", "6s",
       "A worker silent this long is reported offline", track,
       duration_field(&Settings::worker_offline_timeout, 1s, 1h)});
  add({"refresh-interval", "SLUICE_REFRESH_INTERVAL", "30s",
       "An unchanged queue depth is re-sent at most this often (workers: --worker-refresh-interval)", track,
       duration_field(&Settings::refresh_interval, 1s, 24h)});
  add({"worker-refresh-interval", "SLUICE_WORKER_REFRESH_INTERVAL", "5m",
       "An unchanged worker state is re-sent at most this often (each costs one event of quota)", track,
       duration_field(&Settings::worker_refresh_interval, 10s, 24h)});
  add({"worker-state-hold", "SLUICE_WORKER_STATE_HOLD", "10s",
       "A worker's busy/idle change is sent once its heartbeats agreed this long (0s: at once)", track,
       duration_field(&Settings::worker_state_hold, 0ms, 1h)});
  add({"worker-state-min-interval", "SLUICE_WORKER_STATE_MIN_INTERVAL", "60s",
       "Busy/idle events of one worker are at least this far apart (online/offline never wait)", track,
       duration_field(&Settings::worker_state_min_interval, 0ms, 24h)});
  add({"reorder-window", "SLUICE_REORDER_WINDOW", "250ms",
       "How long an event of an unknown task waits for its task-sent/received", track,
       duration_field(&Settings::reorder_window, 0ms, 10s)});
  add({"reorder-max-events", "SLUICE_REORDER_MAX_EVENTS", "10000", "Most events waiting in the reorder window",
       track, count_field(&Settings::reorder_max_events, 0, 1'000'000)});

  const std::string queues = "Queues";
  add({"queue-depth", "SLUICE_QUEUE_DEPTH", "true", "Poll queue depths and send queue snapshots", queues,
       bool_field(&Settings::queue_depth), false, true});
  add({"queues", "SLUICE_QUEUES", "", "Comma-separated queue names; set = no discovery", queues,
       list_field(&Settings::queues)});
  add({"queue-poll-interval", "SLUICE_QUEUE_POLL_INTERVAL", "10s", "How often queue depths are read", queues,
       duration_field(&Settings::queue_poll_interval, 100ms, 1h)});
  add({"queue-scan-interval", "SLUICE_QUEUE_SCAN_INTERVAL", "60s", "How often queues are discovered", queues,
       duration_field(&Settings::queue_scan_interval, 1s, 24h)});
  add({"max-queues", "SLUICE_MAX_QUEUES", "1000",
       "Most queues polled at once; further names are refused and counted", queues,
       count_field(&Settings::max_queues, 1, 100'000)});

  const std::string reconcile = "Reconciliation";
  add({"result-backend-url", "SLUICE_RESULT_BACKEND_URL", "",
       "Celery's Redis result backend (e.g. redis://host:6379/1): outcomes of stale jobs are read there; "
       "empty = off",
       reconcile, apply_result_backend, false, false, masked_url_display});
  add({"result-keyprefix", "SLUICE_RESULT_KEYPREFIX", "",
       "Key prefix of the result backend (result_backend_transport_options global_keyprefix)", reconcile,
       text_field(&Settings::result_keyprefix)});
  add({"reconcile-after", "SLUICE_RECONCILE_AFTER", "60s",
       "A job not final with no event this long is looked up in the result backend", reconcile,
       duration_field(&Settings::reconcile_after, 1s, 6h)});
  add({"reconcile-rate", "SLUICE_RECONCILE_RATE", "100", "Most result backend lookups per second", reconcile,
       count_field(&Settings::reconcile_rate, 1, 10'000)});

  const std::string ha = "High availability";
  add({"ha", "SLUICE_HA", "false",
       "Run as one of an HA pair: only the holder of a lease in the broker sends (writes one key)", ha,
       bool_field(&Settings::ha), false, true});
  add({"ha-lease", "SLUICE_HA_LEASE", "10s",
       "Leadership lease; renewed every third of it, a standby takes over within it", ha,
       duration_field(&Settings::ha_lease, 1s, 10min)});
  add({"ha-resend-max-events", "SLUICE_HA_RESEND_MAX_EVENTS", "20000",
       "Most recent events a standby keeps to re-send at takeover", ha,
       count_field(&Settings::ha_resend_max_events, 0, 10'000'000)});
  add({"ha-resend-max-bytes", "SLUICE_HA_RESEND_MAX_BYTES", "8MiB",
       "Most bytes of recent events a standby keeps to re-send at takeover", ha,
       byte_size_field(&Settings::ha_resend_max_bytes, 0, 1024 * kMiB)});

  const std::string ops = "Operations";
  add({"health-addr", "SLUICE_HEALTH_ADDR", ":8081",
       "Address of /health, /ready and /metrics (HOST:PORT, :PORT, or off)", ops, apply_health_addr});
  add({"log-level", "SLUICE_LOG_LEVEL", "info", "debug, info, warn or error", ops,
       choice_field(&Settings::log_level, {{"debug", LogLevel::debug}, {"info", LogLevel::info},
                                           {"warn", LogLevel::warn}, {"error", LogLevel::error}})});
  add({"log-format", "SLUICE_LOG_FORMAT", "text", "text (logfmt) or json, one record per line on stderr",
       ops, choice_field(&Settings::log_format, {{"text", LogFormat::text}, {"json", LogFormat::json}})});
  return t;
}

}  // namespace

const std::vector<SettingSpec>& setting_table() {
  static const std::vector<SettingSpec> table = build_table();
  return table;
}

}  // namespace sluice::config

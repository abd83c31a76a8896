#pragma once
// Settings: the one immutable configuration value of a sluiced process,
// built by config::load_settings from flags > environment > defaults.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/duration.hpp"
#include "config/url.hpp"

namespace sluice::config {

enum class Sink { https, stdout_lines };
enum class LogLevel { debug, info, warn, error };
enum class LogFormat { text, json };
enum class Compression { none, gzip };

struct Settings {
  // Sluice API and delivery (docs/ingest-contract.md §1–§2).
  std::string api_key;
  HttpUrl api_url;
  std::string connection_id;  // canonical lower-case UUID
  std::string framework;
  Sink sink = Sink::https;
  Compression compression = Compression::none;
  std::string ca_file;
  bool allow_insecure_http = false;
  Duration http_connect_timeout{};
  Duration http_request_timeout{};
  std::size_t batch_max_events = 0;
  std::size_t batch_max_bytes = 0;
  Duration flush_interval{};
  std::size_t buffer_max_events = 0;
  std::size_t buffer_max_bytes = 0;
  std::size_t delivery_concurrency = 0;  // 0: adaptive
  std::size_t delivery_concurrency_max = 0;
  Duration shutdown_timeout{};
  Duration unhealthy_after{};

  // Spool (docs/spool.md): off when spool_dir is empty.
  std::string spool_dir;
  std::size_t spool_max_bytes = 0;
  Duration spool_sync_interval{};

  // Redis broker.
  RedisUrl redis;
  std::string redis_ca_file;
  std::string redis_cert_file;
  std::string redis_key_file;
  Duration redis_connect_timeout{};
  Duration reconnect_min{};
  Duration reconnect_max{};
  std::size_t max_message_bytes = 0;

  // Redis Sentinel, for sentinel:// URLs: kombu's master_name, and its
  // sentinel_kwargs (the sentinels' own credentials and TLS; the URL's
  // password is the master's). The TLS files above serve both.
  std::string sentinel_master;
  std::string sentinel_username;
  std::string sentinel_password;
  bool sentinel_tls = false;
  bool master_tls = false;  // to the master a sentinel names (Celery's broker_use_ssl)

  // Celery naming and remote control (docs/celery-protocol.md §2, §7).
  std::string event_exchange;
  std::string control_exchange;
  std::string fanout_prefix;  // "true", "false" or a custom prefix with {db}
  bool fanout_patterns = true;
  std::string global_keyprefix;
  bool enable_events = true;
  Duration enable_events_interval{};

  // Tracking (issue: task and worker tracking).
  std::size_t task_table_size = 0;
  Duration worker_offline_timeout{};
  Duration refresh_interval{};  // queue snapshots
  Duration worker_refresh_interval{};
  Duration worker_state_hold{};
  Duration worker_state_min_interval{};
  std::size_t daily_event_budget = 0;  // 0: off
  Duration reorder_window{};
  std::size_t reorder_max_events = 0;

  // Queue depth polling.
  bool queue_depth = true;
  std::vector<std::string> queues;  // explicit list; empty = discover
  Duration queue_poll_interval{};
  Duration queue_scan_interval{};
  std::size_t max_queues = 0;

  // Reconciliation: outcomes of stale jobs read from Celery's result backend.
  std::optional<RedisUrl> result_backend;  // off when not set
  std::string result_keyprefix;            // result_backend_transport_options global_keyprefix
  Duration reconcile_after{};
  std::size_t reconcile_rate = 0;          // lookups per second, at most

  // High availability: a pair (or more) of sluiced, one of them sends.
  bool ha = false;
  Duration ha_lease{};                  // leadership lease in the broker
  std::size_t ha_resend_max_events = 0;  // kept by a standby for the re-send at takeover
  std::size_t ha_resend_max_bytes = 0;

  // Operations.
  std::string health_addr;  // "host:port", ":port" or "off"
  LogLevel log_level = LogLevel::info;
  LogFormat log_format = LogFormat::text;
};

}  // namespace sluice::config

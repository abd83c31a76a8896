#pragma once
// IngestSink: POST {api_url}/ingest with the headers of the contract
// (docs/ingest-contract.md §1): Bearer key, JSON, User-Agent, the batch's
// Idempotency-Key, optional gzip. Turns the answer into a SendResult.

#include <memory>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "common/redact.hpp"
#include "config/settings.hpp"
#include "deliver/http_client.hpp"
#include "deliver/proxy.hpp"
#include "deliver/sink.hpp"

namespace sluice::deliver {

struct IngestSinkOptions {
  std::string target;   // e.g. "/api/ingest"
  std::string api_key;  // a secret: only ever put in the Authorization header
  bool gzip = false;
  // Applied to everything taken from an answer or a transport error, so an
  // API that echoes the Authorization header cannot carry the key into the
  // delivery status, /health or the log.
  Redactor redact;
};

class IngestSink final : public Sink {
 public:
  IngestSink(std::unique_ptr<HttpsClient> client, IngestSinkOptions options);

  // The sink for the configured API: CA file, timeouts, compression, and the
  // proxy from HTTPS_PROXY / NO_PROXY. Fails on an unreadable CA file or a
  // proxy variable that does not parse.
  static Expected<std::unique_ptr<IngestSink>, std::string> create(asio::any_io_executor executor,
                                                                   const config::Settings& settings,
                                                                   const EnvLookup& env = process_environment());

  asio::awaitable<SendResult> send(const Batch& batch) override;
  void cancel() override { client_->cancel(); }

  HttpsClient& client() { return *client_; }

 private:
  std::unique_ptr<HttpsClient> client_;
  IngestSinkOptions options_;
};

// "sluiced/<version>".
std::string user_agent();

// {"error": {"code", "message", "details"}} from an answer body, each field
// redacted; empty fields for any other shape (the body is never depended on).
ApiError parse_api_error(std::string_view body, const Redactor& redact = Redactor{});

}  // namespace sluice::deliver

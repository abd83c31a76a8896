#include "deliver/ingest_sink.hpp"

#include <nlohmann/json.hpp>

#include "config/secrets.hpp"
#include "deliver/gzip.hpp"

namespace sluice::deliver {
namespace {

constexpr std::size_t kMaxErrorText = 2000;

// Cuts at `limit` bytes without splitting a UTF-8 sequence.
std::string bounded(std::string text) {
  if (text.size() <= kMaxErrorText) return text;
  std::size_t cut = kMaxErrorText;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "…";
}

// Redacted before it is cut, so a cut cannot leave half a secret unmatched.
std::string text_field(const nlohmann::json& object, const char* key, const Redactor& redact) {
  const auto it = object.find(key);
  if (it == object.end()) return "";
  return bounded(redact(it->is_string() ? it->get<std::string>()
                                        : it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
}

}  // namespace

std::string user_agent() { return std::string("sluiced/") + SLUICE_VERSION; }

ApiError parse_api_error(std::string_view body, const Redactor& redact) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return {};
  const auto error = doc.find("error");
  if (error == doc.end() || !error->is_object()) return {};
  return ApiError{text_field(*error, "code", redact), text_field(*error, "message", redact),
                  text_field(*error, "details", redact)};
}

IngestSink::IngestSink(std::unique_ptr<HttpsClient> client, IngestSinkOptions options)
    : client_(std::move(client)), options_(std::move(options)) {}

Expected<std::unique_ptr<IngestSink>, std::string> IngestSink::create(asio::any_io_executor executor,
                                                                       const config::Settings& settings,
                                                                       const EnvLookup& env) {
  auto proxy = proxy_for(settings.api_url, env);
  if (!proxy) return Unexpected(proxy.error());
  ClientOptions options{settings.api_url, settings.ca_file, settings.http_connect_timeout,
                        settings.http_request_timeout, *proxy};
  auto client = HttpsClient::create(executor, std::move(options));
  if (!client) return Unexpected(client.error());
  IngestSinkOptions sink{config::join_path(settings.api_url, "ingest"), settings.api_key,
                         settings.compression == config::Compression::gzip, config::secret_redactor(settings)};
  return std::make_unique<IngestSink>(std::move(client).value(), std::move(sink));
}

asio::awaitable<SendResult> IngestSink::send(const Batch& batch) {
  HttpRequest request{options_.target,
                      {{"Authorization", "Bearer " + options_.api_key},
                       {"Content-Type", "application/json"},
                       {"User-Agent", user_agent()},
                       {"Idempotency-Key", batch.idempotency_key()}},
                      batch.body()};
  std::string packed;  // lives in this frame until the post is done
  if (options_.gzip) {
    // deflate only fails without memory; the plain body is then still correct.
    if (auto compressed = gzip_compress(request.body)) {
      packed = std::move(compressed).value();
      request.body = packed;
      request.headers.push_back({"Content-Encoding", "gzip"});
    }
  }
  auto response = co_await client_->post(std::move(request));
  if (!response) co_return SendResult::transport_failure(options_.redact(response.error()));
  SendResult result = SendResult::answer(response->status);
  result.retry_after = options_.redact(response->retry_after);
  if (response->status / 100 != 2) result.error = parse_api_error(response->body, options_.redact);
  co_return result;
}

}  // namespace sluice::deliver

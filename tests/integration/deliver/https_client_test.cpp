// The ingest client against the local test server: TLS verification (chain
// and host name), keep-alive and reconnects, timeouts, proxy tunnelling, and
// the headers of the contract.
#include "deliver/http_client.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "deliver/ingest_sink.hpp"
#include "support/await.hpp"
#include "support/connect_proxy.hpp"
#include "support/ingest_server.hpp"
#include "support/ingest_settings.hpp"
#include "support/sample_events.hpp"
#include "support/test_pki.hpp"

namespace sluice::deliver {
namespace {

using namespace std::chrono_literals;
using testing::IngestServerOptions;
using testing::TestIngestServer;
using Result = Expected<HttpResponse, std::string>;

class HttpsClientTest : public ::testing::Test {
 protected:
  TestIngestServer& start_server(testing::PemIdentity identity, bool tls = true) {
    server_.emplace(IngestServerOptions{tls, std::move(identity)});
    return *server_;
  }

  ClientOptions options_for(const std::string& host = "127.0.0.1") {
    ClientOptions options;
    options.url = config::HttpUrl{server_->base_url().starts_with("https"), host, server_->port(), "/api"};
    options.ca_file = pki_.ca_file();
    options.connect_timeout = 2s;
    options.request_timeout = 5s;
    return options;
  }

  HttpRequest valid_request() {
    return HttpRequest{"/api/ingest",
                       {{"Authorization", "Bearer " + server_->api_key()}, {"Content-Type", "application/json"}},
                       valid_body_};
  }
  const std::string valid_body_ = R"({"events":[)" + testing::sample_job_event("j", 1) + "]}";

  static asio::awaitable<void> post_into(HttpsClient& client, const HttpRequest& request,
                                        std::optional<Result>& result) {
    result.emplace(co_await client.post(request));
  }

  Result post(HttpsClient& client, const HttpRequest& request) {
    std::optional<Result> result;
    asio::co_spawn(io_, post_into(client, request, result), asio::detached);
    EXPECT_TRUE(testing::run_until(io_, [&] { return result.has_value(); }, 30s));
    return result ? std::move(*result) : Result(Unexpected(std::string("no result")));
  }

  std::unique_ptr<HttpsClient> client(ClientOptions options) {
    auto made = HttpsClient::create(io_.get_executor(), std::move(options));
    EXPECT_TRUE(made.has_value()) << made.error();
    return std::move(made).value();
  }

  testing::TestPki pki_;
  std::optional<TestIngestServer> server_;
  asio::io_context io_;
};

TEST_F(HttpsClientTest, VerifiedTlsWithOneKeptAliveConnection) {
  start_server(pki_.server);
  auto c = client(options_for());
  for (int i = 0; i < 3; ++i) {
    auto r = post(*c, valid_request());
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(r->status, 202);
  }
  EXPECT_EQ(c->connections_opened(), 1u);
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(HttpsClientTest, VerifiesADnsNameWithSni) {
  start_server(pki_.server);
  auto c = client(options_for("localhost"));
  auto r = post(*c, valid_request());
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(server_->requests().at(0).header("host"), "localhost:" + std::to_string(server_->port()));
}

TEST_F(HttpsClientTest, ReopensAConnectionTheServerClosed) {
  start_server(pki_.server);
  auto c = client(options_for());
  ASSERT_TRUE(post(*c, valid_request()).has_value());
  server_->stop_listening();  // closes the idle keep-alive connection too
  server_->resume_listening();
  auto r = post(*c, valid_request());
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(c->connections_opened(), 2u);
}

TEST_F(HttpsClientTest, RefusesACertificateFromAnUnrelatedCa) {
  start_server(pki_.untrusted_server);
  auto c = client(options_for());
  auto r = post(*c, valid_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("certificate verify failed"), std::string::npos) << r.error();
  EXPECT_TRUE(testing::run_until(io_, [&] { return server_->tls_failures() >= 1; }));
  EXPECT_EQ(server_->request_count(), 0u);
}

TEST_F(HttpsClientTest, RefusesACertificateForAnotherHostName) {
  start_server(pki_.wrong_host_server);
  auto c = client(options_for());
  auto r = post(*c, valid_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("hostname mismatch"), std::string::npos) << r.error();
  EXPECT_EQ(server_->request_count(), 0u);
}

TEST_F(HttpsClientTest, TheSystemStoreAloneDoesNotTrustTheTestCa) {
  start_server(pki_.server);
  auto options = options_for();
  options.ca_file.clear();
  auto r = post(*client(options), valid_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("certificate verify failed"), std::string::npos) << r.error();
}

TEST_F(HttpsClientTest, AnUnreadableCaFileIsAnError) {
  start_server(pki_.server);
  auto options = options_for();
  options.ca_file = pki_.dir() + "/missing.pem";
  auto made = HttpsClient::create(io_.get_executor(), options);
  ASSERT_FALSE(made.has_value());
  EXPECT_NE(made.error().find("missing.pem"), std::string::npos);
}

TEST_F(HttpsClientTest, ConnectionRefusedIsAnErrorValue) {
  start_server(pki_.server);
  server_->stop_listening();
  auto r = post(*client(options_for()), valid_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("connect 127.0.0.1:" + std::to_string(server_->port())), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("refused"), std::string::npos) << r.error();
}

TEST_F(HttpsClientTest, ASlowAnswerTimesOut) {
  start_server(pki_.server);
  server_->set_delay(3s);
  auto options = options_for();
  options.request_timeout = 300ms;
  auto r = post(*client(options), valid_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("no answer within 300ms"), std::string::npos) << r.error();
}

TEST_F(HttpsClientTest, PlainHttpOnLoopback) {
  start_server({}, false);
  auto r = post(*client(options_for()), valid_request());
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->status, 202);
}

TEST_F(HttpsClientTest, TunnelsThroughAConnectProxy) {
  start_server(pki_.server);
  testing::TestConnectProxy proxy;
  auto options = options_for();
  options.proxy = parse_proxy_url("http://user:secret@127.0.0.1:" + std::to_string(proxy.port())).value();
  auto c = client(options);
  for (int i = 0; i < 2; ++i) {
    auto r = post(*c, valid_request());
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(r->status, 202);
  }
  EXPECT_EQ(proxy.targets(), std::vector<std::string>{"127.0.0.1:" + std::to_string(server_->port())});
  EXPECT_EQ(proxy.authorizations(), std::vector<std::string>{"Basic dXNlcjpzZWNyZXQ="});
}

TEST_F(HttpsClientTest, AProxyRefusalIsAnErrorValue) {
  start_server(pki_.server);
  testing::TestConnectProxy proxy;
  proxy.refuse_with(407);
  auto options = options_for();
  options.proxy = ProxyEndpoint{"127.0.0.1", proxy.port(), ""};
  auto r = post(*client(options), valid_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("proxy answered HTTP 407"), std::string::npos) << r.error();
  EXPECT_EQ(server_->request_count(), 0u);
}

class IngestSinkTest : public HttpsClientTest {
 protected:
  SendResult send(Sink& sink, const Batch& batch) {
    std::optional<SendResult> result;
    asio::co_spawn(io_, sink.send(batch), [&](std::exception_ptr, SendResult r) { result = std::move(r); });
    EXPECT_TRUE(testing::run_until(io_, [&] { return result.has_value(); }, 30s));
    return result.value_or(SendResult{});
  }

  std::unique_ptr<IngestSink> sink(config::Environment extra = {}) {
    auto made = IngestSink::create(io_.get_executor(), testing::ingest_settings(*server_, pki_.ca_file(), extra),
                                   [](std::string_view) { return std::nullopt; });
    EXPECT_TRUE(made.has_value()) << made.error();
    return std::move(made).value();
  }

  // A batch of exactly these events.
  Batch make_batch(const std::vector<std::string>& events) {
    EncodedEvents encoded;
    for (const auto& e : events) encoded.append(e, EventKind::job, 1);
    return Batch(encoded, 0, encoded.size(), rng_);
  }

  std::mt19937_64 rng_{5};
};

TEST_F(IngestSinkTest, SendsTheContractHeaders) {
  start_server(pki_.server);
  auto s = sink();
  const Batch batch = make_batch({testing::sample_job_event("a", 1), testing::sample_job_event("b", 2)});
  EXPECT_EQ(send(*s, batch), SendResult::answer(202));
  const auto request = server_->requests().at(0);
  EXPECT_EQ(request.target, "/api/ingest");
  EXPECT_EQ(request.header("authorization"), "Bearer " + server_->api_key());
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("user-agent"), std::string("sluiced/") + SLUICE_VERSION);
  EXPECT_EQ(request.header("idempotency-key"), batch.idempotency_key());
  EXPECT_EQ(request.header("content-encoding"), "");
  EXPECT_EQ(request.body, batch.body());
  EXPECT_EQ(server_->accepted_events(), batch.events());
}

TEST_F(IngestSinkTest, GzipBodiesInflateToTheBatch) {
  start_server(pki_.server);
  auto s = sink({{"SLUICE_COMPRESSION", "gzip"}});
  std::vector<std::string> events;
  for (int i = 0; i < 200; ++i) events.push_back(testing::sample_job_event("a", i));
  const Batch batch = make_batch(events);
  EXPECT_EQ(send(*s, batch), SendResult::answer(202));
  const auto request = server_->requests().at(0);
  EXPECT_EQ(request.header("content-encoding"), "gzip");
  EXPECT_TRUE(request.gzip_valid);
  EXPECT_LT(request.wire_bytes, batch.body_bytes() / 4);
  EXPECT_EQ(request.body, batch.body());
}

TEST_F(IngestSinkTest, ErrorAnswersCarryStatusCodeAndRetryAfter) {
  start_server(pki_.server);
  server_->fail_next(testing::Fault::answer(429, "3"));
  auto s = sink();
  const SendResult r = send(*s, make_batch({testing::sample_job_event("a", 1)}));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after, "3");
  EXPECT_EQ(r.error.code, "RATE_LIMITED");
  EXPECT_EQ(describe(r), "HTTP 429 RATE_LIMITED: injected fault");
}

}  // namespace
}  // namespace sluice::deliver

#include "support/ingest_ledger.hpp"

#include "deliver/gzip.hpp"
#include "support/ingest_contract.hpp"

namespace sluice::testing {
namespace {

std::string default_code(int status) {
  switch (status) {
    case 400: return "VALIDATION_ERROR";
    case 401: return "UNAUTHORIZED";
    case 403: return "FORBIDDEN";
    case 404: return "NOT_FOUND";
    case 413: return "PAYLOAD_TOO_LARGE";
    case 429: return "RATE_LIMITED";
    default: return status >= 500 ? "INTERNAL_ERROR" : "ERROR";
  }
}

Answer error_answer(int status, const std::string& code, const std::string& message, Json details = nullptr) {
  Json error = {{"code", code.empty() ? default_code(status) : code},
                {"message", message},
                {"docs_url", "https://sluice.sh/docs/api/errors"}};
  if (!details.is_null()) error["details"] = std::move(details);
  return Answer{status, Json{{"error", error}}.dump(), "", std::chrono::milliseconds(0)};
}

}  // namespace

std::string RecordedRequest::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

IngestLedger::IngestLedger(std::string api_key, bool count_only)
    : api_key_(std::move(api_key)), count_only_(count_only) {}

Answer IngestLedger::handle(RecordedRequest request, std::size_t& index) {
  std::lock_guard lock(mutex_);
  ++request_count_;
  Answer answer = decide(request);
  request.status = answer.status;
  index = requests_.size();
  if (!count_only_) requests_.push_back(std::move(request));
  return answer;
}

std::optional<Fault> IngestLedger::take_fault() {
  if (!queued_faults_.empty()) {
    Fault fault = queued_faults_.front();
    queued_faults_.pop_front();
    return fault;
  }
  return standing_fault_;
}

Answer IngestLedger::decide(RecordedRequest& request) {
  if (auto fault = take_fault()) {
    std::string message = fault->message.empty() ? "injected fault" : fault->message;
    if (const auto at = message.find("{authorization}"); at != std::string::npos) {
      message.replace(at, 15, request.header("authorization"));
    }
    Answer answer = error_answer(fault->status, fault->error_code, message);
    if (!fault->body.empty()) answer.body = fault->body;
    answer.retry_after = fault->retry_after;
    answer.delay = fault->delay;
    return answer;
  }
  if (chaos_) {
    const auto delay = std::chrono::milliseconds(chaos_rng_() % (chaos_->max_delay.count() + 1));
    if (chaos_rng_() % 1000 < chaos_->fail_per_mille) {
      Answer answer = error_answer(503, "", "injected fault");
      answer.delay = delay;
      return answer;
    }
    Answer answer = check_and_accept(request);
    answer.delay = delay;
    return answer;
  }
  Answer answer = check_and_accept(request);
  answer.delay = delay_;
  return answer;
}

void IngestLedger::set_chaos(Chaos chaos) {
  std::lock_guard lock(mutex_);
  chaos_ = chaos;
  chaos_rng_.seed(chaos.seed);
}

Answer IngestLedger::check_and_accept(RecordedRequest& request) {
  if (request.wire_bytes > max_body_bytes_) return error_answer(413, "", "Request body too large");
  if (request.header("authorization") != "Bearer " + api_key_) {
    return error_answer(401, "", "Missing or invalid API key");
  }
  if (request.header("content-encoding") == "gzip") {
    auto inflated = deliver::gzip_decompress(request.body, 64 * 1024 * 1024);
    if (!inflated) return error_answer(400, "INVALID_ENCODING", inflated.error());
    request.body = std::move(inflated).value();
    request.gzip_valid = true;
  }
  if (count_only_) {
    const auto n = count_events(request.body);
    if (!n) return error_answer(400, "", "Invalid JSON");
    accepted_count_ += *n;
    return Answer{accept_status_, R"({"accepted":true})", "", {}};
  }
  const Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return error_answer(400, "", "Invalid JSON");
  Json problems = body_problems(body);
  const Json& events = body.contains("events") ? body["events"] : Json::array();
  for (std::size_t i = 0; events.is_array() && i < events.size(); ++i) {
    std::string text = events[i].dump();
    if (!invalid_marker_.empty() && text.find(invalid_marker_) != std::string::npos) {
      problems.push_back({{"path", "events." + std::to_string(i)}, {"message", "Invalid event (test marker)"}});
    }
    request.events.push_back(std::move(text));
  }
  if (!problems.empty()) return error_answer(400, "", "Request validation failed", std::move(problems));
  if (event_quota_ && accepted_count_ + request.events.size() > *event_quota_) {
    Answer answer = error_answer(429, "QUOTA_EXCEEDED", "Daily event quota exceeded");
    answer.retry_after = quota_retry_after_;
    return answer;
  }
  accepted_.insert(accepted_.end(), request.events.begin(), request.events.end());
  accepted_count_ += request.events.size();
  return Answer{accept_status_, R"({"accepted":)" + std::to_string(request.events.size()) + "}", "", {}};
}

void IngestLedger::set_event_quota(std::size_t events, std::string retry_after) {
  std::lock_guard lock(mutex_);
  event_quota_ = events;
  quota_retry_after_ = std::move(retry_after);
}

void IngestLedger::lift_event_quota() {
  std::lock_guard lock(mutex_);
  event_quota_.reset();
}

void IngestLedger::answered(std::size_t index, std::chrono::steady_clock::time_point when) {
  std::lock_guard lock(mutex_);
  if (index < requests_.size()) requests_[index].answered = when;
}

void IngestLedger::count_connection() {
  std::lock_guard lock(mutex_);
  ++connections_;
}

void IngestLedger::count_tls_failure() {
  std::lock_guard lock(mutex_);
  ++tls_failures_;
}

void IngestLedger::fail_next(Fault fault, std::size_t count) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < count; ++i) queued_faults_.push_back(fault);
}

void IngestLedger::fail_all(Fault fault) {
  std::lock_guard lock(mutex_);
  standing_fault_ = std::move(fault);
}

void IngestLedger::clear_faults() {
  std::lock_guard lock(mutex_);
  queued_faults_.clear();
  standing_fault_.reset();
}

void IngestLedger::set_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}

void IngestLedger::set_max_body_bytes(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  max_body_bytes_ = bytes;
}

void IngestLedger::set_invalid_marker(std::string marker) {
  std::lock_guard lock(mutex_);
  invalid_marker_ = std::move(marker);
}

void IngestLedger::set_api_key(std::string key) {
  std::lock_guard lock(mutex_);
  api_key_ = std::move(key);
}

void IngestLedger::set_accept_status(int status) {
  std::lock_guard lock(mutex_);
  accept_status_ = status;
}

std::string IngestLedger::api_key() const {
  std::lock_guard lock(mutex_);
  return api_key_;
}

std::vector<RecordedRequest> IngestLedger::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> IngestLedger::accepted_events() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

std::size_t IngestLedger::accepted_count() const {
  std::lock_guard lock(mutex_);
  return accepted_count_;
}

std::size_t IngestLedger::request_count() const {
  std::lock_guard lock(mutex_);
  return request_count_;
}

std::size_t IngestLedger::connection_count() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

std::size_t IngestLedger::tls_failures() const {
  std::lock_guard lock(mutex_);
  return tls_failures_;
}

std::optional<std::size_t> count_events(const std::string& body) {
  const auto start = body.find('[');
  if (start == std::string::npos) return std::nullopt;
  std::size_t count = 0;
  int depth = 0;
  bool in_string = false;
  bool any = false;  // a first element has started
  for (std::size_t i = start + 1; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (depth == 0) return any ? count + 1 : 0;  // the closing ] of "events"
      --depth;
    }
    if (depth == 0 && c == ',') ++count;
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') any = true;
  }
  return std::nullopt;
}

}  // namespace sluice::testing

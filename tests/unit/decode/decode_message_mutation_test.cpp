// Deterministic mutation test: ~20 000 damaged copies of the captured
// payloads (byte flips, truncations, insertions, deletions, and the same on
// the decoded body, re-encoded as base64). Every result must be events or a
// typed error, never a crash (run under ASan+UBSan too).
#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "common/base64.hpp"
#include "common/utf8.hpp"
#include "decode/decode_message.hpp"
#include "unit/decode/fixture_lines.hpp"

namespace sluice::decode {
namespace {

constexpr int kMutations = 20000;
using std::string_view_literals::operator""sv;
constexpr std::string_view kInteresting = "{}[]\",:\\0-eE.nNtf \x00\xff\x80=/+"sv;  // keeps the NUL

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  std::size_t below(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

  char random_byte() {
    if (below(2) == 0) return kInteresting[below(kInteresting.size())];
    return static_cast<char>(below(256));
  }

  // One random edit of `bytes`.
  void mutate(std::string& bytes) {
    const std::size_t at = below(bytes.size() + 1);
    switch (below(5)) {
      case 0:
        if (!bytes.empty()) bytes[below(bytes.size())] ^= static_cast<char>(1 + below(255));
        break;
      case 1: bytes.resize(at); break;
      case 2: bytes.insert(at, below(4) + 1, random_byte()); break;
      case 3: bytes.erase(at, below(16) + 1); break;
      default: bytes.insert(at, bytes.substr(below(bytes.size() + 1), below(32))); break;
    }
  }

  // Mutates the base64-decoded body and puts it back, well encoded, so the
  // damage reaches the serializers instead of stopping at bad_base64.
  bool mutate_body(std::string& payload) {
    static constexpr std::string_view kKey = "\"body\": \"";
    const std::size_t start = payload.find(kKey);
    if (start == std::string::npos) return false;
    const std::size_t from = start + kKey.size();
    const std::size_t to = payload.find('"', from);
    auto body = base64_decode(std::string_view(payload).substr(from, to - from));
    if (!body) return false;
    const std::size_t edits = 1 + below(3);
    for (std::size_t i = 0; i < edits; ++i) mutate(*body);
    payload.replace(from, to - from, base64_encode(*body));
    return true;
  }

 private:
  std::mt19937_64 rng_;
};

void check_result(const Expected<DecodedMessage, DecodeError>& result) {
  auto printable = [](const DecodeError& e) {
    return e.excerpt.size() <= kMaxExcerpt &&
           std::ranges::all_of(e.excerpt, [](char c) { return c >= 0x20 && c <= 0x7e; });
  };
  if (!result) {
    ASSERT_TRUE(std::ranges::find(kAllDecodeErrorReasons, result.error().reason) != std::end(kAllDecodeErrorReasons));
    ASSERT_TRUE(printable(result.error())) << result.error().excerpt;
    return;
  }
  for (const CeleryEvent& e : result->events) {
    ASSERT_FALSE(e.type.empty());
    ASSERT_TRUE(std::isfinite(e.timestamp));
    ASSERT_TRUE(utf8::is_valid(e.type) && utf8::is_valid(e.hostname) && utf8::is_valid(e.uuid));
    ASSERT_TRUE(!e.is_task_event() || !e.uuid.empty());
    ASSERT_TRUE(!e.traceback || utf8::is_valid(*e.traceback));
  }
  for (const auto* errors : {&result->element_errors, &result->field_issues})
    for (const DecodeError& e : *errors) ASSERT_TRUE(printable(e)) << e.excerpt;
}

TEST(DecodeMutation, DamagedPayloadsYieldEventsOrTypedErrors) {
  std::vector<std::string> seeds;
  for (const std::string& scenario : testing::all_scenarios()) {
    for (std::string& line : testing::fixture_payloads(scenario)) seeds.push_back(std::move(line));
  }
  ASSERT_EQ(seeds.size(), 362U);  // every line of every scenario
  Mutator mutator(0x5eed'cafe'f00dULL);
  std::map<std::string, int> outcomes;
  for (int i = 0; i < kMutations; ++i) {
    std::string payload = seeds[mutator.below(seeds.size())];
    if (i % 2 == 0 || !mutator.mutate_body(payload)) {
      const std::size_t edits = 1 + mutator.below(3);
      for (std::size_t k = 0; k < edits; ++k) mutator.mutate(payload);
    }
    const auto result = decode_message(payload, DecodeLimits{});
    check_result(result);
    if (::testing::Test::HasFatalFailure()) FAIL() << "mutation " << i << ": " << payload;
    ++outcomes[result ? (result->element_errors.empty() ? "events" : "element_errors")
                      : to_string(result.error().reason)];
  }
  // The mutations must actually reach every stage, not just break the JSON.
  for (const char* outcome :
       {"events", "element_errors", "invalid_json", "not_kombu", "bad_envelope", "bad_base64", "bad_body"})
    EXPECT_GT(outcomes[outcome], 0) << outcome;
}

}  // namespace
}  // namespace sluice::decode

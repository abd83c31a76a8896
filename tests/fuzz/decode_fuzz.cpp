// libFuzzer entry for the decode stage. decode_message must return events
// or a typed error — never crash, hang, leak or trip a sanitizer — and what
// it returns must respect its own invariants.
// Input: a Redis pub/sub payload as is; or, after a mode byte 0x01..0x04,
// a body that the harness wraps in a valid kombu envelope (base64 done
// right) so mutations reach the serializers and zlib directly:
// 0x01 JSON, 0x02 msgpack, 0x03 YAML, 0x04 a zlib stream of a JSON body.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/base64.hpp"
#include "common/utf8.hpp"
#include "decode/decode_message.hpp"

namespace {

using namespace sluice::decode;
namespace utf8 = sluice::utf8;

void require(bool condition) {
  if (!condition) std::abort();
}

void check_error(const DecodeError& error) {
  require(error.excerpt.size() <= kMaxExcerpt);
  for (const char c : error.excerpt) require(c >= 0x20 && c <= 0x7e);
}

std::string wrap(unsigned char mode, std::string_view body) {
  static constexpr const char* kTypes[] = {"application/json", "application/x-msgpack", "application/x-yaml",
                                           "application/json"};
  const std::string compression = mode == 4 ? R"("compression": "application/x-gzip")" : "";
  return R"({"body": ")" + sluice::base64_encode(body) + R"(", "content-type": ")" + kTypes[mode - 1] +
         R"(", "headers": {)" + compression +
         R"(}, "properties": {"delivery_info": {"exchange": "celeryev", "routing_key": "task.multi"}, )"
         R"("body_encoding": "base64"}})";
}

void check(const sluice::Expected<DecodedMessage, DecodeError>& result) {
  if (!result) return check_error(result.error());
  for (const CeleryEvent& event : result->events) {
    require(!event.type.empty() && std::isfinite(event.timestamp));
    require(utf8::is_valid(event.type) && utf8::is_valid(event.hostname) && utf8::is_valid(event.uuid));
    require(!event.is_task_event() || !event.uuid.empty());
    require(!event.name || utf8::is_valid(*event.name));
  }
  for (const auto& error : result->element_errors) check_error(error);
  for (const auto& issue : result->field_issues) check_error(issue);
  require(utf8::is_valid(result->exchange) && utf8::is_valid(result->routing_key));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const DecodeLimits limits{1 << 20};  // small: inflation stays cheap per execution
  if (!input.empty() && data[0] >= 1 && data[0] <= 4) {
    check(decode_message(wrap(data[0], input.substr(1)), limits));
  } else {
    check(decode_message(input, limits));
  }
  return 0;
}

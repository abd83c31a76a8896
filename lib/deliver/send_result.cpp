#include "deliver/send_result.hpp"

namespace sluice::deliver {

std::string describe(const SendResult& result) {
  if (!result.answered()) return result.failure.empty() ? "no answer" : result.failure;
  std::string out = "HTTP " + std::to_string(result.status);
  if (!result.error.code.empty()) out += " " + result.error.code;
  if (!result.error.message.empty()) out += ": " + result.error.message;
  return out;
}

}  // namespace sluice::deliver

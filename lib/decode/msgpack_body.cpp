// application/x-msgpack (§3.2): kombu packs with use_bin_type, so strings
// are str and bytes are bin. nlohmann's SAX reader feeds the ValueWalker
// directly: no tree is built, and the walker's bounds stop the reader (whose
// recursion follows the nesting) as soon as a body passes them.
#include <string>

#include <nlohmann/json.hpp>

#include "decode/body_decoders.hpp"
#include "decode/walker_sax.hpp"

namespace sluice::decode {

std::optional<DecodeError> decode_msgpack_body(std::string_view body, const DecodeLimits& limits, DecodedMessage& out) {
  ValueWalker walker(limits, out);
  WalkerSax sax(walker, "msgpack");
  try {
    nlohmann::json::sax_parse(body.begin(), body.end(), &sax, nlohmann::json::input_format_t::msgpack, true);
  } catch (const std::exception& error) {  // nlohmann reports some limits by throwing
    return walker.finish(std::string("msgpack: ") + error.what());
  }
  return walker.finish(sax.message());
}

}  // namespace sluice::decode

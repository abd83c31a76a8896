#pragma once
// kombu's "application/x-gzip" compression (aliases gzip, zlib) is a raw
// zlib stream (zlib.compress), not gzip framing (§3, headers.compression).

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::decode {

enum class InflateResult { ok, corrupt, too_large };

// Inflates `stream` into `out`; too_large as soon as the output would pass
// `max_bytes` (a small stream can expand a thousandfold).
InflateResult inflate_zlib(std::string_view stream, std::size_t max_bytes, std::string& out);

}  // namespace sluice::decode

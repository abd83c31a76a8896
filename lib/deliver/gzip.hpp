#pragma once
// gzip (RFC 1952) bodies for Content-Encoding: gzip: zlib's deflate with the
// gzip wrapper (windowBits 15 + 16). Used when SLUICE_COMPRESSION=gzip.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace sluice::deliver {

Expected<std::string, std::string> gzip_compress(std::string_view data);

// Inflates one gzip member; fails beyond `max_bytes` of output (a zip bomb
// is an error, not an allocation).
Expected<std::string, std::string> gzip_decompress(std::string_view data, std::size_t max_bytes);

}  // namespace sluice::deliver

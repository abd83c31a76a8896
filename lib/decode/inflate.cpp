#include "decode/inflate.hpp"

#include <algorithm>

#include <zlib.h>

namespace sluice::decode {

InflateResult inflate_zlib(std::string_view stream, std::size_t max_bytes, std::string& out) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return InflateResult::corrupt;
  // zlib's avail_in is 32-bit; payloads are bounded well below that.
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stream.data()));
  z.avail_in = static_cast<uInt>(std::min<std::size_t>(stream.size(), 0xffffffffU));
  out.clear();
  std::size_t produced = 0;
  int status = Z_OK;
  while (status == Z_OK) {
    if (produced == max_bytes + 1) break;
    const std::size_t chunk = std::min<std::size_t>({stream.size() * 4 + 1024, max_bytes + 1 - produced, 1U << 20});
    out.resize(produced + chunk);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    z.avail_out = static_cast<uInt>(chunk);
    status = inflate(&z, Z_NO_FLUSH);
    produced += chunk - z.avail_out;
    if (status == Z_BUF_ERROR && z.avail_in == 0) break;  // input ended mid-stream
  }
  inflateEnd(&z);
  out.resize(produced);
  if (produced > max_bytes) return InflateResult::too_large;
  return status == Z_STREAM_END ? InflateResult::ok : InflateResult::corrupt;
}

}  // namespace sluice::decode

#include "deliver/gzip.hpp"

#include <zlib.h>

namespace sluice::deliver {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip header and trailer
constexpr std::size_t kChunk = 64 * 1024;

Bytef* input_bytes(std::string_view data) {
  // zlib's next_in is not const-qualified but is never written through.
  return reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
}

}  // namespace

Expected<std::string, std::string> gzip_compress(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Unexpected(std::string("gzip: deflateInit2 failed"));
  }
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(data.size())));
  z.next_in = input_bytes(data);
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const std::size_t produced = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Unexpected(std::string("gzip: deflate did not finish"));
  out.resize(produced);
  return out;
}

Expected<std::string, std::string> gzip_decompress(std::string_view data, std::size_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK) return Unexpected(std::string("gzip: inflateInit2 failed"));
  z.next_in = input_bytes(data);
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (out.size() >= max_bytes) {
      inflateEnd(&z);
      return Unexpected(std::string("gzip: inflated body exceeds the limit"));
    }
    const std::size_t before = out.size();
    out.resize(before + kChunk);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    z.avail_out = static_cast<uInt>(kChunk);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(before + kChunk - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // input ended before the stream did
  }
  const bool trailing = z.avail_in != 0;
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return Unexpected(std::string("gzip: invalid or truncated data"));
  if (trailing) return Unexpected(std::string("gzip: data after the end of the stream"));
  if (out.size() > max_bytes) return Unexpected(std::string("gzip: inflated body exceeds the limit"));
  return out;
}

}  // namespace sluice::deliver

#include "decode/inflate.hpp"

#include <algorithm>
#include <memory>

#include <zlib.h>

namespace sluice::decode {
namespace {

class Inflater {
 public:
  explicit Inflater(std::string_view stream) : stream_(stream) { ok_ = inflateInit(&z_) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&z_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  bool ok() const { return ok_; }
  // Back to the start of the stream.
  void restart() {
    inflateReset(&z_);
    // zlib's avail_in is 32-bit; payloads are bounded well below that.
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stream_.data()));
    z_.avail_in = static_cast<uInt>(std::min<std::size_t>(stream_.size(), 0xffffffffU));
  }
  // Inflates into [out, out + room): Z_STREAM_END when the stream ended,
  // Z_OK when the room is full, an error otherwise.
  int fill(char* out, std::size_t room) {
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(room);
    int status = Z_OK;
    while (status == Z_OK && z_.avail_out > 0) {
      status = inflate(&z_, Z_NO_FLUSH);
      if (status == Z_BUF_ERROR) return Z_DATA_ERROR;  // no progress with room left: the input ended mid-stream
    }
    return status;
  }
  std::size_t total_out() const { return z_.total_out; }

 private:
  std::string_view stream_;
  z_stream z_{};
  bool ok_ = false;
};

}  // namespace

// Most bodies fit the first buffer (four times the stream). A larger one is
// measured first, inflating into a small scratch buffer, then inflated again
// into a buffer of its exact size: twice the CPU, but a 16 MiB body costs
// 16 MiB, where a growing buffer cost 32 MiB (its earlier, smaller copies
// stay resident in the heap).
InflateResult inflate_zlib(std::string_view stream, std::size_t max_bytes, std::string& out) {
  Inflater z(stream);
  if (!z.ok()) return InflateResult::corrupt;
  z.restart();
  const std::size_t first = std::min<std::size_t>(stream.size() * 4 + 1024, max_bytes + 1);
  out.resize(first);
  int status = z.fill(out.data(), first);
  if (status == Z_STREAM_END) {
    out.resize(z.total_out());
    return z.total_out() > max_bytes ? InflateResult::too_large : InflateResult::ok;
  }
  out.clear();
  if (status != Z_OK) return InflateResult::corrupt;
  constexpr std::size_t kScratch = std::size_t{64} << 10;
  const auto scratch = std::make_unique<char[]>(kScratch);
  while (status == Z_OK && z.total_out() <= max_bytes) status = z.fill(scratch.get(), kScratch);
  if (z.total_out() > max_bytes) return InflateResult::too_large;
  if (status != Z_STREAM_END) return InflateResult::corrupt;
  const std::size_t size = z.total_out();
  std::string().swap(out);  // a fresh buffer of exactly `size`
  out.resize(size);
  z.restart();
  return z.fill(out.data(), size) == Z_STREAM_END ? InflateResult::ok : InflateResult::corrupt;
}

}  // namespace sluice::decode

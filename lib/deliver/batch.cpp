#include "deliver/batch.hpp"

#include "common/uuid.hpp"

namespace sluice::deliver {

Batch::Batch(const EncodedEvents& events, std::size_t first, std::size_t count, std::mt19937_64& rng)
    : key_(random_uuid4(rng)) {
  const std::string_view range = events.joined(first, count);
  body_.reserve(kBodyOpen.size() + range.size() + kBodyClose.size());
  body_.append(kBodyOpen).append(range).append(kBodyClose);
  spans_.reserve(count);
  std::uint32_t at = static_cast<std::uint32_t>(kBodyOpen.size());
  for (std::size_t i = first; i < first + count; ++i) {
    const auto length = static_cast<std::uint32_t>(events.event(i).size());
    spans_.push_back(Span{at, length, events.kind(i), events.tag(i), events.key(i)});
    at += length + 1;
  }
}

Batch::Batch(const Batch& from, std::size_t first, std::size_t count, std::mt19937_64& rng)
    : key_(random_uuid4(rng)) {
  const Span& a = from.spans_[first];
  const Span& b = from.spans_[first + count - 1];
  const std::string_view range = std::string_view(from.body_).substr(a.begin, b.begin + b.length - a.begin);
  body_.reserve(kBodyOpen.size() + range.size() + kBodyClose.size());
  body_.append(kBodyOpen).append(range).append(kBodyClose);
  spans_.assign(from.spans_.begin() + static_cast<std::ptrdiff_t>(first),
                from.spans_.begin() + static_cast<std::ptrdiff_t>(first + count));
  const std::uint32_t shift = a.begin - static_cast<std::uint32_t>(kBodyOpen.size());
  for (auto& span : spans_) span.begin -= shift;
}

std::string_view Batch::event(std::size_t i) const {
  return std::string_view(body_).substr(spans_[i].begin, spans_[i].length);
}

std::vector<std::string> Batch::events() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) out.emplace_back(event(i));
  return out;
}

std::pair<Batch, Batch> Batch::halves(std::mt19937_64& rng) const {
  const std::size_t first = (size() + 1) / 2;
  Batch a(*this, 0, first, rng);
  Batch b(*this, first, size() - first, rng);
  return {std::move(a), std::move(b)};
}

std::ostream& operator<<(std::ostream& os, const Batch& batch) {
  return os << "Batch{events=" << batch.size() << ", bytes=" << batch.body_bytes()
            << ", key=" << batch.idempotency_key() << "}";
}

}  // namespace sluice::deliver

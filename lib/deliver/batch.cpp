#include "deliver/batch.hpp"

#include <iterator>

#include "common/uuid.hpp"

namespace sluice::deliver {

std::size_t Batch::body_bytes() const {
  std::size_t bytes = 0;
  for (const auto& e : events) bytes += e.size();
  return body_size(events.size(), bytes);
}

std::string Batch::body() const {
  std::string out;
  out.reserve(body_bytes());
  out += kBodyOpen;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i > 0) out += ',';
    out += events[i];
  }
  out += kBodyClose;
  return out;
}

Batch make_batch(std::vector<std::string> events, std::mt19937_64& rng) {
  return Batch{std::move(events), random_uuid4(rng)};
}

std::pair<Batch, Batch> split_in_halves(Batch batch, std::mt19937_64& rng) {
  auto& all = batch.events;
  const auto middle = all.begin() + static_cast<std::ptrdiff_t>((all.size() + 1) / 2);
  std::vector<std::string> second(std::make_move_iterator(middle), std::make_move_iterator(all.end()));
  all.erase(middle, all.end());
  Batch first_half = make_batch(std::move(all), rng);
  Batch second_half = make_batch(std::move(second), rng);
  return {std::move(first_half), std::move(second_half)};
}

std::ostream& operator<<(std::ostream& os, const Batch& batch) {
  return os << "Batch{events=" << batch.events.size() << ", bytes=" << batch.body_bytes()
            << ", key=" << batch.idempotency_key << "}";
}

}  // namespace sluice::deliver

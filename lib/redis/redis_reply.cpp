#include "redis/redis_reply.hpp"

namespace sluice::redis {

const std::string* RedisReply::text() const {
  if (const auto* s = std::get_if<std::string>(&value)) return s;
  if (const auto* s = std::get_if<Status>(&value)) return &s->text;
  if (const auto* e = std::get_if<Error>(&value)) return &e->text;
  return nullptr;
}

std::optional<std::int64_t> RedisReply::as_integer() const {
  if (const auto* n = std::get_if<std::int64_t>(&value)) return *n;
  return std::nullopt;
}

const RedisReply::Array* RedisReply::as_array() const { return std::get_if<Array>(&value); }

namespace {

struct Printer {
  std::ostream& os;
  void operator()(const RedisReply::Status& s) const { os << "+" << s.text; }
  void operator()(const RedisReply::Error& e) const { os << "-" << e.text; }
  void operator()(std::int64_t n) const { os << ":" << n; }
  void operator()(const std::string& s) const { os << '"' << s << '"'; }
  void operator()(const RedisReply::Nil&) const { os << "(nil)"; }
  void operator()(const RedisReply::Array& items) const {
    os << "[";
    for (size_t i = 0; i < items.size(); ++i) os << (i ? ", " : "") << items[i];
    os << "]";
  }
};

}  // namespace

std::ostream& operator<<(std::ostream& os, const RedisReply& reply) {
  std::visit(Printer{os}, reply.value);
  return os;
}

}  // namespace sluice::redis

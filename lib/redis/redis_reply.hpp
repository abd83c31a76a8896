#pragma once
// RedisReply: one RESP2 reply as a plain value (status, error, integer, bulk
// string, nil, array). ReplyReader builds it directly from hiredis' parser
// callbacks, so no hiredis object outlives the read that produced it.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace sluice::redis {

struct RedisReply {
  struct Status {
    std::string text;
    bool operator==(const Status&) const = default;
  };
  struct Error {
    std::string text;
    bool operator==(const Error&) const = default;
  };
  struct Nil {
    bool operator==(const Nil&) const = default;
  };
  using Array = std::vector<RedisReply>;
  using Value = std::variant<Status, Error, std::int64_t, std::string, Nil, Array>;

  Value value = Nil{};

  static RedisReply status(std::string text) { return {Status{std::move(text)}}; }
  static RedisReply error(std::string text) { return {Error{std::move(text)}}; }
  static RedisReply integer(std::int64_t n) { return {n}; }
  static RedisReply bulk(std::string bytes) { return {std::move(bytes)}; }
  static RedisReply nil() { return {Nil{}}; }
  static RedisReply array(Array items) { return {std::move(items)}; }

  bool is_error() const { return std::holds_alternative<Error>(value); }
  // The text of a bulk string, status or error reply; nothing for other kinds.
  const std::string* text() const;
  std::optional<std::int64_t> as_integer() const;
  const Array* as_array() const;

  bool operator==(const RedisReply&) const = default;
};

std::ostream& operator<<(std::ostream& os, const RedisReply& reply);

}  // namespace sluice::redis

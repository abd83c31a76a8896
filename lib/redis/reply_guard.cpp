#include "redis/reply_guard.hpp"

#include <algorithm>
#include <charconv>

namespace sluice::redis {
namespace {

bool is_type_byte(char c) { return c == '+' || c == '-' || c == ':' || c == '$' || c == '*'; }

}  // namespace

RedisError ReplyGuard::refuse(RedisError::Kind kind, std::string message) {
  refused_ = RedisError{kind, std::move(message)};
  return *refused_;
}

std::optional<RedisError> ReplyGuard::scan(std::string_view bytes) {
  if (refused_) return refused_;
  std::size_t at = 0;
  while (at < bytes.size()) {
    switch (state_) {
      case State::type: {
        type_ = bytes[at];
        if (!in_reply_) {
          in_reply_ = true;
          reply_start_ = offset_ + at;
          reply_bytes_ = reply_elements_ = 0;
        }
        ++at;
        if (!is_type_byte(type_)) {
          return refuse(RedisError::Kind::protocol,
                        "invalid reply from server: byte " + std::to_string(static_cast<unsigned char>(type_)) +
                            " where a RESP2 type was expected");
        }
        if (auto refused = count_bytes(1)) return refused;
        header_.clear();
        line_cr_ = false;
        state_ = State::line;
        break;
      }
      case State::line: {
        const std::size_t taken = scan_line(bytes.substr(at));
        at += taken;
        if (refused_) return refused_;
        break;
      }
      case State::bulk: {
        const auto skipped = static_cast<std::size_t>(std::min<std::uint64_t>(bulk_left_, bytes.size() - at));
        at += skipped;
        bulk_left_ -= skipped;
        if (bulk_left_ == 0) element_done();
        break;
      }
    }
  }
  offset_ += bytes.size();
  return std::nullopt;
}

// Consumes line bytes up to and including the "\r\n" that ends the line
// (or all of `bytes`); how many it took.
std::size_t ReplyGuard::scan_line(std::string_view bytes) {
  const bool header = type_ == '$' || type_ == '*';
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\n' && line_cr_) {
      if (header) {
        header_.pop_back();  // the '\r'
      } else if (count_bytes(i + 1)) {
        return i + 1;
      }
      end_of_line();
      return i + 1;
    }
    line_cr_ = c == '\r';
    if (header) {
      if (header_.size() == kMaxHeaderChars) {
        refuse(RedisError::Kind::protocol, std::string("invalid reply from server: a '") + type_ +
                                               "' header longer than any length");
        return i + 1;
      }
      header_.push_back(c);
    }
  }
  // A status, error or integer line counts as it arrives: one that never
  // ends must not grow without bound.
  if (!header) count_bytes(bytes.size());
  return bytes.size();
}

std::optional<RedisError> ReplyGuard::count_bytes(std::uint64_t bytes) {
  reply_bytes_ += bytes;
  if (reply_bytes_ <= limits_.max_reply_bytes) return std::nullopt;
  return refuse(RedisError::Kind::too_large, "reply from server exceeds " + std::to_string(limits_.max_reply_bytes) +
                                                 " bytes (the message size limit and its overhead)");
}

std::optional<RedisError> ReplyGuard::end_of_line() {
  state_ = State::type;
  if (type_ != '$' && type_ != '*') {
    element_done();
    return std::nullopt;
  }
  long long declared = 0;
  const auto* end = header_.data() + header_.size();
  const auto parsed = std::from_chars(header_.data(), end, declared);
  if (header_.empty() || parsed.ec != std::errc{} || parsed.ptr != end || declared < -1) {
    return refuse(RedisError::Kind::protocol,
                  std::string("invalid reply from server: '") + type_ + "' header without a valid length");
  }
  if (auto refused = count_bytes(header_.size() + 2)) return refused;
  if (declared < 0 || (type_ == '*' && declared == 0)) {  // nil, or an empty array
    element_done();
    return std::nullopt;
  }
  const auto n = static_cast<std::uint64_t>(declared);
  if (type_ == '$') {
    if (n + 2 > limits_.max_reply_bytes - reply_bytes_) {
      return refuse(RedisError::Kind::too_large,
                    "reply from server declares a " + std::to_string(n) + "-byte string, over the limit of " +
                        std::to_string(limits_.max_reply_bytes) + " bytes per reply (the message size limit and its overhead)");
    }
    reply_bytes_ += n + 2;
    bulk_left_ = n + 2;
    state_ = State::bulk;
    return std::nullopt;
  }
  if (n > limits_.max_elements - reply_elements_) {
    return refuse(RedisError::Kind::too_large, "reply from server declares " + std::to_string(n) +
                                                   " array elements, over the limit of " +
                                                   std::to_string(limits_.max_elements) + " per reply");
  }
  if (open_.size() == kMaxDepth) {
    return refuse(RedisError::Kind::protocol, "invalid reply from server: arrays nested too deep");
  }
  reply_elements_ += n;
  open_.push_back(n);
  return std::nullopt;
}

void ReplyGuard::element_done() {
  state_ = State::type;
  while (!open_.empty()) {
    if (--open_.back() > 0) return;
    open_.pop_back();
  }
  in_reply_ = false;
  ++replies_;
}

}  // namespace sluice::redis

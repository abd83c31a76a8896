#include "observe/http_request.hpp"


namespace sluice::observe {

namespace http = boost::beast::http;

void limit_request(RequestParser& parser, std::uint32_t header_limit) {
  parser.header_limit(header_limit);
  // No body_limit: the body is never read; route_request answers 413 (or
  // 404/405 first) from the announced length, which is more telling.
}

RequestHead head_of(const RequestParser& parser) {
  const auto& message = parser.get();
  // The parser has validated Content-Length; reading the field avoids
  // boost::optional, which g++ 12 flags as maybe-uninitialized under ASan.
  const auto length = message[http::field::content_length];
  const bool has_body = parser.chunked() || (!length.empty() && length.find_first_not_of('0') != length.npos);
  return {std::string(message.method_string()), std::string(message.target()), has_body};
}

std::optional<Response> response_for_read_error(boost::system::error_code ec) {
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return error_response(431, "request header fields too large");
  }
  if (ec == http::error::end_of_stream || ec == boost::beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::bad_descriptor) {
    return std::nullopt;
  }
  if (ec == http::error::partial_message) return std::nullopt;  // peer closed mid-head
  return error_response(400, "bad request");
}

}  // namespace sluice::observe

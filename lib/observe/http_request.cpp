#include "observe/http_request.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace sluice::observe {

namespace http = boost::beast::http;

void limit_request(RequestParser& parser, std::uint32_t header_limit) {
  parser.header_limit(header_limit);
  // No body_limit: the body is never read; route_request answers 413 (or
  // 404/405 first) from the announced length, which is more telling.
}

RequestHead head_of(const RequestParser& parser) {
  const auto& message = parser.get();
  const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
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

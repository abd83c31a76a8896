#pragma once
// Reading a request head with Beast, still without sockets: the parser the
// health server uses (bounded header, no body) and what a read error means
// for the client (431 for an oversized head, 400 for garbage, or silence
// when the peer is simply gone).

#include <cstdint>
#include <optional>

#include "observe/beast_http.hpp"

#include "observe/http_routes.hpp"

namespace sluice::observe {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;

// Bounds the request head to `header_limit` bytes; bodies are never read.
void limit_request(RequestParser& parser, std::uint32_t header_limit);

// Method, target and whether a body was announced; needs a complete head.
RequestHead head_of(const RequestParser& parser);

// The response owed for a failed read, or none when the peer closed,
// went silent (timeout) or the server is stopping.
std::optional<Response> response_for_read_error(boost::system::error_code ec);

}  // namespace sluice::observe

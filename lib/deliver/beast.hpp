#pragma once
// The one way delivery code (and its test servers) includes Boost.Beast with
// TLS. g++ 12 at -O2 reports -Wnull-dereference inside Asio's scheduler once
// Beast's I/O is inlined; the warning is about Boost's code, not ours.

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include "common/asio.hpp"
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#pragma GCC diagnostic pop

namespace sluice {
namespace beast = boost::beast;
namespace http = boost::beast::http;
}  // namespace sluice

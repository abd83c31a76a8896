#pragma once
// The Beast HTTP headers the health server and --healthcheck use, included
// once here after common/asio.hpp. g++ 12 with -fsanitize reports
// -Wmaybe-uninitialized on a boost::optional inside Beast's parser
// (basic_parser.ipp, do_field); it is Boost's code, so it is silenced here
// only. (Worth moving to common/ when the deliver stage needs Beast too.)

#include "common/asio.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#pragma GCC diagnostic pop

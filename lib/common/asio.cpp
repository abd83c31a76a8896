// The compiled part of Boost.Asio (and its SSL support), built once here:
// the project defines BOOST_ASIO_SEPARATE_COMPILATION, so other translation
// units only declare Asio's non-template functions instead of compiling and
// inlining them each time. Part of libsluice, not of the pure core.

#include "common/asio.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#pragma GCC diagnostic pop

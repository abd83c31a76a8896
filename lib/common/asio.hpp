#pragma once
// The one way the project includes Boost.Asio. Boost 1.74's
// asio/awaitable.hpp uses std::exchange without including <utility>, which
// breaks with g++ 12 (docs/architecture.md §4): include it first, here, once.

#include <utility>

// g++ 12 at -O2 reports -Wnull-dereference inside Asio's scheduler
// (thread_call_stack in scheduler.ipp) once io_context code is inlined;
// the warning is about Boost's code, not ours, so it is silenced here only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#pragma GCC diagnostic pop

namespace sluice {
namespace asio = boost::asio;
}  // namespace sluice

// The compiled part of Boost.Beast, built once here: the project defines
// BOOST_BEAST_SEPARATE_COMPILATION, so the HTTP parser, field tables and
// error categories are compiled in this translation unit only.

#include "deliver/beast.hpp"

// g++ 12 with -fsanitize reports -Wmaybe-uninitialized on a boost::optional
// inside Beast's parser (basic_parser.ipp, do_field); it is Boost's code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/src.hpp>
#pragma GCC diagnostic pop

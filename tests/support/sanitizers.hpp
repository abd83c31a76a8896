#pragma once
// Whether the code under test (the tests and the sluiced they start share
// the build's flags) runs under AddressSanitizer. Its shadow memory and
// quarantine multiply the resident set, so bounds on a process's memory
// only mean something without it; they are checked in the normal build.

namespace sluice::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAddressSanitizer = true;
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif

}  // namespace sluice::testing

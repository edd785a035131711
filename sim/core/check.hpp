#pragma once
// DRSIM_CHECK: program bugs (not user input, not the modelled world failing) abort with where
// and why. Stays on in release builds: a wrong simulation that runs on is worse than a crash.
#include <cstdio>
#include <cstdlib>

#define DRSIM_CHECK(condition, message)                                                     \
  do {                                                                                      \
    if (__builtin_expect(!(condition), 0)) {                                                \
      std::fprintf(stderr, "drsim: internal error at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   message, #condition);                                                    \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)

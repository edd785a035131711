#pragma once
// Asking for a cold object's cache lines all at once, before code walks it field by field.
// Between two touches of one call's state a busy run handles thousands of other events, so the
// state is out of the first two cache levels; read in program order, each line costs a miss
// the next one waits behind. Requested together, the misses overlap.
#include <cstddef>
#include <cstdint>

namespace sim {

inline constexpr std::size_t kCacheLineBytes = 64;

enum class PrefetchFor { Read, Write };  // Write: the lines are about to be written (read for ownership)

// Every line of [object, object + bytes).
template <PrefetchFor purpose = PrefetchFor::Read>
inline void prefetch_lines(const void* object, std::size_t bytes) {
  const auto begin = reinterpret_cast<std::uintptr_t>(object) & ~(kCacheLineBytes - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(object) + bytes;
  for (std::uintptr_t line = begin; line < end; line += kCacheLineBytes) {
    __builtin_prefetch(reinterpret_cast<const void*>(line), purpose == PrefetchFor::Write ? 1 : 0);
  }
}

}  // namespace sim

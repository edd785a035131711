#pragma once
// Hash maps for lookups by string key (Call-IDs, legs, numbers) that the hot paths of a busy
// run make on every message: a tree of long string keys costs a cache miss and a compare per
// level. DESIGN.md rule 3: no unordered container whose iteration order reaches behaviour or
// output, so code must only find, insert and erase in these, never walk them in hash order.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

// Header-only, as fingerprint.cpp uses it: the hash must inline into every lookup.
#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

namespace sim {

// XXH3-64 of a short key (a Call-ID, a Via branch). Inlined, it costs about a third of
// std::hash's out-of-line murmur (std::_Hash_bytes) on keys of 16 to 48 bytes, and every
// message looks up several. Only which bucket a key lands in depends on it, never an order.
inline std::size_t hash_lookup_key(std::string_view key) {
  return static_cast<std::size_t>(XXH3_64bits(key.data(), key.size()));
}

// Transparent: a key viewed in a received message finds its entry without a std::string copy.
struct StringKeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return hash_lookup_key(key); }
};

template <class Value>
using StringLookupMap = std::unordered_map<std::string, Value, StringKeyHash, std::equal_to<>>;

}  // namespace sim

#pragma once
// Hash maps for lookups by string key (Call-IDs, legs, numbers) that the hot paths of a busy
// run make on every message. DESIGN.md rule 3: no unordered container whose iteration order
// reaches behaviour or output, so code must only find, insert and erase in these, never walk
// them in hash order (Abseil salts each table's order with its address: a walk would differ
// from run to run, not only from build to build).
//
// Abseil's Swiss tables (Debian's libabsl-dev) rather than std::unordered_map: a lookup there
// reads a bucket, the node before, the node and the key's bytes, each a likely cache miss on
// the state of a call last touched seconds (thousands of events) ago; a flat table reads a
// control byte group and the slot holding the key. The busy hour ran 8% faster (4.71 s to
// 4.31 s wall, nine rotated rounds), same fingerprint.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <absl/container/flat_hash_map.h>
#include <absl/container/node_hash_map.h>

#include "sim/core/lookup_key.hpp"

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

// Entries live in the table's slots and move when it grows: hold no reference or pointer to a
// value across an insertion. Meant for small values (numbers, pointers, keys). The key's bytes
// sit in the slot (LookupKey), so a hit costs the slot's cache line only.
template <class Value>
using StringLookupMap = absl::flat_hash_map<LookupKey, Value, StringKeyHash, std::equal_to<>>;

// Entries stay where they are until erased, for values other structures point to (a call
// indexed by a second key) or hold across an insertion.
template <class Value>
using StableStringLookupMap = absl::node_hash_map<LookupKey, Value, StringKeyHash, std::equal_to<>>;

// The same two for tables of calls by number: a tree of 1,800 live calls was 11 levels of nodes
// per lookup, the lower ones cache misses. Same rule: find, insert and erase, never a walk.
template <class Value>
using NumberLookupMap = absl::flat_hash_map<std::uint64_t, Value>;
template <class Value>
using StableNumberLookupMap = absl::node_hash_map<std::uint64_t, Value>;

}  // namespace sim

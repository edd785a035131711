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

namespace sim {

// Transparent: a key viewed in a received message finds its entry without a std::string copy.
struct StringKeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

template <class Value>
using StringLookupMap = std::unordered_map<std::string, Value, StringKeyHash, std::equal_to<>>;

}  // namespace sim

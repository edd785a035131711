#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>

#include "sim/core/lookup_key.hpp"
#include "sim/core/lookup_map.hpp"

namespace {

// Points into the object itself when the bytes are stored inline.
bool stored_inline(const sim::LookupKey& key) {
  const auto* begin = reinterpret_cast<const char*>(&key);
  return key.data() >= begin && key.data() < begin + sizeof key;
}

}  // namespace

TEST_CASE("a key of up to 47 bytes sits in the object, a longer one on the heap") {
  const std::string at_capacity(sim::LookupKey::kInlineCapacity, 'a');
  const std::string past_capacity(sim::LookupKey::kInlineCapacity + 1, 'b');
  const sim::LookupKey call_id("amer-12345@sip.pstnhub.microsoft.com");
  const sim::LookupKey short_enough(at_capacity);
  const sim::LookupKey too_long(past_capacity);
  CHECK(stored_inline(call_id));
  CHECK(stored_inline(short_enough));
  CHECK_FALSE(stored_inline(too_long));
  CHECK(call_id.view() == "amer-12345@sip.pstnhub.microsoft.com");
  CHECK(short_enough.view() == at_capacity);
  CHECK(too_long.view() == past_capacity);
  CHECK(sim::LookupKey().empty());
  CHECK(sim::LookupKey("").empty());
}

TEST_CASE("copies, moves and assignments keep the bytes, inline or on the heap") {
  for (const std::string& text : {std::string("z9hG4bK3d878e46.1"), std::string(200, 'x')}) {
    CAPTURE(text.size());
    sim::LookupKey original(text);
    sim::LookupKey copy(original);
    CHECK(copy == original);
    CHECK(copy.data() != original.data());  // a copy owns its bytes
    sim::LookupKey moved(std::move(copy));
    CHECK(moved.view() == text);
    sim::LookupKey assigned("other");
    assigned = original;
    CHECK(assigned.view() == text);
    assigned = sim::LookupKey("short");
    CHECK(assigned.view() == "short");
    assigned = std::move(moved);
    CHECK(assigned.view() == text);
    assigned = std::string_view("again");
    CHECK(assigned.view() == "again");
    const sim::LookupKey& alias = original;  // through a reference, as self-assignment happens
    original = alias;                         // in real code (and without clang's warning)
    CHECK(original.view() == text);
  }
}

TEST_CASE("keys compare and order as their text does") {
  const sim::LookupKey a("alpha");
  const sim::LookupKey b("beta");
  CHECK(a == std::string_view("alpha"));
  CHECK(a == std::string("alpha"));
  CHECK(std::string_view("alpha") == a);
  CHECK(a != b);
  CHECK(a < b);
  CHECK(std::string_view("alphabet") > a);
  CHECK(sim::LookupKey(std::string(60, 'z')) > b);
}

TEST_CASE("a lookup map finds, by a view, the keys it stores inline and on the heap") {
  sim::StringLookupMap<int> numbers;
  const std::string long_key(100, 'k');
  numbers.try_emplace(std::string_view("1@sbc1.contoso.com"), 1);
  numbers.try_emplace(std::string_view(long_key), 2);
  numbers.insert_or_assign(std::string("amer-1@sip.pstnhub.microsoft.com"), 3);
  CHECK(numbers.at(std::string_view("1@sbc1.contoso.com")) == 1);
  CHECK(numbers.at(std::string_view(long_key)) == 2);
  CHECK(numbers.at(std::string_view("amer-1@sip.pstnhub.microsoft.com")) == 3);
  CHECK_FALSE(numbers.contains(std::string_view("2@sbc1.contoso.com")));
  numbers.erase(std::string_view(long_key));
  CHECK_FALSE(numbers.contains(std::string_view(long_key)));
  CHECK(numbers.size() == 2);
}

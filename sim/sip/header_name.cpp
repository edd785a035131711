#include "sim/sip/header_name.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "sim/sip/sip_text.hpp"

namespace sip {
namespace {

HeaderId compact(char c) {
  // RFC 3261 §7.3.3 plus the compact forms registered later (RFC 3515 r, RFC 3892 b, RFC 4028 x,
  // RFC 3841 a, RFC 6665 o/u, RFC 8224 y).
  switch (to_lower(c)) {
    case 'a': return HeaderId::AcceptContact;
    case 'b': return HeaderId::ReferredBy;
    case 'c': return HeaderId::ContentType;
    case 'e': return HeaderId::ContentEncoding;
    case 'f': return HeaderId::From;
    case 'i': return HeaderId::CallId;
    case 'k': return HeaderId::Supported;
    case 'l': return HeaderId::ContentLength;
    case 'm': return HeaderId::Contact;
    case 'o': return HeaderId::Event;
    case 'r': return HeaderId::ReferTo;
    case 's': return HeaderId::Subject;
    case 't': return HeaderId::To;
    case 'u': return HeaderId::AllowEvents;
    case 'v': return HeaderId::Via;
    case 'x': return HeaderId::SessionExpires;
    case 'y': return HeaderId::IdentityHeader;
    default: return HeaderId::Unknown;
  }
}

// Every known name in a 128-slot table, placed by a hash of its length and lower-case first
// and last letters that puts no two names in one slot (checked below). A lookup is one slot:
// the id, the length and the name's bytes sit together, so it costs one dependent load rather
// than a bucket and then a name. It runs once per header line of every parsed message.
constexpr std::size_t kLongestName = 19;  // "P-Asserted-Identity"
constexpr std::size_t kSlots = 128;

constexpr std::size_t slot_of(std::size_t length, char first, char last) {
  // The multipliers were searched for: the smallest that separate all known names.
  return (length * 2 + static_cast<unsigned char>(first | 0x20) * 51u + static_cast<unsigned char>(last | 0x20)) &
         (kSlots - 1);
}

struct NameSlot {
  char lower_case[kLongestName + 1] = {};  // the name in lower case, to fold one side only
  // 0x20 where the name has a letter, 0 elsewhere: OR-ing it into the input folds exactly the
  // letters, so a whole word compares case-insensitively and '-' still matches only '-'.
  char case_bits[kLongestName + 1] = {};
  std::uint8_t length = 0;  // 0: no name here
  HeaderId id = HeaderId::Unknown;
};

struct NameTable {
  NameSlot slots[kSlots] = {};
  bool collided = false;  // two names share a slot, or one is too long (checked below)

  constexpr NameTable() {
    for (std::size_t i = 1; i < kCanonicalNames.size(); ++i) {
      const std::string_view name = kCanonicalNames[i];
      if (name.size() > kLongestName || name.size() < 2) {
        collided = true;
        continue;
      }
      NameSlot& slot = slots[slot_of(name.size(), name.front(), name.back())];
      if (slot.length != 0) collided = true;
      for (std::size_t k = 0; k < name.size(); ++k) {
        slot.lower_case[k] = to_lower(name[k]);
        slot.case_bits[k] = is_alpha(name[k]) ? 0x20 : 0;
      }
      slot.length = static_cast<std::uint8_t>(name.size());
      slot.id = static_cast<HeaderId>(i);
    }
  }
};
constexpr NameTable kNameTable{};
static_assert(!kNameTable.collided, "search new multipliers for slot_of: two header names share a slot");

template <class Word>
bool word_matches(const char* name, const char* lower, const char* bits) {
  Word input;
  Word expected;
  Word fold;
  std::memcpy(&input, name, sizeof(Word));
  std::memcpy(&expected, lower, sizeof(Word));
  std::memcpy(&fold, bits, sizeof(Word));
  return (input | fold) == expected;
}

// Case-insensitive comparison of `size` bytes with a known name: whole words, the last one
// overlapping the previous, as names are 2 to 19 bytes long.
bool matches_known_name(const char* name, std::size_t size, const NameSlot& known) {
  const char* lower = known.lower_case;
  const char* bits = known.case_bits;
  if (size >= 8) {
    for (std::size_t k = 0; k + 8 < size; k += 8) {
      if (!word_matches<std::uint64_t>(name + k, lower + k, bits + k)) return false;
    }
    return word_matches<std::uint64_t>(name + size - 8, lower + size - 8, bits + size - 8);
  }
  if (size >= 4) {
    return word_matches<std::uint32_t>(name, lower, bits) &&
           word_matches<std::uint32_t>(name + size - 4, lower + size - 4, bits + size - 4);
  }
  return word_matches<std::uint16_t>(name, lower, bits) &&
         word_matches<std::uint16_t>(name + size - 2, lower + size - 2, bits + size - 2);
}

}  // namespace

HeaderId header_id(std::string_view name) {
  if (name.size() == 1) return compact(name[0]);
  if (name.size() < 2 || name.size() > kLongestName) return HeaderId::Unknown;
  const NameSlot& slot = kNameTable.slots[slot_of(name.size(), name.front(), name.back())];
  if (slot.length != name.size() || !matches_known_name(name.data(), name.size(), slot)) return HeaderId::Unknown;
  return slot.id;
}

}  // namespace sip

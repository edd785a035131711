#pragma once
// Character classes and small text helpers shared by the SIP codec. RFC 3261 §25.1 defines the
// classes; everything here is ASCII-only on purpose (SIP names are ASCII, values are opaque UTF-8).
#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sip {

// A byte range inside a message's owned buffer. Offsets rather than pointers, so a Message can be
// copied or moved without fixing anything up.
struct Range {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;

  bool empty() const { return length == 0; }
  std::string_view in(std::string_view base) const { return base.substr(offset, length); }
  friend bool operator==(const Range&, const Range&) = default;
};

// text[from, from + length) and text[from, end) where the caller knows the range lies inside
// `text`: on the parser's hot paths substr's range check and out-of-line call cost more than
// the parsing around them.
inline std::string_view slice(std::string_view text, std::size_t from, std::size_t length) {
  return std::string_view(text.data() + from, length);
}
inline std::string_view slice_from(std::string_view text, std::size_t from) {
  return std::string_view(text.data() + from, text.size() - from);
}

inline Range range_of(std::string_view base, std::string_view part) {
  return Range{static_cast<std::uint32_t>(part.data() - base.data()),
               static_cast<std::uint32_t>(part.size())};
}

constexpr bool is_ws(char c) { return c == ' ' || c == '\t'; }
constexpr bool is_lws_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
constexpr bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Character classes as one table lookup each: the parser spends most of its time in these
// loops. Bits: token (§25.1 token), user (unreserved / user-unreserved / '%'), param (paramchar
// plus '='), uri_header (hnv-unreserved / unreserved / '%' '=' '&'), hostname (alphanum / '-' /
// '.', the characters of §25.1 hostname).
enum CharClass : std::uint8_t {
  kTokenChar = 1,
  kUserChar = 2,
  kParamChar = 4,
  kUriHeaderChar = 8,
  kHostnameChar = 16,
};

struct CharTable {
  std::uint8_t bits[256] = {};
  constexpr CharTable() {
    for (int c = 0; c < 256; ++c) {
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (alnum) bits[c] = kTokenChar | kUserChar | kParamChar | kUriHeaderChar | kHostnameChar;
    }
    for (char c : std::string_view("-.")) bits[static_cast<unsigned char>(c)] |= kHostnameChar;
    for (char c : std::string_view("-.!%*_+`'~")) bits[static_cast<unsigned char>(c)] |= kTokenChar;
    // unreserved marks (§25.1 mark) are in every URI class
    for (char c : std::string_view("-_.!~*'()%")) {
      bits[static_cast<unsigned char>(c)] |= kUserChar | kParamChar | kUriHeaderChar;
    }
    for (char c : std::string_view("&=+$,;?/")) bits[static_cast<unsigned char>(c)] |= kUserChar;
    for (char c : std::string_view("[]/:&+$=")) bits[static_cast<unsigned char>(c)] |= kParamChar;
    for (char c : std::string_view("[]/?:+$=&")) bits[static_cast<unsigned char>(c)] |= kUriHeaderChar;
  }
};
inline constexpr CharTable kCharTable{};

inline bool has_class(char c, std::uint8_t bits) {
  return (kCharTable.bits[static_cast<unsigned char>(c)] & bits) != 0;
}

// token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")  (§25.1)
inline bool is_token_char(char c) { return has_class(c, kTokenChar); }

// ---- Scanning runs of one character class, 16 bytes at a time ----
// A byte-at-a-time loop costs a branch misprediction where each run ends (hosts, parameters and
// header names all differ in length); a 16-byte compare finds the end with one movemask. Each
// class below is the table class of the same name, as SSE2 range and equality tests (a test in
// tests/sim/sip checks all 256 bytes against the table).
#if defined(__SSE2__)
namespace simd {
// 0xFF where `bytes` lies in [low, high]: shifted to the bottom of the signed range, one compare.
inline __m128i in_range(__m128i bytes, char low, char high) {
  const __m128i shifted = _mm_add_epi8(bytes, _mm_set1_epi8(static_cast<char>(0x80 - low)));
  return _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(-128 + (high - low + 1))));
}
inline __m128i equal(__m128i bytes, char c) { return _mm_cmpeq_epi8(bytes, _mm_set1_epi8(c)); }
inline __m128i alphanumeric(__m128i bytes) {
  return _mm_or_si128(in_range(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), 'a', 'z'), in_range(bytes, '0', '9'));
}
}  // namespace simd
#endif

struct HostnameClass {  // alphanum / "-" / "."
  static bool byte(char c) { return has_class(c, kHostnameChar); }
#if defined(__SSE2__)
  static __m128i chunk(__m128i bytes) {
    return _mm_or_si128(simd::alphanumeric(bytes), simd::in_range(bytes, '-', '.'));
  }
#endif
};

struct TokenClass {  // kTokenChar
  static bool byte(char c) { return has_class(c, kTokenChar); }
#if defined(__SSE2__)
  static __m128i chunk(__m128i bytes) {
    using namespace simd;
    const __m128i ranges = _mm_or_si128(_mm_or_si128(in_range(bytes, '*', '+'), in_range(bytes, '-', '.')),
                                        in_range(bytes, '_', '`'));
    const __m128i singles = _mm_or_si128(_mm_or_si128(equal(bytes, '!'), equal(bytes, '%')),
                                         _mm_or_si128(equal(bytes, '\''), equal(bytes, '~')));
    return _mm_or_si128(alphanumeric(bytes), _mm_or_si128(ranges, singles));
  }
#endif
};

struct TokenOrColonClass {  // a header parameter's token or host value (§25.1 gen-value)
  static bool byte(char c) { return c == ':' || has_class(c, kTokenChar); }
#if defined(__SSE2__)
  static __m128i chunk(__m128i bytes) { return _mm_or_si128(TokenClass::chunk(bytes), simd::equal(bytes, ':')); }
#endif
};

struct ParamClass {  // kParamChar: "$" to "+", "-" to ":" (with the digits) and six singles
  static bool byte(char c) { return has_class(c, kParamChar); }
#if defined(__SSE2__)
  static __m128i chunk(__m128i bytes) {
    using namespace simd;
    const __m128i letters = in_range(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), 'a', 'z');
    const __m128i ranges = _mm_or_si128(in_range(bytes, '$', '+'), in_range(bytes, '-', ':'));
    const __m128i singles = _mm_or_si128(_mm_or_si128(_mm_or_si128(equal(bytes, '!'), equal(bytes, '=')),
                                                      _mm_or_si128(equal(bytes, '['), equal(bytes, ']'))),
                                         _mm_or_si128(equal(bytes, '_'), equal(bytes, '~')));
    return _mm_or_si128(letters, _mm_or_si128(ranges, singles));
  }
#endif
};

struct UserOrColonClass {  // kUserChar plus ':' (userinfo = user [ ":" password ], §25.1)
  static bool byte(char c) { return c == ':' || has_class(c, kUserChar); }
#if defined(__SSE2__)
  static __m128i chunk(__m128i bytes) {
    using namespace simd;
    // "$" to "/" are all user characters, and "0" to ":" are the digits and the colon.
    const __m128i letters = in_range(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), 'a', 'z');
    const __m128i ranges = _mm_or_si128(in_range(bytes, '$', '/'), in_range(bytes, '0', ':'));
    const __m128i singles = _mm_or_si128(_mm_or_si128(_mm_or_si128(equal(bytes, '!'), equal(bytes, ';')),
                                                      _mm_or_si128(equal(bytes, '='), equal(bytes, '?'))),
                                         _mm_or_si128(equal(bytes, '_'), equal(bytes, '~')));
    return _mm_or_si128(letters, _mm_or_si128(ranges, singles));
  }
#endif
};

struct NotLwsClass {  // anything but SP, HTAB, CR, LF
  static bool byte(char c) { return !is_lws_char(c); }
#if defined(__SSE2__)
  static __m128i chunk(__m128i bytes) {
    using namespace simd;
    const __m128i lws = _mm_or_si128(_mm_or_si128(equal(bytes, ' '), equal(bytes, '\t')),
                                     _mm_or_si128(equal(bytes, '\r'), equal(bytes, '\n')));
    return _mm_xor_si128(lws, _mm_set1_epi8(static_cast<char>(0xFF)));
  }
#endif
};

// First byte in [from, end) outside `Class`, or `end`. Bytes up to `readable_end` (the end of
// the buffer `from` lies in) may be loaded, so a short run still takes one 16-byte compare.
template <class Class>
inline const char* skip_class(const char* from, const char* end, const char* readable_end) {
#if defined(__SSE2__)
  while (from < end && readable_end - from >= 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from));
    const unsigned outside = ~static_cast<unsigned>(_mm_movemask_epi8(Class::chunk(chunk))) & 0xFFFFu;
    if (outside != 0) {
      const char* hit = from + __builtin_ctz(outside);
      return hit < end ? hit : end;
    }
    from += 16;
  }
  if (from >= end) return end;  // the last chunk ran past `end` inside the class
#endif
  while (from < end && Class::byte(*from)) ++from;
  return from;
}

// First `byte` in [from, end), or `end`. Header lines and URI pieces are a few dozen bytes: an
// inline compare of 64 bytes at once beats a call to memchr, whose setup dominates at these
// lengths, and finds most of them without the mispredicted exit of a loop whose trip count
// differs each time. Bytes up to `readable_end` (the end of the buffer `from` lies in) may be
// loaded, so a short range still takes one wide compare.
inline const char* find_byte(const char* from, const char* end, const char* readable_end, char byte) {
#if defined(__SSE2__)
  const __m128i wanted = _mm_set1_epi8(byte);
  const auto hits_at = [&](int offset) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + offset));
    return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, wanted))));
  };
  while (from < end && readable_end - from >= 64) {
    const std::uint64_t hits = hits_at(0) | (hits_at(16) << 16) | (hits_at(32) << 32) | (hits_at(48) << 48);
    if (hits != 0) {
      const char* hit = from + __builtin_ctzll(hits);
      return hit < end ? hit : end;
    }
    from += 64;
  }
  while (from < end && readable_end - from >= 16) {
    const std::uint64_t hits = hits_at(0);
    if (hits != 0) {
      const char* hit = from + __builtin_ctzll(hits);
      return hit < end ? hit : end;
    }
    from += 16;
  }
  if (from >= end) return end;
#endif
  while (from < end && *from != byte) ++from;
  return from;
}

inline const char* find_byte(const char* from, const char* end, char byte) {
  return find_byte(from, end, end, byte);
}

// std::string_view::find for one byte, through find_byte; `readable_end` as above (nullptr:
// the end of `text`).
inline std::size_t find_byte(std::string_view text, char byte, std::size_t from = 0,
                             const char* readable_end = nullptr) {
  if (from >= text.size()) return std::string_view::npos;
  const char* end = text.data() + text.size();
  const char* hit = find_byte(text.data() + from, end, readable_end != nullptr ? readable_end : end, byte);
  return hit == end ? std::string_view::npos : static_cast<std::size_t>(hit - text.data());
}


inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

inline bool iends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && iequals(text.substr(text.size() - suffix.size()), suffix);
}

// Strips SP, HTAB, CR and LF on both sides (LWS, §25.1, after unfolding).
inline std::string_view trim_lws(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_lws_char(text[begin])) ++begin;
  while (end > begin && is_lws_char(text[end - 1])) --end;
  return std::string_view(text.data() + begin, end - begin);  // in range: no substr check
}

inline bool is_all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// Parses 1*DIGIT into a value no larger than `limit`; false on any other character or overflow.
inline bool parse_bounded_uint(std::string_view text, std::uint64_t limit, std::uint64_t& out) {
  if (text.empty()) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > limit) return false;
  }
  out = value;
  return true;
}

// Reads the 1*DIGIT port starting at text[position] (RFC 3261 §25.1: port = 1*DIGIT, and it
// must fit 16 bits); advances `position` past the digits. False if there are none or too many.
inline bool parse_port_digits(std::string_view text, std::size_t& position, std::uint16_t& port) {
  // One pass: digits are accumulated while they are found, saturating above 65535.
  const std::size_t start = position;
  std::uint32_t value = 0;
  while (position < text.size() && is_digit(text[position])) {
    value = value * 10 + static_cast<std::uint32_t>(text[position] - '0');
    if (value > 65535) value = 65536;
    ++position;
  }
  if (position == start || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

// Splits a header value at top-level commas: commas inside quoted strings or <...> do not count
// (§7.3.1: "each of which is separated by commas" only applies to the list grammar). Calls
// `visit(std::string_view element)` with each untrimmed element; returns false if a quote or
// angle bracket is left open, which is a syntax error for every list header. `readable_end` as
// for find_byte.
template <class Visit>
bool split_top_level_commas(std::string_view value, Visit&& visit, const char* readable_end = nullptr) {
  if (find_byte(value, ',', 0, readable_end) == std::string_view::npos) {
    // Most values hold one element; its own parser reports an unclosed quote or '<'.
    visit(value);
    return true;
  }
  std::size_t start = 0;
  bool in_quotes = false;
  bool in_angle = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (in_quotes) {
      if (c == '\\' && i + 1 < value.size()) {
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (in_angle) {
      if (c == '>') in_angle = false;
    } else if (c == '<') {
      in_angle = true;
    } else if (c == ',') {
      if (!visit(value.substr(start, i - start))) return true;
      start = i + 1;
    }
  }
  if (in_quotes || in_angle) return false;
  visit(value.substr(start));
  return true;
}

}  // namespace sip

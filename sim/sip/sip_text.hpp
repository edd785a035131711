#pragma once
// Character classes and small text helpers shared by the SIP codec. RFC 3261 §25.1 defines the
// classes; everything here is ASCII-only on purpose (SIP names are ASCII, values are opaque UTF-8).
#include <cstddef>
#include <cstdint>
#include <string_view>

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

inline Range range_of(std::string_view base, std::string_view part) {
  return Range{static_cast<std::uint32_t>(part.data() - base.data()),
               static_cast<std::uint32_t>(part.size())};
}

inline bool is_ws(char c) { return c == ' ' || c == '\t'; }
inline bool is_lws_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
inline bool is_hex(char c) {
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
  return text.substr(begin, end - begin);
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
  const std::size_t start = position;
  while (position < text.size() && is_digit(text[position])) ++position;
  std::uint64_t value = 0;
  if (!parse_bounded_uint(text.substr(start, position - start), 65535, value)) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

// Splits a header value at top-level commas: commas inside quoted strings or <...> do not count
// (§7.3.1: "each of which is separated by commas" only applies to the list grammar). Calls
// `visit(std::string_view element)` with each untrimmed element; returns false if a quote or
// angle bracket is left open, which is a syntax error for every list header.
template <class Visit>
bool split_top_level_commas(std::string_view value, Visit&& visit) {
  if (value.find(',') == std::string_view::npos) {
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

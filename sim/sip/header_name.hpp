#pragma once
// Header names the stack knows, their compact forms (RFC 3261 §7.3.3, §20 and the IANA registry)
// and their canonical spelling for output.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sip {

enum class HeaderId : std::uint8_t {
  Unknown,
  Accept,
  AcceptContact,       // a
  Allow,
  AllowEvents,         // u
  Authorization,
  CallId,              // i
  Contact,             // m
  ContentEncoding,     // e
  ContentLength,       // l
  ContentType,         // c
  CSeq,
  Date,
  Event,               // o
  Expires,
  From,                // f
  HistoryInfo,
  IdentityHeader,      // y
  MaxForwards,
  MinSE,
  PAssertedIdentity,
  ProxyRequire,
  Reason,
  RecordRoute,
  ReferTo,             // r
  ReferredBy,          // b
  Replaces,
  Require,
  RetryAfter,
  Route,
  Server,
  SessionExpires,      // x
  Subject,             // s
  Supported,           // k
  To,                  // t
  Unsupported,
  UserAgent,
  Via,                 // v
  Count
};

// Case-insensitive lookup of a full or compact name; Unknown for anything else.
HeaderId header_id(std::string_view name);
// Canonical long-form spellings by id; the serializer writes one per header line, so the
// lookup is inline.
inline constexpr std::array<std::string_view, static_cast<std::size_t>(HeaderId::Count)> kCanonicalNames = {
    "",                  "Accept",         "Accept-Contact",  "Allow",
    "Allow-Events",      "Authorization",  "Call-ID",         "Contact",
    "Content-Encoding",  "Content-Length", "Content-Type",    "CSeq",
    "Date",              "Event",          "Expires",         "From",
    "History-Info",      "Identity",       "Max-Forwards",    "Min-SE",
    "P-Asserted-Identity", "Proxy-Require", "Reason",         "Record-Route",
    "Refer-To",          "Referred-By",    "Replaces",        "Require",
    "Retry-After",       "Route",          "Server",          "Session-Expires",
    "Subject",           "Supported",      "To",              "Unsupported",
    "User-Agent",        "Via"};

// Canonical long-form spelling ("Call-ID", "CSeq"); empty for Unknown.
inline std::string_view canonical_name(HeaderId id) { return kCanonicalNames[static_cast<std::size_t>(id)]; }

}  // namespace sip

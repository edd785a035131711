#pragma once
// Header names the stack knows, their compact forms (RFC 3261 §7.3.3, §20 and the IANA registry)
// and their canonical spelling for output.
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
// Canonical long-form spelling ("Call-ID", "CSeq"); empty for Unknown.
std::string_view canonical_name(HeaderId id);

}  // namespace sip

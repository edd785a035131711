#include "sim/sip/header_name.hpp"

#include <array>

#include "sim/sip/sip_text.hpp"

namespace sip {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(HeaderId::Count)> kNames = {
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

}  // namespace

HeaderId header_id(std::string_view name) {
  if (name.size() == 1) return compact(name[0]);
  if (name.empty()) return HeaderId::Unknown;
  // Dispatch on the first letter so the hot path compares against a handful of names only.
  const auto is = [&](HeaderId id) { return iequals(kNames[static_cast<std::size_t>(id)], name); };
  switch (to_lower(name[0])) {
    case 'a':
      for (HeaderId id : {HeaderId::Allow, HeaderId::Accept, HeaderId::AcceptContact, HeaderId::AllowEvents,
                          HeaderId::Authorization}) {
        if (is(id)) return id;
      }
      break;
    case 'c':
      for (HeaderId id : {HeaderId::CallId, HeaderId::CSeq, HeaderId::Contact, HeaderId::ContentLength,
                          HeaderId::ContentType, HeaderId::ContentEncoding}) {
        if (is(id)) return id;
      }
      break;
    case 'd': if (is(HeaderId::Date)) return HeaderId::Date; break;
    case 'e':
      if (is(HeaderId::Event)) return HeaderId::Event;
      if (is(HeaderId::Expires)) return HeaderId::Expires;
      break;
    case 'f': if (is(HeaderId::From)) return HeaderId::From; break;
    case 'h': if (is(HeaderId::HistoryInfo)) return HeaderId::HistoryInfo; break;
    case 'i': if (is(HeaderId::IdentityHeader)) return HeaderId::IdentityHeader; break;
    case 'm':
      if (is(HeaderId::MaxForwards)) return HeaderId::MaxForwards;
      if (is(HeaderId::MinSE)) return HeaderId::MinSE;
      break;
    case 'p':
      if (is(HeaderId::PAssertedIdentity)) return HeaderId::PAssertedIdentity;
      if (is(HeaderId::ProxyRequire)) return HeaderId::ProxyRequire;
      break;
    case 'r':
      for (HeaderId id : {HeaderId::RecordRoute, HeaderId::Route, HeaderId::Require, HeaderId::Reason,
                          HeaderId::ReferTo, HeaderId::ReferredBy, HeaderId::Replaces, HeaderId::RetryAfter}) {
        if (is(id)) return id;
      }
      break;
    case 's':
      for (HeaderId id : {HeaderId::Supported, HeaderId::SessionExpires, HeaderId::Server, HeaderId::Subject}) {
        if (is(id)) return id;
      }
      break;
    case 't': if (is(HeaderId::To)) return HeaderId::To; break;
    case 'u':
      if (is(HeaderId::UserAgent)) return HeaderId::UserAgent;
      if (is(HeaderId::Unsupported)) return HeaderId::Unsupported;
      break;
    case 'v': if (is(HeaderId::Via)) return HeaderId::Via; break;
    default: break;
  }
  return HeaderId::Unknown;
}

std::string_view canonical_name(HeaderId id) { return kNames[static_cast<std::size_t>(id)]; }

}  // namespace sip

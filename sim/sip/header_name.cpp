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

// Every known name, bucketed by length and lower-case initial: a lookup compares the name with
// at most two candidates. It runs once per header line of every parsed message.
constexpr std::size_t kLongestName = 19;  // "P-Asserted-Identity"
constexpr std::size_t kBucketSize = 2;

struct NameBuckets {
  HeaderId candidates[kLongestName + 1][26][kBucketSize] = {};
  char lower_case[kNames.size()][kLongestName] = {};  // each name in lower case, to fold one side only
  bool overflowed = false;  // a bucket needs more than kBucketSize names (checked below)

  constexpr NameBuckets() {
    for (std::size_t i = 1; i < kNames.size(); ++i) {
      const std::string_view name = kNames[i];
      for (std::size_t k = 0; k < name.size() && k < kLongestName; ++k) lower_case[i][k] = to_lower(name[k]);
      if (name.size() > kLongestName || to_lower(name[0]) < 'a' || to_lower(name[0]) > 'z') {
        overflowed = true;
        continue;
      }
      HeaderId* bucket = candidates[name.size()][to_lower(name[0]) - 'a'];
      std::size_t used = 0;
      while (used < kBucketSize && bucket[used] != HeaderId::Unknown) ++used;
      if (used == kBucketSize) {
        overflowed = true;
      } else {
        bucket[used] = static_cast<HeaderId>(i);
      }
    }
  }
};
constexpr NameBuckets kBuckets{};
static_assert(!kBuckets.overflowed, "raise kLongestName or kBucketSize for the new header name");

}  // namespace

HeaderId header_id(std::string_view name) {
  if (name.size() == 1) return compact(name[0]);
  if (name.empty() || name.size() > kLongestName) return HeaderId::Unknown;
  const char initial = to_lower(name[0]);
  if (initial < 'a' || initial > 'z') return HeaderId::Unknown;
  for (HeaderId candidate : kBuckets.candidates[name.size()][initial - 'a']) {
    if (candidate == HeaderId::Unknown) break;
    const char* lower = kBuckets.lower_case[static_cast<std::size_t>(candidate)];
    std::size_t k = 1;  // the initial already matched
    while (k < name.size() && to_lower(name[k]) == lower[k]) ++k;
    if (k == name.size()) return candidate;
  }
  return HeaderId::Unknown;
}

std::string_view canonical_name(HeaderId id) { return kNames[static_cast<std::size_t>(id)]; }

}  // namespace sip

#pragma once
// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966), and any other scheme kept whole as an
// absolute URI (RFC 4475 §3.3.2 expects those to parse). Parsing records ranges into the text it
// was given, never copies: a Uri is a view, valid as long as that text is.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/core/result.hpp"
#include "sim/sip/sip_text.hpp"

namespace sip {

enum class UriScheme : std::uint8_t { Sip, Sips, Tel, Other };
// The Direct Routing rules need to know whether a host is an address or a name (a Contact with
// an IP is refused), so the parser classifies it instead of leaving that to string guessing.
enum class HostKind : std::uint8_t { None, Fqdn, Ipv4, Ipv6 };

// Where and why a header value failed to parse. `at` points into the parsed text; the message
// parser turns it into line and column. Reasons are static strings: no allocation on failure.
struct FieldError {
  const char* at = nullptr;
  const char* reason = "";
  bool wrong_version = false;  // a Via whose sent-protocol is not SIP/2.0
};

// Records where and why a field parser gave up; returns false so parsers can `return fail(...)`.
inline bool fail(FieldError& error, const char* at, const char* reason) {
  error.at = at;
  error.reason = reason;
  return false;
}

struct UriParts {
  Range text;
  Range scheme;
  Range user;      // raw, still escaped; for tel: the number
  Range password;
  Range host;      // for IPv6 without the brackets
  Range params;    // after the first ';', without it
  Range headers;   // after '?', without it
  std::uint16_t port = 0;
  bool has_port = false;
  bool has_at = false;  // userinfo "@" present (the user may still be empty, see below)
  UriScheme scheme_kind = UriScheme::Other;
  HostKind host_kind = HostKind::None;
};

// Parses `text` (a sub-view of `base`) into ranges relative to `base`. False on a syntax error.
// An empty user before "@" is accepted here: RFC 3261 §19.1.1 forbids it, but the Direct Routing
// lint must be able to name that rule, so the check lives in the rules, not the grammar.
bool parse_uri_parts(std::string_view base, std::string_view text, UriParts& out,
                     FieldError& error);

// Finds a ';'-separated parameter by case-insensitive name. LWS around ';' and '=' is tolerated
// (header parameters allow it, §7.3.1). A flag parameter yields an empty value; absent: nullopt.
std::optional<std::string_view> find_param(std::string_view params, std::string_view name);
// Finds an '&'-separated URI header ("?Reason=...&x=y", §19.1.1) by case-insensitive name.
std::optional<std::string_view> find_uri_header(std::string_view headers, std::string_view name);

// %XX decoding, exactly once (RFC 4475 §3.1.1.3: "v%61lue%25%34%31" -> "value%41").
std::string unescape(std::string_view text);

class Uri {
 public:
  Uri() = default;
  Uri(std::string_view base, const UriParts& parts) : base_(base), parts_(parts) {}

  std::string_view text() const { return parts_.text.in(base_); }
  std::string_view scheme() const { return parts_.scheme.in(base_); }
  UriScheme scheme_kind() const { return parts_.scheme_kind; }
  bool is_sip() const {
    return parts_.scheme_kind == UriScheme::Sip || parts_.scheme_kind == UriScheme::Sips;
  }
  bool has_user() const { return parts_.has_at || parts_.scheme_kind == UriScheme::Tel; }
  std::string_view user() const { return parts_.user.in(base_); }
  std::string user_unescaped() const { return unescape(user()); }
  std::string_view password() const { return parts_.password.in(base_); }
  std::string_view host() const { return parts_.host.in(base_); }
  HostKind host_kind() const { return parts_.host_kind; }
  bool host_is_ip() const {
    return parts_.host_kind == HostKind::Ipv4 || parts_.host_kind == HostKind::Ipv6;
  }
  std::optional<std::uint16_t> port() const {
    return parts_.has_port ? std::optional<std::uint16_t>(parts_.port) : std::nullopt;
  }
  std::string_view params() const { return parts_.params.in(base_); }
  std::optional<std::string_view> param(std::string_view name) const {
    return find_param(params(), name);
  }
  bool has_param(std::string_view name) const { return param(name).has_value(); }
  std::string_view headers() const { return parts_.headers.in(base_); }
  std::optional<std::string_view> header(std::string_view name) const {
    return find_uri_header(headers(), name);
  }
  const UriParts& parts() const { return parts_; }

 private:
  std::string_view base_;
  UriParts parts_;
};

// Standalone parse; the returned view points into `text`.
sim::Result<Uri, std::string> parse_uri(std::string_view text);

// Host helpers used by the URI, Via and SDP parsers.
HostKind classify_host(std::string_view host);  // host without brackets; None when invalid
// classify_host for a host already known to hold only hostname characters (alphanum, '-', '.'):
// the parsers learn that while finding where the host ends, so they skip the second pass.
HostKind classify_hostname_chars(std::string_view host);
bool is_ipv4_address(std::string_view text);
bool is_ipv6_address(std::string_view text);

}  // namespace sip

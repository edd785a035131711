#include "sim/sip/uri.hpp"

#include <algorithm>

namespace sip {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool is_param_char(char c) { return has_class(c, kParamChar); }
bool is_header_char(char c) { return has_class(c, kUriHeaderChar); }

bool escapes_well_formed(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return false;
      if (!is_hex(text[i + 1]) || !is_hex(text[i + 2])) return false;
      i += 2;
    }
  }
  return true;
}

// uri-parameters (§19.1.1) and RFC 3966 par share one grammar: ';'-separated, none empty, each
// byte a paramchar. `params` is the text after the first ';'.
bool check_uri_params(std::string_view params, FieldError& error) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= params.size(); ++i) {
    if (i == params.size() || params[i] == ';') {
      if (i == start) return fail(error, params.data() + i, "empty URI parameter");
      start = i + 1;
    } else if (!is_param_char(params[i])) {
      return fail(error, params.data() + i, "character not allowed in a URI parameter");
    }
  }
  return true;
}

// One pass over a userinfo (§25.1 userinfo = user [ ":" password ]) for what three scans would
// find: the first byte that is neither a user character nor ':' (`stop`, or the end), the
// first ':' and whether a '%' escape occurs before `stop`.
struct UserinfoScan {
  const char* stop;
  const char* first_colon;  // the end when there is none
  bool has_escape;
};

UserinfoScan scan_userinfo(const char* from, const char* end, const char* readable_end) {
  UserinfoScan scan{end, end, false};
#if defined(__SSE2__)
  while (from < end && readable_end - from >= 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from));
    const auto mask = [](__m128i bytes) { return static_cast<unsigned>(_mm_movemask_epi8(bytes)); };
    const unsigned inside = end - from >= 16 ? 0xFFFFu : (1u << (end - from)) - 1;  // bytes before `end`
    const unsigned invalid = ~mask(UserOrColonClass::chunk(chunk)) & inside;
    const unsigned before_stop = invalid != 0 ? (invalid & (0u - invalid)) - 1 : inside;
    const unsigned colons = mask(simd::equal(chunk, ':')) & before_stop;
    if (colons != 0 && scan.first_colon == end) scan.first_colon = from + __builtin_ctz(colons);
    scan.has_escape |= (mask(simd::equal(chunk, '%')) & before_stop) != 0;
    if (invalid != 0) {
      scan.stop = from + __builtin_ctz(invalid);
      return scan;
    }
    from += 16;
  }
#endif
  for (; from < end; ++from) {
    const char c = *from;
    if (c == ':') {
      if (scan.first_colon == end) scan.first_colon = from;
    } else if (!has_class(c, kUserChar)) {
      scan.stop = from;
      return scan;
    }
    scan.has_escape |= c == '%';
  }
  return scan;
}

}  // namespace

bool is_ipv4_address(std::string_view text) {
  // IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT (§25.1), each at most 255.
  // Unrolled per group: the digit count is known from the bytes, so the value is checked once
  // per group and no per-digit counter is kept (hosts of UDP peers are IPs, parsed per field).
  const char* p = text.data();
  const char* const end = p + text.size();
  for (int group = 0; group < 4; ++group) {
    if (group > 0) {
      if (p == end || *p != '.') return false;
      ++p;
    }
    if (p == end || !is_digit(*p)) return false;
    unsigned value = static_cast<unsigned>(*p++ - '0');
    if (p != end && is_digit(*p)) {
      value = value * 10 + static_cast<unsigned>(*p++ - '0');
      if (p != end && is_digit(*p)) {
        value = value * 10 + static_cast<unsigned>(*p++ - '0');
        if (value > 255) return false;
      }
    }
  }
  return p == end;
}

bool is_ipv6_address(std::string_view text) {
  // Coarse but sufficient check (RFC 4291 §2.2 text forms): hex groups, "::" at most once, an
  // optional trailing dotted IPv4.
  if (text.size() < 2) return false;
  int groups = 0;
  bool double_colon = false;
  std::size_t i = 0;
  if (text.substr(0, 2) == "::") {
    double_colon = true;
    i = 2;
  }
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && is_hex(text[i])) ++i;
    if (i < text.size() && text[i] == '.') {
      // A trailing IPv4 address stands for the last two groups, so six groups precede it, or
      // at most five beside a "::" (which stands for at least one); "1.2.3.4" alone is not IPv6.
      return is_ipv4_address(text.substr(start)) && (double_colon ? groups <= 5 : groups == 6);
    }
    if (i - start == 0 || i - start > 4) return false;
    ++groups;
    if (i == text.size()) break;
    if (text[i] != ':') return false;
    ++i;
    if (i < text.size() && text[i] == ':') {
      if (double_colon) return false;
      double_colon = true;
      ++i;
    } else if (i == text.size()) {
      return false;
    }
  }
  return double_colon ? groups <= 7 : groups == 8;
}

HostKind classify_hostname_chars(std::string_view host) {
  // An IPv4address starts with a digit; only then is the dotted-quad check worth running.
  if (!host.empty() && is_digit(host.front()) && is_ipv4_address(host)) return HostKind::Ipv4;
  return host.empty() || host.front() == '.' || host.front() == '-' ? HostKind::None : HostKind::Fqdn;
}

HostKind classify_host(std::string_view host) {
  // One table-driven pass over hostname characters (§25.1 hostname: alphanum, '-', '.') decides
  // the common cases; a host made only of them is an IPv4address if it reads as one.
  std::size_t i = 0;
  while (i < host.size() && has_class(host[i], kHostnameChar)) ++i;
  if (i == host.size()) return classify_hostname_chars(host);
  // Any other byte rules out IPv4 and a hostname; only an IPv6 address (with ':') is left.
  if (host.find(':', i) != std::string_view::npos) {
    return is_ipv6_address(host) ? HostKind::Ipv6 : HostKind::None;
  }
  return HostKind::None;
}

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        is_hex(text[i + 1]) && is_hex(text[i + 2])) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::optional<std::string_view> find_param(std::string_view params, std::string_view name) {
  std::size_t i = 0;
  while (i < params.size()) {
    // One parameter runs to the next ';' outside quotes.
    std::size_t end = i;
    bool quoted = false;
    while (end < params.size() && (quoted || params[end] != ';')) {
      if (params[end] == '"') quoted = !quoted;
      if (quoted && params[end] == '\\') ++end;
      ++end;
    }
    if (end > params.size()) end = params.size();
    std::string_view item = params.substr(i, end - i);
    std::size_t eq = item.find('=');
    std::string_view key = trim_lws(item.substr(0, eq));
    if (iequals(key, name)) {
      if (eq == std::string_view::npos) return std::string_view{};
      return trim_lws(item.substr(eq + 1));
    }
    i = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string_view> find_uri_header(std::string_view headers, std::string_view name) {
  std::size_t i = 0;
  while (i <= headers.size() && !headers.empty()) {
    std::size_t end = headers.find('&', i);
    if (end == std::string_view::npos) end = headers.size();
    std::string_view item = headers.substr(i, end - i);
    std::size_t eq = item.find('=');
    if (iequals(item.substr(0, eq), name)) {
      return eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    }
    if (end == headers.size()) break;
    i = end + 1;
  }
  return std::nullopt;
}

bool parse_uri_parts(std::string_view base, std::string_view text, UriParts& out,
                     FieldError& error) {
  // Reset from a constant: copying a temporary built on the stack stalled on the stores that
  // had just built it (store-to-load forwarding), a visible cost per parsed field.
  static constexpr UriParts kEmpty{};
  out = kEmpty;
  out.text = range_of(base, text);
  const char* const readable_end = base.data() + base.size();  // `text` lies inside `base`
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )  (§25.1)
  if (text.empty() || !is_alpha(text[0])) return fail(error, text.data(), "URI must start with a scheme");
  std::size_t colon = 1;
  const bool plain_sip = text.size() >= 4 && (text[0] | 0x20) == 's' && (text[1] | 0x20) == 'i' &&
                         (text[2] | 0x20) == 'p' && text[3] == ':';
  if (plain_sip) {
    colon = 3;  // "sip:" in any case, which the scan below would find too
  } else {
    while (colon < text.size() && (is_alnum(text[colon]) || text[colon] == '+' ||
                                   text[colon] == '-' || text[colon] == '.')) {
      ++colon;
    }
    if (colon >= text.size() || text[colon] != ':') {
      return fail(error, text.data() + colon, "URI scheme must be followed by ':'");
    }
  }
  std::string_view scheme = slice(text, 0, colon);
  out.scheme = range_of(base, scheme);
  std::string_view rest = slice_from(text, colon + 1);
  if (plain_sip) {
    out.scheme_kind = UriScheme::Sip;
  } else if (iequals(scheme, "sip")) {
    out.scheme_kind = UriScheme::Sip;
  } else if (iequals(scheme, "sips")) {
    out.scheme_kind = UriScheme::Sips;
  } else if (iequals(scheme, "tel")) {
    out.scheme_kind = UriScheme::Tel;
  } else {
    // absoluteURI (§25.1, RFC 2396): opaque here, but it may not hold LWS, quotes or brackets.
    if (rest.empty()) return fail(error, rest.data(), "empty URI after the scheme");
    for (const char& c : rest) {
      if (is_lws_char(c) || c == '"' || c == '<' || c == '>' || static_cast<unsigned char>(c) < 0x21) {
        return fail(error, &c, "character not allowed in an absolute URI");
      }
    }
    return true;
  }

  if (out.scheme_kind == UriScheme::Tel) {
    // RFC 3966: telephone-subscriber *par. The number is the "user"; the rest are parameters.
    std::size_t semi = rest.find(';');
    std::string_view number = rest.substr(0, semi);
    if (number.empty()) return fail(error, rest.data(), "tel URI without a number");
    for (const char& c : number) {
      if (!is_alnum(c) && c != '+' && c != '-' && c != '.' && c != '(' && c != ')' && c != '*' &&
          c != '#') {
        return fail(error, &c, "character not allowed in a tel number");
      }
    }
    out.user = range_of(base, number);
    if (semi == std::string_view::npos) return true;
    const std::string_view params = rest.substr(semi + 1);
    if (!check_uri_params(params, error)) return false;
    out.params = range_of(base, params);
    return true;
  }

  // SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]  (§19.1.1)
  std::size_t at = find_byte(rest, '@', 0, readable_end);
  std::string_view hostpart = rest;
  if (at != std::string_view::npos) {
    out.has_at = true;
    std::string_view userinfo = slice(rest, 0, at);
    const char* userinfo_end = userinfo.data() + userinfo.size();
    const UserinfoScan scan = scan_userinfo(userinfo.data(), userinfo_end, readable_end);
    if (scan.stop != userinfo_end) return fail(error, scan.stop, "character not allowed in the URI user part");
    // The first ':' separates the password.
    const std::size_t pw =
        scan.first_colon == userinfo_end ? std::string_view::npos : static_cast<std::size_t>(scan.first_colon - userinfo.data());
    if (scan.has_escape && !escapes_well_formed(userinfo)) {
      return fail(error, userinfo.data(), "bad % escape in the URI user part");
    }
    out.user = range_of(base, userinfo.substr(0, pw));
    if (pw != std::string_view::npos) out.password = range_of(base, userinfo.substr(pw + 1));
    hostpart = slice_from(rest, at + 1);
  }
  const std::size_t size = hostpart.size();
  std::size_t i = 0;
  if (size != 0 && hostpart[0] == '[') {
    std::size_t close = find_byte(hostpart, ']', 0, readable_end);
    if (close == std::string_view::npos) return fail(error, hostpart.data(), "IPv6 reference without ']'");
    std::string_view host = slice(hostpart, 1, close - 1);
    if (!is_ipv6_address(host)) return fail(error, host.data(), "invalid IPv6 address");
    out.host = range_of(base, host);
    out.host_kind = HostKind::Ipv6;
    i = close + 1;
  } else {
    // The host ends at ':', ';' or '?'. Scanning hostname characters first classifies the
    // common host in the same pass; anything else goes through classify_host.
    i = static_cast<std::size_t>(skip_class<HostnameClass>(hostpart.data(), hostpart.data() + size, readable_end) -
                                 hostpart.data());
    const bool only_hostname_chars =
        i == size || hostpart[i] == ':' || hostpart[i] == ';' || hostpart[i] == '?';
    if (!only_hostname_chars) {
      while (i < size && hostpart[i] != ':' && hostpart[i] != ';' && hostpart[i] != '?') ++i;
    }
    std::string_view host = slice(hostpart, 0, i);
    if (host.empty()) return fail(error, host.data(), "URI without a host");
    out.host_kind = only_hostname_chars ? classify_hostname_chars(host) : classify_host(host);
    if (out.host_kind == HostKind::None) return fail(error, host.data(), "invalid host in URI");
    out.host = range_of(base, host);
  }
  if (i < size && hostpart[i] == ':') {
    ++i;
    const std::size_t start = i;
    if (!parse_port_digits(hostpart, i, out.port)) return fail(error, hostpart.data() + start, "invalid port in URI");
    out.has_port = true;
  }
  if (i < size && hostpart[i] == ';') {
    // uri-parameters (§19.1.1), checked as check_uri_params does while finding where they end
    // ('?' or the end of the URI): ';'-separated, none empty, each byte a paramchar.
    const std::size_t start = i + 1;
    i = start;
    while (true) {
      const std::size_t parameter_start = i;
      i = static_cast<std::size_t>(skip_class<ParamClass>(hostpart.data() + i, hostpart.data() + size, readable_end) -
                                   hostpart.data());
      const bool at_end = i == size || hostpart[i] == '?';
      if (!at_end && hostpart[i] != ';') {
        return fail(error, hostpart.data() + i, "character not allowed in a URI parameter");
      }
      if (i == parameter_start) return fail(error, hostpart.data() + i, "empty URI parameter");
      if (at_end) break;
      ++i;
    }
    out.params = range_of(base, slice(hostpart, start, i - start));
  }
  if (i < size && hostpart[i] == '?') {
    ++i;
    std::string_view headers = hostpart.substr(i);
    for (const char& c : headers) {
      if (!is_header_char(c)) return fail(error, &c, "character not allowed in a URI header");
    }
    out.headers = range_of(base, headers);
    i = size;
  }
  if (i != size) return fail(error, hostpart.data() + i, "unexpected character in URI");
  return true;
}

sim::Result<Uri, std::string> parse_uri(std::string_view text) {
  UriParts parts;
  FieldError error;
  if (!parse_uri_parts(text, text, parts, error)) {
    return sim::Failure{std::string(error.reason) + " at offset " +
                        std::to_string(error.at ? error.at - text.data() : 0)};
  }
  return Uri(text, parts);
}

}  // namespace sip

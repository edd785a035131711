#include "sim/sip/name_addr.hpp"

namespace sip {
namespace {

bool record_params(std::string_view base, std::string_view params, NameAddrParts& out,
                   FieldError& error) {
  // `params` starts at the first ';' (after optional LWS) or is empty.
  std::string_view trimmed = trim_lws(params);
  if (trimmed.empty()) return true;
  const char* const readable_end = base.data() + base.size();  // `params` lies inside `base`
  bool ok = scan_header_params(trimmed, readable_end, error, [&](std::string_view name, std::string_view value, bool) {
    if (!out.has_tag && iequals(name, "tag")) {
      out.has_tag = true;
      out.tag = range_of(base, value);
    }
  });
  if (!ok) return false;
  out.params = range_of(base, slice_from(trimmed, 1));
  return true;
}

}  // namespace

bool parse_name_addr_parts(std::string_view base, std::string_view text, NameAddrParts& out,
                           FieldError& error) {
  // Reset from a constant: copying a temporary built on the stack stalled on the stores that
  // had just built it (store-to-load forwarding), a visible cost per parsed field.
  static constexpr NameAddrParts kEmpty{};
  out = kEmpty;
  text = trim_lws(text);
  out.text = range_of(base, text);
  if (text.empty()) return fail(error, text.data(), "empty address");
  const char* const readable_end = base.data() + base.size();  // `text` lies inside `base`
  std::size_t i = 0;
  std::size_t open = std::string_view::npos;
  if (text[0] == '"') {
    // quoted-string display name (§25.1); RFC 4475 §3.1.2.6 requires an unclosed one to fail.
    if (!skip_quoted_string(text, i)) return fail(error, text.data(), "unterminated quoted display name");
    out.display_name = range_of(base, slice(text, 0, i));
    while (i < text.size() && is_lws_char(text[i])) ++i;
    if (i >= text.size() || text[i] != '<') return fail(error, text.data() + i, "expected '<' after the display name");
    open = i;
  } else if (text[0] == '<') {
    // The usual form, "<uri>;params": no display name, so no search for the '<'. The empty
    // range at the start is what the search and trim below would record.
    open = 0;
    out.display_name = range_of(base, slice(text, 0, 0));
  } else {
    open = find_byte(text, '<', 0, readable_end);
    if (open != std::string_view::npos) {
      // display-name = *(token LWS): RFC 4475 §3.1.2.15 (comma in an unquoted name) must fail;
      // §3.1.1.6 accepts a token directly followed by '<'.
      std::string_view name = trim_lws(slice(text, 0, open));
      for (const char& c : name) {
        if (!is_token_char(c) && !is_lws_char(c)) {
          return fail(error, &c, "unquoted display name holds a non-token character");
        }
      }
      out.display_name = range_of(base, name);
    }
  }
  if (open != std::string_view::npos) {
    std::size_t close = find_byte(text, '>', open, readable_end);
    if (close == std::string_view::npos) return fail(error, text.data() + open, "'<' without '>'");
    std::string_view uri = slice(text, open + 1, close - open - 1);
    if (!uri.empty() && (is_lws_char(uri.front()) || is_lws_char(uri.back()))) {
      // RFC 4475 §3.1.2.14: no LWS inside the brackets around an addr-spec.
      return fail(error, uri.data(), "whitespace inside <> around the URI");
    }
    if (!parse_uri_parts(base, uri, out.uri, error)) return false;
    out.angle_brackets = true;
    return record_params(base, slice_from(text, close + 1), out, error);
  }
  // addr-spec: every ';' after the host starts a header parameter (§20.10), so the URI ends at
  // the first ';' after the userinfo.
  std::size_t at = text.find('@');
  std::size_t semi = text.find(';', at == std::string_view::npos ? 0 : at);
  std::string_view uri = trim_lws(text.substr(0, semi));
  if (uri.find('?') != std::string_view::npos || uri.find(',') != std::string_view::npos) {
    // §20: a URI with a comma, question mark or semicolon MUST be in <> (RFC 4475 §3.1.2.13).
    return fail(error, uri.data() + uri.find_first_of("?,"), "URI with headers must be enclosed in <>");
  }
  for (const char& c : uri) {
    if (is_lws_char(c)) return fail(error, &c, "whitespace inside the URI");
  }
  if (!parse_uri_parts(base, uri, out.uri, error)) return false;
  if (semi == std::string_view::npos) return true;
  return record_params(base, text.substr(semi), out, error);
}

std::string NameAddr::display_name() const {
  std::string_view raw = display_name_raw();
  if (raw.size() < 2 || raw.front() != '"') return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 2 < raw.size()) ++i;
    out.push_back(raw[i]);
  }
  return out;
}

sim::Result<NameAddr, std::string> parse_name_addr(std::string_view text) {
  NameAddrParts parts;
  FieldError error;
  if (!parse_name_addr_parts(text, text, parts, error)) {
    return sim::Failure{std::string(error.reason)};
  }
  return NameAddr(text, parts);
}

}  // namespace sip

#pragma once
// name-addr / addr-spec with header parameters, as in From, To, Contact, Route, Record-Route,
// Refer-To, P-Asserted-Identity and History-Info (RFC 3261 §20.10, §25.1).
#include <optional>
#include <string>
#include <string_view>

#include "sim/core/result.hpp"
#include "sim/sip/uri.hpp"

namespace sip {

struct NameAddrParts {
  Range text;
  Range display_name;  // raw, with the quotes if it was quoted
  Range params;        // header parameters after the URI, without the first ';'
  Range tag;           // value of ;tag=, empty when absent
  UriParts uri;
  bool angle_brackets = false;
  bool has_tag = false;
};

// Checks a header-parameter list "; a = b ;c" (generic-param, §25.1): LWS allowed around ';' and
// '=', values are token, host or quoted-string, names are tokens and none may be empty (RFC 4475
// §3.1.2.1 "Extraneous Header Field Separators" must fail). `text` starts at the first ';'.
// Calls visit(name, value, has_value) per parameter. Bytes up to `readable_end` (the end of the
// buffer `text` lies in) may be loaded while scanning.
template <class Visit>
bool scan_header_params(std::string_view text, const char* readable_end, FieldError& error, Visit&& visit);

bool parse_name_addr_parts(std::string_view base, std::string_view text, NameAddrParts& out,
                           FieldError& error);

class NameAddr {
 public:
  NameAddr() = default;
  NameAddr(std::string_view base, const NameAddrParts& parts) : base_(base), parts_(parts) {}

  std::string_view text() const { return parts_.text.in(base_); }
  std::string_view display_name_raw() const { return parts_.display_name.in(base_); }
  // Display name with the quotes removed and quoted-pairs resolved (§25.1 quoted-pair).
  std::string display_name() const;
  Uri uri() const { return Uri(base_, parts_.uri); }
  std::string_view params() const { return parts_.params.in(base_); }
  std::optional<std::string_view> param(std::string_view name) const {
    return find_param(params(), name);
  }
  bool has_tag() const { return parts_.has_tag; }
  std::string_view tag() const { return parts_.tag.in(base_); }
  bool angle_brackets() const { return parts_.angle_brackets; }
  const NameAddrParts& parts() const { return parts_; }

 private:
  std::string_view base_;
  NameAddrParts parts_;
};

sim::Result<NameAddr, std::string> parse_name_addr(std::string_view text);

// ---- implementation of the template ----

inline bool skip_quoted_string(std::string_view text, std::size_t& i) {
  // text[i] == '"'; leaves i after the closing quote. quoted-pair may escape any byte but CR/LF.
  ++i;
  while (i < text.size()) {
    if (text[i] == '\\') {
      i += 2;
      continue;
    }
    if (text[i] == '"') {
      ++i;
      return true;
    }
    ++i;
  }
  return false;
}

template <class Visit>
bool scan_header_params(std::string_view text, const char* readable_end, FieldError& error, Visit&& visit) {
  const char* const data = text.data();
  const char* const end = data + text.size();
  std::size_t i = 0;
  const auto skip_lws = [&] {
    while (i < text.size() && is_lws_char(text[i])) ++i;
  };
  skip_lws();
  while (i < text.size()) {
    if (text[i] != ';') {
      error.at = text.data() + i;
      error.reason = "expected ';' before a parameter";
      return false;
    }
    ++i;
    skip_lws();
    std::size_t name_start = i;
    i = static_cast<std::size_t>(skip_class<TokenClass>(data + i, end, readable_end) - data);
    if (i == name_start) {
      error.at = text.data() + i;
      error.reason = "empty or invalid parameter name";
      return false;
    }
    const std::string_view name(data + name_start, i - name_start);
    skip_lws();
    std::string_view value(data + i, 0);  // flags: an empty view at the name's end
    bool has_value = false;
    if (i < text.size() && text[i] == '=') {
      ++i;
      skip_lws();
      std::size_t value_start = i;
      if (i < text.size() && text[i] == '"') {
        if (!skip_quoted_string(text, i)) {
          error.at = text.data() + value_start;
          error.reason = "unterminated quoted parameter value";
          return false;
        }
      } else if (i < text.size() && text[i] == '[') {
        std::size_t close = text.find(']', i);
        if (close == std::string_view::npos) {
          error.at = text.data() + i;
          error.reason = "unterminated IPv6 reference in parameter";
          return false;
        }
        i = close + 1;
      } else {
        i = static_cast<std::size_t>(skip_class<TokenOrColonClass>(data + i, end, readable_end) - data);
      }
      if (i == value_start) {
        error.at = text.data() + i;
        error.reason = "empty parameter value after '='";
        return false;
      }
      value = std::string_view(data + value_start, i - value_start);
      has_value = true;
      skip_lws();
    }
    visit(name, value, has_value);
  }
  return true;
}

}  // namespace sip

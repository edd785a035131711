#include "sim/sip/message.hpp"

#include <array>

#include "sim/core/check.hpp"
#include "sim/core/prefetch.hpp"

namespace sip {
namespace {

constexpr std::array<std::string_view, 15> kMethods = {
    "",       "ACK",    "BYE",   "CANCEL", "INFO",    "INVITE",   "MESSAGE", "NOTIFY",
    "OPTIONS", "PRACK", "PUBLISH", "REFER", "REGISTER", "SUBSCRIBE", "UPDATE"};

bool same_header_name(const HeaderField& field, std::string_view base, HeaderId id,
                      std::string_view name) {
  if (id != HeaderId::Unknown) return field.id == id;
  return field.id == HeaderId::Unknown && iequals(field.name.in(base), name);
}

std::string_view unquote(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

// delta-seconds *( SEMI param ): the number before the first ';' and the parameter text.
bool split_number_params(std::string_view value, std::uint32_t& number, std::string_view& params) {
  std::size_t semi = value.find(';');
  std::string_view digits = trim_lws(value.substr(0, semi));
  std::uint64_t parsed = 0;
  if (!parse_bounded_uint(digits, 0xFFFFFFFFull, parsed)) return false;
  number = static_cast<std::uint32_t>(parsed);
  params = semi == std::string_view::npos ? std::string_view{} : value.substr(semi + 1);
  return true;
}

}  // namespace

Method method_from_text(std::string_view text) {
  for (std::size_t i = 1; i < kMethods.size(); ++i) {
    if (kMethods[i] == text) return static_cast<Method>(i);
  }
  return Method::Unknown;
}

std::string_view method_text(Method method) { return kMethods[static_cast<std::size_t>(method)]; }

bool parse_via_parts(std::string_view base, std::string_view text, ViaParts& out,
                     FieldError& error) {
  // Reset from a constant: copying a temporary built on the stack stalled on the stores that
  // had just built it (store-to-load forwarding), a visible cost per parsed field.
  static constexpr ViaParts kEmpty{};
  out = kEmpty;
  text = trim_lws(text);
  out.text = range_of(base, text);
  const std::size_t size = text.size();
  std::size_t i = 0;
  const auto skip_lws = [&] {
    while (i < size && is_lws_char(text[i])) ++i;
  };
  const char* const readable_end = base.data() + base.size();  // `text` lies inside `base`
  const auto token = [&]() {
    std::size_t start = i;
    i = static_cast<std::size_t>(skip_class<TokenClass>(text.data() + i, text.data() + size, readable_end) - text.data());
    return slice(text, start, i - start);
  };
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport (§20.42; SLASH allows
  // LWS around it, which RFC 4475 §3.1.1.1 exercises). Nearly every Via starts "SIP/2.0/",
  // which the general path below would accept in the same way.
  if (size >= 8 && (text[0] | 0x20) == 's' && (text[1] | 0x20) == 'i' && (text[2] | 0x20) == 'p' &&
      slice(text, 3, 5) == "/2.0/") {
    i = 8;
  } else {
    std::string_view protocol = token();
    skip_lws();
    if (i >= size || text[i] != '/') return fail(error, text.data() + i, "Via without SIP/2.0/transport");
    ++i;
    skip_lws();
    std::string_view version = token();
    skip_lws();
    if (!iequals(protocol, "SIP") || version != "2.0") {
      error.wrong_version = true;
      return fail(error, text.data(), "Via sent-protocol is not SIP/2.0");
    }
    if (i >= size || text[i] != '/') return fail(error, text.data() + i, "Via without a transport");
    ++i;
  }
  skip_lws();
  std::string_view transport = token();
  if (transport.empty()) return fail(error, text.data() + i, "Via without a transport");
  out.transport = range_of(base, transport);
  std::size_t before = i;
  skip_lws();
  if (i == before) return fail(error, text.data() + i, "Via needs whitespace before sent-by");
  std::string_view host;
  if (i < size && text[i] == '[') {
    std::size_t close = find_byte(text, ']', i, readable_end);
    if (close == std::string_view::npos) return fail(error, text.data() + i, "IPv6 reference without ']'");
    host = slice(text, i + 1, close - i - 1);
    if (!is_ipv6_address(host)) return fail(error, host.data(), "invalid IPv6 address in Via");
    out.host_kind = HostKind::Ipv6;
    i = close + 1;
  } else {
    // The host ends at LWS, ':' or ';'; a scan over hostname characters classifies the common
    // host in the same pass, anything else goes through classify_host.
    std::size_t start = i;
    i = static_cast<std::size_t>(skip_class<HostnameClass>(text.data() + i, text.data() + size, readable_end) -
                                 text.data());
    const bool only_hostname_chars = i == size || is_lws_char(text[i]) || text[i] == ':' || text[i] == ';';
    if (!only_hostname_chars) {
      while (i < size && !is_lws_char(text[i]) && text[i] != ':' && text[i] != ';') ++i;
    }
    host = slice(text, start, i - start);
    out.host_kind = only_hostname_chars ? classify_hostname_chars(host) : classify_host(host);
    if (host.empty() || out.host_kind == HostKind::None) return fail(error, host.data(), "invalid Via sent-by host");
  }
  out.host = range_of(base, host);
  skip_lws();
  if (i < size && text[i] == ':') {
    ++i;
    skip_lws();
    const std::size_t start = i;
    if (!parse_port_digits(text, i, out.port)) return fail(error, text.data() + start, "invalid Via port");
    out.has_port = true;
  }
  std::string_view rest = trim_lws(slice_from(text, i));
  if (rest.empty()) return true;
  bool ok = scan_header_params(rest, readable_end, error, [&](std::string_view name, std::string_view value, bool) {
    // Dispatch on the length first: most parameters are none of these five.
    switch (name.size()) {
      case 6:
        if (iequals(name, "branch")) {
          out.has_branch = true;
          out.branch = range_of(base, value);
        }
        break;
      case 8:
        if (iequals(name, "received")) out.received = range_of(base, value);
        break;
      case 5:
        if (iequals(name, "rport")) {
          out.has_rport = true;
          out.rport = range_of(base, value);
        } else if (iequals(name, "maddr")) {
          out.maddr = range_of(base, value);
        } else if (iequals(name, "alias")) {
          out.has_alias = true;
        }
        break;
      default:
        break;
    }
  });
  if (!ok) return false;
  out.params = range_of(base, slice_from(rest, 1));
  return true;
}

// ---- Message: indexing ----

namespace {

// Parses every element of a comma-list header (§7.3.1) with `parse_one` and appends it to
// `out`; an empty element or an unclosed quote or '<' rejects the header.
template <class Parts, class Container, class ParseOne>
bool parse_list_elements(std::string_view value, const char* readable_end, Container& out, FieldError& error,
                         const char* empty_reason, const char* unbalanced_reason, ParseOne parse_one) {
  bool element_ok = true;
  const bool balanced = split_top_level_commas(value, [&](std::string_view element) {
    if (trim_lws(element).empty()) {
      element_ok = fail(error, element.data(), empty_reason);
      return false;
    }
    // Parsed in place: copying a finished element in stalls on the stores that just built it.
    if (!parse_one(element, out.emplace_back())) {
      out.pop_back();
      element_ok = false;
      return false;
    }
    return true;
  }, readable_end);
  if (!balanced) return fail(error, value.data(), unbalanced_reason);
  return element_ok;
}

}  // namespace

bool Message::index_header(std::size_t index, FieldError& error) {
  const HeaderField& field = headers_[index];
  return index_field(field.id, field.value, buffer_, error);
}

bool Message::index_field(HeaderId id, Range value_range, std::string_view source, FieldError& error) {
  const std::string_view base = source;
  const std::string_view value = value_range.in(base);
  const char* const readable_end = base.data() + base.size();
  switch (id) {
    case HeaderId::Via:
      return parse_list_elements<ViaParts>(value, readable_end, vias_, error, "empty Via value in the list", "unbalanced quote or <> in Via",
                                           [&](std::string_view element, ViaParts& parts) { return parse_via_parts(base, element, parts, error); });
    case HeaderId::From:
    case HeaderId::To: {
      // Single-valued; a second occurrence is a semantic error (RFC 4475 §3.3.8) that
      // validate_message reports, so only the first one is indexed.
      bool& has = id == HeaderId::From ? has_from_ : has_to_;
      if (has) {
        NameAddrParts ignored;
        return parse_name_addr_parts(base, value, ignored, error);
      }
      NameAddrParts& parts = id == HeaderId::From ? from_ : to_;
      if (!parse_name_addr_parts(base, value, parts, error)) {
        parts = NameAddrParts{};
        return false;
      }
      has = true;
      return true;
    }
    case HeaderId::CallId: {
      // callid = word [ "@" word ] (§25.1): no LWS inside, not empty.
      if (value.empty()) return fail(error, value.data(), "empty Call-ID");
      const char* value_end = value.data() + value.size();
      const char* space = skip_class<NotLwsClass>(value.data(), value_end, readable_end);
      if (space != value_end) return fail(error, space, "whitespace inside Call-ID");
      if (call_id_.empty()) call_id_ = value_range;
      return true;
    }
    case HeaderId::CSeq: {
      // CSeq = 1*DIGIT LWS Method; the number fits in 32 bits (§8.1.1.5, RFC 4475 §3.1.2.4).
      std::size_t i = 0;
      while (i < value.size() && is_digit(value[i])) ++i;
      std::uint64_t number = 0;
      if (!parse_bounded_uint(value.substr(0, i), 0xFFFFFFFFull, number)) {
        return fail(error, value.data(), i == 0 ? "CSeq without a sequence number"
                                                : "CSeq number larger than 2^32-1");
      }
      std::size_t space = i;
      while (i < value.size() && is_lws_char(value[i])) ++i;
      if (i == space) return fail(error, value.data() + i, "CSeq needs whitespace before the method");
      std::string_view method = value.substr(i);
      if (method.empty()) return fail(error, value.data() + i, "CSeq without a method");
      for (const char& c : method) {
        if (!is_token_char(c)) return fail(error, &c, "CSeq method is not a token");
      }
      if (!has_cseq_) {
        has_cseq_ = true;
        cseq_number_ = static_cast<std::uint32_t>(number);
        cseq_method_ = range_of(base, method);
      }
      return true;
    }
    case HeaderId::MaxForwards: {
      std::uint64_t hops = 0;
      // §20.22: "an integer in the range 0-255".
      if (!parse_bounded_uint(value, 255, hops)) {
        return fail(error, value.data(), "Max-Forwards is not an integer in 0-255");
      }
      if (max_forwards_ < 0) max_forwards_ = static_cast<int>(hops);
      return true;
    }
    case HeaderId::ContentLength: {
      std::uint64_t length = 0;
      if (!parse_bounded_uint(value, 0xFFFFFFFFull, length)) {
        return fail(error, value.data(), "Content-Length is not a non-negative integer");
      }
      if (has_content_length_ && length != content_length_) {
        // RFC 4475 §3.3.9: two different lengths leave the framing undefined.
        return fail(error, value.data(), "conflicting Content-Length values");
      }
      has_content_length_ = true;
      content_length_ = static_cast<std::uint32_t>(length);
      return true;
    }
    case HeaderId::Contact: {
      if (value == "*") {
        // Contact: * only in a REGISTER that removes all bindings (§10.2.2), and alone.
        if (!contacts_.empty()) return fail(error, value.data(), "Contact '*' mixed with addresses");
        contact_star_ = true;
        return true;
      }
      if (contact_star_) return fail(error, value.data(), "Contact '*' mixed with addresses");
      return parse_list_elements<NameAddrParts>(
          value, readable_end, contacts_, error, "empty Contact value in the list", "unterminated quote or <> in Contact",
          [&](std::string_view element, NameAddrParts& parts) { return parse_name_addr_parts(base, element, parts, error); });
    }
    default:
      return true;
  }
}

void Message::reindex(HeaderId id) {
  // Each kind's state depends only on its own fields, in order, and the other kinds' ranges
  // stay valid (the buffer only grows), so only this kind is read again.
  switch (id) {
    case HeaderId::Via:
      vias_.clear();
      break;
    case HeaderId::From:
      from_ = NameAddrParts{};
      has_from_ = false;
      break;
    case HeaderId::To:
      to_ = NameAddrParts{};
      has_to_ = false;
      break;
    case HeaderId::CallId:
      call_id_ = Range{};
      break;
    case HeaderId::CSeq:
      cseq_method_ = Range{};
      cseq_number_ = 0;
      has_cseq_ = false;
      break;
    case HeaderId::MaxForwards:
      max_forwards_ = -1;
      break;
    case HeaderId::ContentLength:
      content_length_ = 0;
      has_content_length_ = false;
      break;
    case HeaderId::Contact:
      contacts_.clear();
      contact_star_ = false;
      break;
    default:
      return;  // not indexed
  }
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (headers_[i].id != id) continue;
    FieldError error;
    const bool ok = index_header(i, error);
    DRSIM_CHECK(ok, error.reason);
  }
}

Range Message::append(std::string_view text) {
  Range range{static_cast<std::uint32_t>(buffer_.size()), static_cast<std::uint32_t>(text.size())};
  buffer_.append(text);
  return range;
}

// ---- Message: access ----

std::optional<std::string_view> Message::header(std::string_view name) const {
  const HeaderId id = header_id(name);
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (same_header_name(headers_[i], buffer_, id, name)) return headers_[i].value.in(buffer_);
  }
  return std::nullopt;
}

std::optional<std::string_view> Message::header(HeaderId id) const {
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (headers_[i].id == id) return headers_[i].value.in(buffer_);
  }
  return std::nullopt;
}

std::size_t Message::count_headers(HeaderId id) const {
  std::size_t count = 0;
  for (std::size_t i = 0; i < headers_.size(); ++i) count += headers_[i].id == id ? 1 : 0;
  return count;
}

sim::Result<std::vector<NameAddr>, std::string> Message::name_addr_list(HeaderId id) const {
  std::vector<NameAddr> out;
  std::string problem;
  const std::string_view base = buffer_;
  for (std::size_t i = 0; i < headers_.size() && problem.empty(); ++i) {
    if (headers_[i].id != id) continue;
    const std::string_view value = headers_[i].value.in(base);
    bool balanced = split_top_level_commas(value, [&](std::string_view element) {
      NameAddrParts parts;
      FieldError error;
      if (!parse_name_addr_parts(base, element, parts, error)) {
        problem = std::string(canonical_name(id)) + ": " + error.reason;
        return false;
      }
      out.emplace_back(base, parts);
      return true;
    });
    if (!balanced) problem = std::string(canonical_name(id)) + ": unterminated quote or <>";
  }
  if (!problem.empty()) return sim::Failure{problem};
  return out;
}

std::vector<std::string_view> Message::token_list(HeaderId id) const {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (headers_[i].id != id) continue;
    std::string_view value = headers_[i].value.in(buffer_);
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t comma = value.find(',', start);
      if (comma == std::string_view::npos) comma = value.size();
      std::string_view item = trim_lws(value.substr(start, comma - start));
      if (!item.empty()) out.push_back(item);
      start = comma + 1;
    }
  }
  return out;
}

std::optional<std::string_view> Message::content_type() const {
  auto value = header(HeaderId::ContentType);
  if (!value) return std::nullopt;
  return trim_lws(value->substr(0, value->find(';')));
}

sim::Result<NameAddr, std::string> Message::single_name_addr(HeaderId id) const {
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (headers_[i].id != id) continue;
    NameAddrParts parts;
    FieldError error;
    if (!parse_name_addr_parts(buffer_, headers_[i].value.in(buffer_), parts, error)) {
      return sim::Failure{std::string(canonical_name(id)) + ": " + error.reason};
    }
    return NameAddr(buffer_, parts);
  }
  return sim::Failure{"no " + std::string(canonical_name(id)) + " header"};
}

sim::Result<SessionExpires, std::string> Message::session_expires() const {
  auto value = header(HeaderId::SessionExpires);
  if (!value) return sim::Failure{std::string("no Session-Expires header")};
  SessionExpires out;
  std::string_view params;
  if (!split_number_params(*value, out.seconds, params)) {
    return sim::Failure{std::string("Session-Expires is not delta-seconds")};
  }
  if (auto refresher = find_param(params, "refresher")) out.refresher = *refresher;
  return out;
}

sim::Result<std::uint32_t, std::string> Message::min_se() const {
  auto value = header(HeaderId::MinSE);
  if (!value) return sim::Failure{std::string("no Min-SE header")};
  std::uint32_t seconds = 0;
  std::string_view params;
  if (!split_number_params(*value, seconds, params)) {
    return sim::Failure{std::string("Min-SE is not delta-seconds")};
  }
  return seconds;
}

sim::Result<Replaces, std::string> Message::replaces() const {
  auto value = header(HeaderId::Replaces);
  if (!value) return sim::Failure{std::string("no Replaces header")};
  Replaces out;
  std::size_t semi = value->find(';');
  out.call_id = trim_lws(value->substr(0, semi));
  if (out.call_id.empty()) return sim::Failure{std::string("Replaces without a Call-ID")};
  std::string_view params = semi == std::string_view::npos ? std::string_view{} : value->substr(semi + 1);
  auto to_tag = find_param(params, "to-tag");
  auto from_tag = find_param(params, "from-tag");
  if (!to_tag || !from_tag) return sim::Failure{std::string("Replaces needs to-tag and from-tag")};
  out.to_tag = *to_tag;
  out.from_tag = *from_tag;
  out.early_only = find_param(params, "early-only").has_value();
  return out;
}

sim::Result<RetryAfter, std::string> Message::retry_after() const {
  auto value = header(HeaderId::RetryAfter);
  if (!value) return sim::Failure{std::string("no Retry-After header")};
  // Retry-After = delta-seconds [ comment ] *( SEMI retry-param )  (§20.33)
  RetryAfter out;
  std::string_view text = *value;
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  std::uint64_t seconds = 0;
  if (!parse_bounded_uint(text.substr(0, i), 0xFFFFFFFFull, seconds)) {
    return sim::Failure{std::string("Retry-After is not delta-seconds below 2^32")};
  }
  out.seconds = static_cast<std::uint32_t>(seconds);
  std::string_view rest = trim_lws(text.substr(i));
  if (!rest.empty() && rest.front() == '(') {
    std::size_t close = rest.find(')');
    if (close == std::string_view::npos) return sim::Failure{std::string("Retry-After comment not closed")};
    out.comment = rest.substr(1, close - 1);
    rest = trim_lws(rest.substr(close + 1));
  }
  if (!rest.empty() && rest.front() == ';') {
    if (auto duration = find_param(rest.substr(1), "duration")) {
      std::uint64_t parsed = 0;
      if (!parse_bounded_uint(*duration, 0xFFFFFFFFull, parsed)) {
        return sim::Failure{std::string("Retry-After duration is not delta-seconds")};
      }
      out.duration = static_cast<std::uint32_t>(parsed);
    }
  } else if (!rest.empty()) {
    return sim::Failure{std::string("unexpected text in Retry-After")};
  }
  return out;
}

sim::Result<std::vector<ReasonValue>, std::string> Message::reasons() const {
  std::vector<ReasonValue> out;
  std::string problem;
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (headers_[i].id != HeaderId::Reason) continue;
    split_top_level_commas(headers_[i].value.in(buffer_), [&](std::string_view element) {
      element = trim_lws(element);
      std::size_t semi = element.find(';');
      ReasonValue reason;
      reason.protocol = trim_lws(element.substr(0, semi));
      if (reason.protocol.empty()) {
        problem = "Reason without a protocol";
        return false;
      }
      std::string_view params = semi == std::string_view::npos ? std::string_view{} : element.substr(semi + 1);
      if (auto cause = find_param(params, "cause")) {
        std::uint64_t parsed = 0;
        if (!parse_bounded_uint(*cause, 0xFFFFFFFFull, parsed)) {
          problem = "Reason cause is not a number";
          return false;
        }
        reason.cause = static_cast<std::uint32_t>(parsed);
      }
      if (auto text = find_param(params, "text")) reason.text = unquote(*text);
      out.push_back(reason);
      return true;
    });
  }
  if (!problem.empty()) return sim::Failure{problem};
  return out;
}

// ---- Message: building and mutation ----

Message Message::request(std::string_view method, std::string_view request_uri) {
  Message message;
  message.buffer_.reserve(512);
  message.is_request_ = true;
  message.method_ = message.append(method);
  message.method_id_ = method_from_text(method);
  message.set_request_uri(request_uri);
  return message;
}

Message Message::response(int status_code, std::string_view reason_phrase) {
  DRSIM_CHECK(status_code >= 100 && status_code <= 699, "status code outside 100-699");
  Message message;
  message.buffer_.reserve(512);
  message.is_request_ = false;
  message.status_code_ = status_code;
  message.reason_ = message.append(reason_phrase);
  return message;
}

void Message::set_request_uri(std::string_view uri) {
  DRSIM_CHECK(is_request_, "set_request_uri on a response");
  const Range range = append(uri);
  FieldError error;
  const bool ok = parse_uri_parts(buffer_, range.in(buffer_), request_uri_, error);
  DRSIM_CHECK(ok, error.reason);
}

void Message::add_header(std::string_view name, std::string_view value) {
  HeaderField field{header_id(name), append(name), Range{}};
  field.value = append(trim_lws(value));
  headers_.push_back(field);
  FieldError error;
  const bool ok = index_header(headers_.size() - 1, error);
  DRSIM_CHECK(ok, error.reason);
}

namespace {

// Moves ranges parsed inside one field value to where a copy of that value sits: `from` is the
// value's offset in the source buffer, `to` in this one. Absent ranges (Range{}) stay absent; a
// present one, even empty (a bare ";tag"), lies inside the value, after the start line.
struct RangeMover {
  std::uint32_t from;
  std::uint32_t to;
  void operator()(Range& range) const {
    // Branch-free: whether a range is present is data, not a pattern the predictor learns.
    const std::uint32_t shift = to - from;  // modulo 2^32, so a move to lower offsets works too
    range.offset += (range.offset | range.length) != 0 ? shift : 0u;
  }
  // The members are named one by one rather than looped over through a list of pointers: the
  // list was built on the stack and read back for every range, for every copied field.
  void operator()(UriParts& uri) const {
    (*this)(uri.text);
    (*this)(uri.scheme);
    (*this)(uri.user);
    (*this)(uri.password);
    (*this)(uri.host);
    (*this)(uri.params);
    (*this)(uri.headers);
  }
  void operator()(NameAddrParts& address) const {
    (*this)(address.text);
    (*this)(address.display_name);
    (*this)(address.params);
    (*this)(address.tag);
    (*this)(address.uri);
  }
  void operator()(ViaParts& via) const {
    (*this)(via.text);
    (*this)(via.transport);
    (*this)(via.host);
    (*this)(via.params);
    (*this)(via.branch);
    (*this)(via.received);
    (*this)(via.rport);
    (*this)(via.maddr);
  }
};
// Every Range member is listed above; these fail when one is added, so the mover follows.
static_assert(sizeof(UriParts) == 7 * sizeof(Range) + 8);
static_assert(sizeof(NameAddrParts) == 4 * sizeof(Range) + sizeof(UriParts) + 4);
static_assert(sizeof(ViaParts) == 8 * sizeof(Range) + 8);

bool inside(const Range& part, const Range& value) {
  return part.offset >= value.offset && part.offset + part.length <= value.offset + value.length;
}

}  // namespace

void Message::copy_header(const Message& source, std::size_t index) {
  const HeaderField& original = source.headers_[index];
  const std::string_view name =
      original.id == HeaderId::Unknown ? original.name.in(source.buffer_) : canonical_name(original.id);
  HeaderField field{original.id, append(name), Range{}};
  field.value = append(original.value.in(source.buffer_));
  headers_.push_back(field);
  const RangeMover move{original.value.offset, field.value.offset};
  // The kinds whose parts the source kept from this very field are copied; anything else (a
  // second From, a Contact) is indexed as add_header would.
  switch (field.id) {
    case HeaderId::Via:
      for (std::size_t i = 0; i < source.vias_.size(); ++i) {
        if (!inside(source.vias_[i].text, original.value)) continue;
        ViaParts parts = source.vias_[i];
        move(parts);
        vias_.push_back(parts);
      }
      return;
    case HeaderId::From:
    case HeaderId::To: {
      const bool is_from = field.id == HeaderId::From;
      const NameAddrParts& kept = is_from ? source.from_ : source.to_;
      bool& has = is_from ? has_from_ : has_to_;
      if ((is_from ? source.has_from_ : source.has_to_) && inside(kept.text, original.value)) {
        if (!has) {
          // Copied into place and moved there: a local copy first doubled the 100-byte copy.
          NameAddrParts& parts = is_from ? from_ : to_;
          parts = kept;
          move(parts);
          has = true;
        }
        return;
      }
      break;
    }
    case HeaderId::CallId:
      if (source.call_id_ == original.value) {
        if (call_id_.empty()) call_id_ = field.value;
        return;
      }
      break;
    case HeaderId::CSeq:
      if (source.has_cseq_ && inside(source.cseq_method_, original.value)) {
        if (!has_cseq_) {
          has_cseq_ = true;
          cseq_number_ = source.cseq_number_;
          cseq_method_ = source.cseq_method_;
          move(cseq_method_);
        }
        return;
      }
      break;
    default:
      break;
  }
  FieldError error;
  const bool ok = index_header(headers_.size() - 1, error);
  DRSIM_CHECK(ok, error.reason);
}

void Message::prepend_header(std::string_view name, std::string_view value) {
  HeaderField field{header_id(name), append(name), Range{}};
  field.value = append(trim_lws(value));
  InlineVector<HeaderField, 24> reordered;
  reordered.push_back(field);
  for (std::size_t i = 0; i < headers_.size(); ++i) reordered.push_back(headers_[i]);
  headers_ = reordered;
  reindex(field.id);
}

void Message::set_header(std::string_view name, std::string_view value) {
  const HeaderId id = header_id(name);
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (same_header_name(headers_[i], buffer_, id, name)) {
      headers_[i].value = append(trim_lws(value));
      reindex(id);
      return;
    }
  }
  add_header(name, value);
}

std::size_t Message::remove_headers(std::string_view name) {
  const HeaderId id = header_id(name);
  InlineVector<HeaderField, 24> kept;
  std::size_t removed = 0;
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (same_header_name(headers_[i], buffer_, id, name)) {
      ++removed;
    } else {
      kept.push_back(headers_[i]);
    }
  }
  if (removed > 0) {
    headers_ = kept;
    reindex(id);
  }
  return removed;
}

void Message::remove_first_header(std::string_view name) {
  const HeaderId id = header_id(name);
  InlineVector<HeaderField, 24> kept;
  bool removed = false;
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (!removed && same_header_name(headers_[i], buffer_, id, name)) {
      removed = true;
    } else {
      kept.push_back(headers_[i]);
    }
  }
  if (removed) {
    headers_ = kept;
    reindex(id);
  }
}

void Message::set_to_tag(std::string_view tag) {
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    if (headers_[i].id != HeaderId::To) continue;
    if (!to_.has_tag) {
      // The common case (a UAS's first response, §8.2.6.2): the value gains ";tag=" at its end.
      // It is written straight into the buffer and the To parts are moved rather than parsed
      // again: the URI, display name and parameters are the same bytes, one tag longer.
      const Range old_value = headers_[i].value;
      const auto new_offset = static_cast<std::uint32_t>(buffer_.size());
      buffer_.append(buffer_.data() + old_value.offset, old_value.length);  // append() copes with aliasing
      buffer_.append(";tag=").append(tag);
      const Range new_value{new_offset, static_cast<std::uint32_t>(buffer_.size()) - new_offset};
      headers_[i].value = new_value;
      const RangeMover move{old_value.offset, new_offset};
      move(to_);
      to_.text = new_value;
      // Header parameters run to the value's end (name_addr.cpp record_params); the tag is the
      // last of them now, or the only one.
      const std::uint32_t tag_offset = new_offset + old_value.length + 5;
      if (to_.params.length == 0 && to_.params.offset == 0) {
        to_.params = Range{new_offset + old_value.length + 1, static_cast<std::uint32_t>(4 + tag.size())};
      } else {
        to_.params.length = tag_offset + static_cast<std::uint32_t>(tag.size()) - to_.params.offset;
      }
      to_.has_tag = true;
      to_.tag = Range{tag_offset, static_cast<std::uint32_t>(tag.size())};
      return;
    }
    std::string value(headers_[i].value.in(buffer_));
    if (to_.has_tag && to_.tag.empty()) {
      // A bare ";tag" has no value to replace; give it one (§25.1: tag-param = "tag" EQUAL token).
      value.insert(to_.tag.offset - headers_[i].value.offset, "=" + std::string(tag));
    } else if (to_.has_tag) {
      // Replace the existing tag value in place (offsets relative to the To field's value).
      const std::size_t start = to_.tag.offset - headers_[i].value.offset;
      value.replace(start, to_.tag.length, tag);
    } else {
      value.append(";tag=").append(tag);
    }
    headers_[i].value = append(value);
    reindex(HeaderId::To);
    return;
  }
  DRSIM_CHECK(false, "set_to_tag on a message without To");
}

void Message::set_body(std::string_view content_type, std::string_view body) {
  body_ = append(body);
  if (!content_type.empty()) set_header("Content-Type", content_type);
}

void Message::clear_body() {
  body_ = Range{};
  remove_headers("Content-Type");
}

bool operator==(const Message& a, const Message& b) {
  if (a.is_request() != b.is_request()) return false;
  if (a.is_request()) {
    if (a.method_text() != b.method_text() || a.request_uri().text() != b.request_uri().text()) return false;
  } else if (a.status_code() != b.status_code() || a.reason_phrase() != b.reason_phrase()) {
    return false;
  }
  std::size_t i = 0;
  std::size_t j = 0;
  while (true) {
    while (i < a.header_count() && a.header_at(i).id == HeaderId::ContentLength) ++i;
    while (j < b.header_count() && b.header_at(j).id == HeaderId::ContentLength) ++j;
    if (i == a.header_count() || j == b.header_count()) break;
    const HeaderView x = a.header_at(i);
    const HeaderView y = b.header_at(j);
    if (x.id != y.id || x.value != y.value) return false;
    if (x.id == HeaderId::Unknown && !iequals(x.name, y.name)) return false;
    ++i;
    ++j;
  }
  if (i != a.header_count() || j != b.header_count()) return false;
  return a.body() == b.body();
}

Message make_response(const Message& request, int status_code, std::string_view reason_phrase,
                      std::string_view to_tag) {
  DRSIM_CHECK(request.is_request(), "make_response needs a request");
  Message response = Message::response(
      status_code, reason_phrase.empty() ? default_reason_phrase(status_code) : reason_phrase);
  const bool dialog_creating = request.method() == Method::Invite || request.method() == Method::Subscribe;
  const bool copy_record_route = dialog_creating && status_code > 100 && status_code < 300;
  // The request is usually one a server transaction kept since it arrived, its lines long out
  // of the near caches: ask for its parts and its header text at once (sim/core/prefetch.hpp).
  sim::prefetch_lines(&request, sizeof request);
  if (const std::size_t count = request.header_count(); count > 0) {
    const char* const first = request.header_at(0).name.data();
    const HeaderView last = request.header_at(count - 1);
    const char* const end = last.value.data() + last.value.size();
    if (end > first && end - first < 16384) sim::prefetch_lines(first, static_cast<std::size_t>(end - first));
  }
  for (std::size_t i = 0; i < request.header_count(); ++i) {
    const HeaderView field = request.header_at(i);
    switch (field.id) {
      case HeaderId::Via:
      case HeaderId::From:
      case HeaderId::To:
      case HeaderId::CallId:
      case HeaderId::CSeq:
        response.copy_header(request, i);
        break;
      case HeaderId::RecordRoute:
        if (copy_record_route) response.copy_header(request, i);
        break;
      default:
        break;
    }
  }
  if (!to_tag.empty() && status_code != 100 && response.has_to() && !response.to().has_tag()) {
    response.set_to_tag(to_tag);
  }
  return response;
}

std::string_view default_reason_phrase(int status_code) {
  // Every code RFC 3261 §21 defines, plus 202 (RFC 3265) and 422 (RFC 4028).
  switch (status_code) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 200: return "OK";
    case 202: return "Accepted";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Moved Temporarily";
    case 305: return "Use Proxy";
    case 380: return "Alternative Service";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 421: return "Extension Required";
    case 422: return "Session Interval Too Small";
    case 423: return "Interval Too Brief";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 484: return "Address Incomplete";
    case 485: return "Ambiguous";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 491: return "Request Pending";
    case 493: return "Undecipherable";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    case 604: return "Does Not Exist Anywhere";
    case 606: return "Not Acceptable";
    default: return "Unknown";
  }
}

}  // namespace sip

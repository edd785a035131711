#include "sim/sip/message_validation.hpp"

namespace sip {
namespace {

bool is_valid_rfc1123_date(std::string_view date) {
  // SIP-date = rfc1123-date (§25.1): "Sat, 13 Nov 2010 23:29:00 GMT"; only GMT is allowed
  // (RFC 4475 §3.1.2.12 sends "EST").
  date = trim_lws(date);
  if (date.size() != 29) return false;
  if (date.substr(25) != " GMT") return false;
  return date[3] == ',' && date[4] == ' ' && is_digit(date[5]) && is_digit(date[6]);
}

}  // namespace

std::optional<ValidationError> validate_message(const Message& message) {
  // §8.1.1: every request carries To, From, CSeq, Call-ID and Via (Max-Forwards too, but RFC
  // 4475 §3.4.1 asks us to accept RFC 2543 requests without it). RFC 4475 §3.3.1.
  if (!message.has_to() || !message.has_from() || !message.has_call_id() || !message.has_cseq() ||
      message.via_count() == 0) {
    return ValidationError{400, "missing one of the mandatory To, From, Call-ID, CSeq, Via"};
  }
  // §7.3.1 / §20: these hold a single value; repeats conflict (RFC 4475 §3.3.8).
  for (HeaderId id : {HeaderId::To, HeaderId::From, HeaderId::CallId, HeaderId::CSeq,
                      HeaderId::MaxForwards, HeaderId::ContentLength, HeaderId::ContentType}) {
    if (message.count_headers(id) > 1) {
      return ValidationError{400, "more than one " + std::string(canonical_name(id)) + " header"};
    }
  }
  if (message.is_request()) {
    // §8.2.2.1 / RFC 4475 §3.3.2-3: a Request-URI scheme we cannot serve gets 416.
    if (message.request_uri().scheme_kind() == UriScheme::Other) {
      return ValidationError{416, "Request-URI scheme \"" + std::string(message.request_uri().scheme()) +
                                      "\" is not supported"};
    }
    // §8.1.1.5: the CSeq method matches the request method (RFC 4475 §3.1.2.17-18).
    if (message.cseq().method != message.method_text()) {
      return ValidationError{400, "CSeq method \"" + std::string(message.cseq().method) +
                                      "\" does not match the request method"};
    }
  }
  // RFC 4475 §3.2.1: a branch that is only the magic cookie identifies no transaction.
  const Via top = message.top_via();
  if (top.has_branch() && top.branch() == "z9hG4bK") {
    return ValidationError{400, "Via branch is the bare magic cookie z9hG4bK"};
  }
  if (auto date = message.header(HeaderId::Date); date && !is_valid_rfc1123_date(*date)) {
    return ValidationError{400, "Date is not an RFC 1123 date in GMT"};
  }
  return std::nullopt;
}

}  // namespace sip

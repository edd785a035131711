#include "sim/sip/serializer.hpp"

#include <charconv>

namespace sip {
namespace {

void append_number(std::string& out, std::uint64_t number) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, number);
  out.append(digits, static_cast<std::size_t>(result.ptr - digits));
}

void append_content_length(std::string& out, std::size_t length) {
  out.append("Content-Length: ");
  append_number(out, length);
  out.append("\r\n");
}

}  // namespace

void serialize_to(const Message& message, std::string& out) {
  out.reserve(out.size() + message.buffer_size() + 64);
  if (message.is_request()) {
    out.append(message.method_text());
    out.push_back(' ');
    out.append(message.request_uri().text());
    out.append(" SIP/2.0\r\n");
  } else {
    out.append("SIP/2.0 ");
    append_number(out, static_cast<std::uint64_t>(message.status_code()));
    out.push_back(' ');
    out.append(message.reason_phrase());
    out.append("\r\n");
  }
  const std::string_view body = message.body();
  bool wrote_length = false;
  for (std::size_t i = 0; i < message.header_count(); ++i) {
    const HeaderView field = message.header_at(i);
    if (field.id == HeaderId::ContentLength) {
      // Keep the position the sender chose, but the value always comes from the body.
      if (!wrote_length) append_content_length(out, body.size());
      wrote_length = true;
      continue;
    }
    out.append(field.id == HeaderId::Unknown ? field.name : canonical_name(field.id));
    out.append(": ");
    out.append(field.value);
    out.append("\r\n");
  }
  if (!wrote_length) append_content_length(out, body.size());
  out.append("\r\n");
  out.append(body);
}

std::string serialize(const Message& message) {
  std::string out;
  serialize_to(message, out);
  return out;
}

}  // namespace sip

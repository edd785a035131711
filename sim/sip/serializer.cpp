#include "sim/sip/serializer.hpp"

#include <charconv>
#include <cstring>

#include "sim/core/check.hpp"

namespace sip {
namespace {

constexpr std::string_view kContentLengthPrefix = "Content-Length: ";

// Decimal digits of `number` in `digits`; returns how many.
std::size_t write_number(char (&digits)[24], std::uint64_t number) {
  const auto result = std::to_chars(digits, digits + sizeof digits, number);
  return static_cast<std::size_t>(result.ptr - digits);
}

// Copies `text` to `cursor` and returns the end of the copy.
char* put(char* cursor, std::string_view text) {
  std::memcpy(cursor, text.data(), text.size());
  return cursor + text.size();
}

std::string_view written_name(const HeaderView& field) {
  return field.id == HeaderId::Unknown ? field.name : canonical_name(field.id);
}

}  // namespace

void serialize_to(const Message& message, std::string& out) {
  // The exact size first, then one resize and plain copies: appending piece by piece paid a
  // capacity check and an out-of-line call for each of the ~80 pieces of a message.
  const std::string_view body = message.body();
  char length_digits[24];
  const std::size_t length_size = write_number(length_digits, body.size());
  const std::string_view length_text(length_digits, length_size);
  char status_digits[24];
  std::size_t status_size = 0;

  std::size_t total = 0;
  if (message.is_request()) {
    total += message.method_text().size() + 1 + message.request_uri().text().size() + 10;  // " SIP/2.0\r\n"
  } else {
    status_size = write_number(status_digits, static_cast<std::uint64_t>(message.status_code()));
    total += 8 + status_size + 1 + message.reason_phrase().size() + 2;  // "SIP/2.0 " code SP reason CRLF
  }
  const std::size_t length_line = kContentLengthPrefix.size() + length_size + 2;
  bool has_length_field = false;
  for (std::size_t i = 0; i < message.header_count(); ++i) {
    const HeaderView field = message.header_at(i);
    if (field.id == HeaderId::ContentLength) {
      has_length_field = true;  // one line however many fields: the value comes from the body
      continue;
    }
    total += written_name(field).size() + 2 + field.value.size() + 2;
  }
  total += length_line + 2 + body.size();

  const std::size_t start = out.size();
  out.resize(start + total);
  char* cursor = out.data() + start;
  if (message.is_request()) {
    cursor = put(cursor, message.method_text());
    *cursor++ = ' ';
    cursor = put(cursor, message.request_uri().text());
    cursor = put(cursor, " SIP/2.0\r\n");
  } else {
    cursor = put(cursor, "SIP/2.0 ");
    cursor = put(cursor, std::string_view(status_digits, status_size));
    *cursor++ = ' ';
    cursor = put(cursor, message.reason_phrase());
    cursor = put(cursor, "\r\n");
  }
  const auto put_length_line = [&] {
    cursor = put(cursor, kContentLengthPrefix);
    cursor = put(cursor, length_text);
    cursor = put(cursor, "\r\n");
  };
  bool wrote_length = false;
  for (std::size_t i = 0; i < message.header_count(); ++i) {
    const HeaderView field = message.header_at(i);
    if (field.id == HeaderId::ContentLength) {
      // Keep the position the sender chose, but the value always comes from the body.
      if (!wrote_length) put_length_line();
      wrote_length = true;
      continue;
    }
    cursor = put(cursor, written_name(field));
    cursor = put(cursor, ": ");
    cursor = put(cursor, field.value);
    cursor = put(cursor, "\r\n");
  }
  if (!has_length_field) put_length_line();
  cursor = put(cursor, "\r\n");
  cursor = put(cursor, body);
  DRSIM_CHECK(cursor == out.data() + out.size(), "serialize_to: size computed wrongly");
}

std::string serialize(const Message& message) {
  std::string out;
  serialize_to(message, out);
  return out;
}

}  // namespace sip

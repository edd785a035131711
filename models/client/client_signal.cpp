#include "models/client/client_signal.hpp"

#include <array>
#include <charconv>

namespace client {
namespace {

constexpr std::array<std::string_view, 8> kKindTexts = {"IncomingCall", "CallProgress", "MediaAnswer", "CallAccepted",
                                                        "StopRinging",  "HangUp",       "PlaceCall",   "CallFailed"};

template <class Integer>
bool parse_integer(std::string_view text, Integer& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size();
}

// parse_integer for the call reference, in every signal: inbound references have 19 or 20
// digits, which std::from_chars reads with an overflow check per digit. Up to 19 digits cannot
// overflow, so those are read plainly; longer ones take the checked way.
bool parse_call_reference(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 19) return parse_integer(text, value);
  std::uint64_t result = 0;
  for (const char character : text) {
    const auto digit = static_cast<unsigned char>(character - '0');
    if (digit > 9) return false;
    result = result * 10 + digit;
  }
  value = result;
  return true;
}

bool read_field(std::string_view field, ClientSignal& signal) {
  const std::size_t equals = field.find('=');
  if (equals == std::string_view::npos) return false;
  const std::string_view name = field.substr(0, equals), value = field.substr(equals + 1);
  if (name == "call") return parse_call_reference(value, signal.call);
  if (name == "number") return signal.number.assign(value), !value.empty();
  if (name == "sip") return parse_integer(value, signal.sip_code);
  if (name == "ms") return parse_integer(value, signal.ms_code);
  return false;
}

// The decimal text std::to_string writes.
template <class Integer>
void append_decimal(std::string& text, Integer value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  text.append(digits, static_cast<std::size_t>(end - digits));
}

// The same for the call reference, written two digits at a time from the end: cheaper than
// std::to_chars, which first counts the digits, for the 19 or 20 of an inbound call's reference.
void append_call_reference(std::string& text, std::uint64_t value) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char digits[20];
  std::size_t first = sizeof digits;
  while (value >= 100) {
    const std::size_t pair = static_cast<std::size_t>(value % 100) * 2;
    value /= 100;
    digits[--first] = kPairs[pair + 1];
    digits[--first] = kPairs[pair];
  }
  if (value >= 10) {
    const std::size_t pair = static_cast<std::size_t>(value) * 2;
    digits[--first] = kPairs[pair + 1];
    digits[--first] = kPairs[pair];
  } else {
    digits[--first] = static_cast<char>('0' + value);
  }
  text.append(digits + first, sizeof digits - first);
}

}  // namespace

std::string_view signal_kind_text(SignalKind kind) { return kKindTexts[static_cast<std::size_t>(kind)]; }

std::string encode_signal(const ClientSignal& signal) {
  // Appended into one buffer sized up front: every signal of a busy hour passes here.
  const std::string_view kind = signal_kind_text(signal.kind);
  std::string text;
  text.reserve(kind.size() + 64 + signal.number.size() + signal.phrase.size() + signal.sdp.size());
  text.append(kind).append(" call=");
  append_call_reference(text, signal.call);
  if (!signal.number.empty()) text.append(" number=").append(signal.number);
  if (signal.sip_code != 0) {
    text.append(" sip=");
    append_decimal(text, signal.sip_code);
  }
  if (signal.ms_code != 0) {
    text.append(" ms=");
    append_decimal(text, signal.ms_code);
  }
  text.append("\r\n");
  if (!signal.phrase.empty()) text.append("phrase: ").append(signal.phrase).append("\r\n");
  text.append("\r\n").append(signal.sdp);
  return text;
}

std::optional<ClientSignal> decode_signal(std::string_view bytes) {
  const std::size_t line_end = bytes.find("\r\n");
  if (line_end == std::string_view::npos) return std::nullopt;
  std::string_view fields = bytes.substr(0, line_end);
  std::string_view rest = bytes.substr(line_end + 2);
  ClientSignal signal;
  const std::size_t space = fields.find(' ');
  const std::string_view kind = fields.substr(0, space);
  std::size_t kind_index = 0;
  while (kind_index < kKindTexts.size() && kKindTexts[kind_index] != kind) ++kind_index;
  if (kind_index == kKindTexts.size()) return std::nullopt;
  signal.kind = static_cast<SignalKind>(kind_index);
  fields = space == std::string_view::npos ? std::string_view{} : fields.substr(space + 1);
  bool has_call = false;
  while (!fields.empty()) {
    const std::size_t next = fields.find(' ');
    const std::string_view field = fields.substr(0, next);
    if (!read_field(field, signal)) return std::nullopt;
    has_call = has_call || field.starts_with("call=");
    fields = next == std::string_view::npos ? std::string_view{} : fields.substr(next + 1);
  }
  if (!has_call) return std::nullopt;
  if (rest.starts_with("phrase: ")) {
    const std::size_t phrase_end = rest.find("\r\n");
    if (phrase_end == std::string_view::npos) return std::nullopt;
    signal.phrase.assign(rest.substr(8, phrase_end - 8));
    rest = rest.substr(phrase_end + 2);
  }
  if (!rest.starts_with("\r\n")) return std::nullopt;
  signal.sdp.assign(rest.substr(2));
  return signal;
}

}  // namespace client

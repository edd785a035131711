#include "models/teams/datacenter_message.hpp"

#include <array>
#include <charconv>

namespace teams {
namespace {

constexpr std::array<std::string_view, 2> kKindTexts = {"TrunkRetry", "CallerLeft"};

template <class Integer>
bool parse_integer(std::string_view text, Integer& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc{} && end == text.data() + text.size();
}

bool read_field(std::string_view field, DatacenterMessage& message) {
  const std::size_t equals = field.find('=');
  if (equals == std::string_view::npos) return false;
  const std::string_view name = field.substr(0, equals), value = field.substr(equals + 1);
  if (name == "client") return parse_integer(value, message.client);
  if (name == "call") return parse_integer(value, message.call);
  if (name == "caller") return message.caller.assign(value), !value.empty();
  if (name == "callee") return message.callee.assign(value), !value.empty();
  if (name == "sip") return parse_integer(value, message.sip_code);
  if (name == "ms") return parse_integer(value, message.ms_code);
  return false;
}

// Splits `text` at the first `separator`: returns what is before it and leaves the rest in
// `text` (all of it when the separator is absent).
std::string_view take_until(std::string_view& text, std::string_view separator) {
  const std::size_t at = text.find(separator);
  const std::string_view head = text.substr(0, at);
  text = at == std::string_view::npos ? std::string_view{} : text.substr(at + separator.size());
  return head;
}

}  // namespace

std::string encode_datacenter_message(const DatacenterMessage& message) {
  std::string text(kKindTexts[static_cast<std::size_t>(message.kind)]);
  text += " client=" + std::to_string(message.client) + " call=" + std::to_string(message.call);
  if (message.kind == DatacenterMessageKind::TrunkRetry) {
    text += " caller=" + message.caller + " callee=" + message.callee;
    text += " sip=" + std::to_string(message.sip_code) + " ms=" + std::to_string(message.ms_code);
    text += "\r\nroute:";
    for (const std::string& sbc : message.route) text += " " + sbc;
    text += "\r\nphrase: " + message.phrase;
  }
  text += "\r\n\r\n";
  text += message.client_sdp;
  return text;
}

std::optional<DatacenterMessage> decode_datacenter_message(std::string_view bytes) {
  std::string_view rest = bytes;
  std::string_view fields = take_until(rest, "\r\n");
  DatacenterMessage message;
  const std::string_view kind = take_until(fields, " ");
  std::size_t kind_index = 0;
  while (kind_index < kKindTexts.size() && kKindTexts[kind_index] != kind) ++kind_index;
  if (kind_index == kKindTexts.size()) return std::nullopt;
  message.kind = static_cast<DatacenterMessageKind>(kind_index);
  while (!fields.empty())
    if (!read_field(take_until(fields, " "), message)) return std::nullopt;
  if (message.kind == DatacenterMessageKind::TrunkRetry) {
    std::string_view route = take_until(rest, "\r\n");
    if (!route.starts_with("route:")) return std::nullopt;
    route.remove_prefix(6);
    while (!route.empty()) {
      const std::string_view sbc = take_until(route, " ");
      if (!sbc.empty()) message.route.emplace_back(sbc);
    }
    std::string_view phrase = take_until(rest, "\r\n");
    if (!phrase.starts_with("phrase: ")) return std::nullopt;
    message.phrase.assign(phrase.substr(8));
    if (message.caller.empty() || message.callee.empty() || message.route.empty()) return std::nullopt;
  }
  if (!rest.starts_with("\r\n")) return std::nullopt;
  message.client_sdp.assign(rest.substr(2));
  return message;
}

}  // namespace teams

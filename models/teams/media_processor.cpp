#include "models/teams/media_processor.hpp"

#include <array>
#include <charconv>
#include <string_view>

#include "sim/sip/sdp.hpp"
#include "sim/sip/sip_text.hpp"

namespace teams {
namespace {

std::string hex_digits(std::uint64_t value, int digits) {
  static constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                             '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::string text(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = kHex[value & 0xf];
  return text;
}

// Microsoft offers G.722 and G.711 to an SBC (RC-488: SILK, G.711, G.722 or G.729), plus
// RFC 4733 telephone events for DTMF, in this order of preference.
struct Codec {
  std::string_view encoding;
  int static_payload_type;  // -1: dynamic
  std::string_view rtpmap;  // "<encoding>/<clock>"
};
constexpr std::array<Codec, 4> kCodecs{{{"G722", 9, "G722/8000"},
                                        {"PCMU", 0, "PCMU/8000"},
                                        {"PCMA", 8, "PCMA/8000"},
                                        {"telephone-event", 101, "telephone-event/8000"}}};

// The payload type the offer's first audio section gives `codec`, if it offers it: its static
// number, or the number its rtpmap names (RFC 3264 §6.1: the answer uses the offer's numbers).
std::optional<int> offered_payload_type(const sip::MediaDescription& audio, const Codec& codec) {
  for (const std::string& format : audio.formats) {
    const std::optional<int> payload_type = sip::format_payload_type(format);
    if (payload_type && sip::iequals(sip::static_payload_encoding(*payload_type), codec.encoding)) return payload_type;
  }
  for (const sip::SdpRtpMap& map : audio.rtpmaps())
    if (sip::iequals(map.encoding, codec.encoding)) return map.payload_type;
  return std::nullopt;
}

}  // namespace

std::uint16_t MediaProcessor::media_port(std::uint64_t session) {
  return static_cast<std::uint16_t>(49152 + 2 * (session % 2048));
}

std::string MediaProcessor::session_description(std::uint64_t session) const {
  std::vector<std::pair<int, std::size_t>> all;
  for (std::size_t index = 0; index < kCodecs.size(); ++index) all.emplace_back(kCodecs[index].static_payload_type, index);
  return describe(session, all);
}

std::string MediaProcessor::answer(std::uint64_t session, std::string_view offer) const {
  // RFC 3264 §6.1: an answer lists only formats the offer had. Microsoft's order of preference
  // picks among them; with none in common (not modelled: Microsoft would answer 488), the offer.
  std::vector<std::pair<int, std::size_t>> common;
  if (const auto parsed = sip::parse_sdp(offer); parsed.ok()) {
    for (const sip::MediaDescription& media : parsed.value().media) {
      if (media.media != "audio" || media.port == 0) continue;
      for (std::size_t index = 0; index < kCodecs.size(); ++index)
        if (const auto payload_type = offered_payload_type(media, kCodecs[index])) common.emplace_back(*payload_type, index);
      break;
    }
  }
  bool voice = false;
  for (const auto& [payload_type, index] : common) voice = voice || kCodecs[index].encoding != "telephone-event";
  return voice ? describe(session, common) : session_description(session);
}

std::string MediaProcessor::describe(std::uint64_t session, const std::vector<std::pair<int, std::size_t>>& codecs) const {
  char port[8];
  const std::size_t port_length =
      static_cast<std::size_t>(std::to_chars(port, port + sizeof port, media_port(session)).ptr - port);
  char number[24];
  const std::size_t number_length =
      static_cast<std::size_t>(std::to_chars(number, number + sizeof number, session).ptr - number);
  std::string text;
  text.reserve(520 + 3 * address_.size());
  text.append("v=0\r\no=- ").append(number, number_length).append(" 1 IN IP4 ").append(address_);
  text.append("\r\ns=-\r\nc=IN IP4 ").append(address_);
  // Direct Routing media is SRTP (SDES keys, RFC 4568); one host candidate: the processor has
  // a public address.
  text.append("\r\nt=0 0\r\nm=audio ").append(port, port_length).append(" RTP/SAVP");
  for (const auto& [payload_type, index] : codecs) text.append(" ").append(std::to_string(payload_type));
  text.append("\r\n");
  for (const auto& [payload_type, index] : codecs) {
    text.append("a=rtpmap:").append(std::to_string(payload_type)).append(" ").append(kCodecs[index].rtpmap).append("\r\n");
    if (kCodecs[index].encoding == "telephone-event")
      text.append("a=fmtp:").append(std::to_string(payload_type)).append(" 0-16\r\n");
  }
  text.append("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:").append(sip::sdes_inline_key(session)).append("\r\n");
  // RFC 8839 §5.4: ice-ufrag of at least 4 and ice-pwd of at least 22 ice-chars.
  text.append("a=ice-ufrag:mp").append(hex_digits(session, 8));
  text.append("\r\na=ice-pwd:mp").append(hex_digits(session, 16)).append(hex_digits(~session, 8));
  text.append("\r\na=candidate:1 1 UDP 2130706431 ").append(address_).push_back(' ');
  text.append(port, port_length).append(" typ host\r\na=sendrecv\r\n");
  return text;
}

}  // namespace teams

#include "models/teams/media_processor.hpp"

#include <array>
#include <charconv>

namespace teams {
namespace {

std::string hex_digits(std::uint64_t value, int digits) {
  static constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                             '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::string text(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = kHex[value & 0xf];
  return text;
}

}  // namespace

std::uint16_t MediaProcessor::media_port(std::uint64_t session) {
  return static_cast<std::uint16_t>(49152 + 2 * (session % 2048));
}

std::string MediaProcessor::session_description(std::uint64_t session) const {
  char port[8];
  const std::size_t port_length =
      static_cast<std::size_t>(std::to_chars(port, port + sizeof port, media_port(session)).ptr - port);
  char number[24];
  const std::size_t number_length =
      static_cast<std::size_t>(std::to_chars(number, number + sizeof number, session).ptr - number);
  // Appended into one buffer: every inbound call's answer is written here.
  std::string text;
  text.reserve(420 + 3 * address_.size());
  text.append("v=0\r\no=- ").append(number, number_length).append(" 1 IN IP4 ").append(address_);
  text.append("\r\ns=-\r\nc=IN IP4 ").append(address_);
  text.append("\r\nt=0 0\r\nm=audio ").append(port, port_length);
  // Microsoft offers G.722 and G.711 to an SBC (RC-488: SILK, G.711, G.722 or G.729), plus
  // RFC 4733 telephone events for DTMF; one host candidate: the processor has a public address.
  text.append(
      " RTP/SAVP 9 0 8 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\n"
      "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ice-ufrag:");
  // RFC 8839 §5.4: ice-ufrag of at least 4 and ice-pwd of at least 22 ice-chars.
  text.append("mp").append(hex_digits(session, 8));
  text.append("\r\na=ice-pwd:mp").append(hex_digits(session, 16)).append(hex_digits(~session, 8));
  text.append("\r\na=candidate:1 1 UDP 2130706431 ").append(address_).push_back(' ');
  text.append(port, port_length).append(" typ host\r\na=sendrecv\r\n");
  return text;
}

}  // namespace teams

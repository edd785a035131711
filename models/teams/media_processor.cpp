#include "models/teams/media_processor.hpp"

#include <array>

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
  const std::string port = std::to_string(media_port(session));
  // RFC 8839 §5.4: ice-ufrag of at least 4 and ice-pwd of at least 22 ice-chars.
  const std::string ufrag = "mp" + hex_digits(session, 8);
  const std::string password = "mp" + hex_digits(session, 16) + hex_digits(~session, 8);
  // Microsoft offers G.722 and G.711 to an SBC (RC-488: SILK, G.711, G.722 or G.729), plus
  // RFC 4733 telephone events for DTMF; one host candidate: the processor has a public address.
  return "v=0\r\no=- " + std::to_string(session) + " 1 IN IP4 " + address_ + "\r\ns=-\r\nc=IN IP4 " + address_ +
         "\r\nt=0 0\r\nm=audio " + port +
         " RTP/SAVP 9 0 8 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ice-ufrag:" +
         ufrag + "\r\na=ice-pwd:" + password + "\r\na=candidate:1 1 UDP 2130706431 " + address_ + " " + port +
         " typ host\r\na=sendrecv\r\n";
}

}  // namespace teams

#include "models/pstn/carrier_media.hpp"

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "sim/sip/sip_text.hpp"

namespace pstn {
namespace {

constexpr std::string_view kPacketTime = "ptime:20";

std::string address_type(const net::IpAddress& address) {
  return address.family() == net::IpFamily::V4 ? "IP4" : "IP6";
}

// v=, o=, s=, c= and t= (RFC 4566 §5): the session part of every description the carrier writes.
sip::SessionDescription session_part(const MediaEndpoint& local, std::string_view timing) {
  const std::string id = std::to_string(local.session_id);
  const std::string address = "IN " + address_type(local.address) + " " + local.address.text();
  sip::SessionDescription sdp;
  sdp.lines = {{'v', "0"}, {'o', "- " + id + " " + id + " " + address}, {'s', "-"}, {'c', address},
               {'t', std::string(timing)}};
  return sdp;
}

std::string_view direction_attribute(sip::MediaDirection direction) {
  switch (direction) {
    case sip::MediaDirection::SendRecv: return "sendrecv";
    case sip::MediaDirection::SendOnly: return "sendonly";
    case sip::MediaDirection::RecvOnly: return "recvonly";
    case sip::MediaDirection::Inactive: return "inactive";
  }
  return "sendrecv";
}

// RFC 3264 §6.1: a sendonly offer is answered recvonly and the reverse; the others stay.
sip::MediaDirection mirrored(sip::MediaDirection offered) {
  if (offered == sip::MediaDirection::SendOnly) return sip::MediaDirection::RecvOnly;
  if (offered == sip::MediaDirection::RecvOnly) return sip::MediaDirection::SendOnly;
  return offered;
}

// The encoding a format of `media` names: its rtpmap, else the RFC 3551 static assignment.
std::string_view encoding_of(const sip::MediaDescription& media, int payload_type) {
  for (const sip::SdpRtpMap& map : media.rtpmaps()) {
    if (map.payload_type == payload_type) return map.clock_rate == 8000 ? map.encoding : std::string_view{};
  }
  if (payload_type == 0) return "PCMU";
  if (payload_type == 8) return "PCMA";
  return {};
}

// An m= format as an RTP payload type (RFC 3550 §5.1: 7 bits), or -1.
int payload_type_of(std::string_view format) {
  int value = -1;
  const auto [end, error] = std::from_chars(format.data(), format.data() + format.size(), value);
  const bool whole = error == std::errc() && end == format.data() + format.size();
  return whole && value >= 0 && value <= 127 ? value : -1;
}

struct Chosen {
  int voice = -1;           // PCMU or PCMA
  int telephone_event = -1;
};

Chosen choose_formats(const sip::MediaDescription& media) {
  Chosen chosen;
  for (const std::string& format : media.formats) {
    const int payload_type = payload_type_of(format);
    if (payload_type < 0) continue;
    const std::string_view encoding = encoding_of(media, payload_type);
    const bool g711 = sip::iequals(encoding, "PCMU") || sip::iequals(encoding, "PCMA");
    if (g711 && chosen.voice < 0) chosen.voice = payload_type;
    if (sip::iequals(encoding, "telephone-event") && chosen.telephone_event < 0) chosen.telephone_event = payload_type;
  }
  return chosen;
}

sip::MediaDescription refused_stream(const sip::MediaDescription& offered) {
  // RFC 3264 §6: a refused stream keeps its m= line with port zero and at least one format.
  sip::MediaDescription media;
  media.media = offered.media;
  media.proto = offered.proto;
  media.formats = {offered.formats.empty() ? std::string("0") : offered.formats.front()};
  return media;
}

sip::MediaDescription accepted_stream(const sip::MediaDescription& offered, const Chosen& chosen,
                                      std::uint16_t port, sip::MediaDirection direction) {
  sip::MediaDescription media;
  media.media = "audio";
  media.port = port;
  media.proto = offered.proto;
  const std::string voice = std::to_string(chosen.voice);
  media.formats = {voice};  // one voice codec, as gateways answer
  media.lines.push_back({'a', "rtpmap:" + voice + " " + std::string(encoding_of(offered, chosen.voice)) + "/8000"});
  if (chosen.telephone_event >= 0) {
    const std::string type = std::to_string(chosen.telephone_event);
    media.formats.push_back(type);
    media.lines.push_back({'a', "rtpmap:" + type + " telephone-event/8000"});
    // RFC 4733 §2.4.1: without fmtp the events are 0-15; keep what the offer allowed.
    const std::string_view events = offered.fmtp(chosen.telephone_event).value_or("0-15");
    media.lines.push_back({'a', "fmtp:" + type + " " + std::string(events)});
  }
  media.lines.push_back({'a', std::string(kPacketTime)});
  media.lines.push_back({'a', std::string(direction_attribute(direction))});
  return media;
}

}  // namespace

std::string g711_offer_text(const MediaEndpoint& local, std::string_view address_text) {
  // Written straight out: a call needs only the text, and building the lines and serializing
  // them cost several times more. Telephone events on 101, the dynamic type gateways
  // customarily use; the packet time the answers use too.
  static_assert(kPacketTime == "ptime:20", "the text below writes it out");
  char session[24];
  const std::size_t session_length =
      static_cast<std::size_t>(std::to_chars(session, session + sizeof session, local.session_id).ptr - session);
  char port[8];
  const std::size_t port_length =
      static_cast<std::size_t>(std::to_chars(port, port + sizeof port, local.port).ptr - port);
  const std::string_view address_type = local.address.family() == net::IpFamily::V4 ? "IP4 " : "IP6 ";
  std::string text;
  text.reserve(256 + 2 * address_text.size());
  text.append("v=0\r\no=- ").append(session, session_length).push_back(' ');
  text.append(session, session_length).append(" IN ").append(address_type).append(address_text);
  text.append("\r\ns=-\r\nc=IN ").append(address_type).append(address_text);
  text.append("\r\nt=0 0\r\nm=audio ").append(port, port_length);
  text.append(
      " RTP/AVP 0 8 101\r\n"
      "a=rtpmap:0 PCMU/8000\r\n"
      "a=rtpmap:8 PCMA/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n"
      "a=fmtp:101 0-16\r\n"
      "a=ptime:20\r\n"
      "a=sendrecv\r\n");
  return text;
}

std::optional<sip::SessionDescription> make_g711_answer(const sip::SessionDescription& offer,
                                                        const MediaEndpoint& local) {
  std::string timing = "0 0";
  for (const sip::SdpLine& line : offer.lines) {
    if (line.type == 't') timing = line.value;  // RFC 3264 §6: t= equals the offer's
  }
  sip::SessionDescription answer = session_part(local, timing);
  bool accepted_any = false;
  std::uint16_t next_port = local.port;
  for (std::size_t index = 0; index < offer.media.size(); ++index) {
    const sip::MediaDescription& offered = offer.media[index];
    const Chosen chosen = choose_formats(offered);
    if (offered.media != "audio" || offered.port == 0 || chosen.voice < 0) {
      answer.media.push_back(refused_stream(offered));
      continue;
    }
    // RTP on an even port, RTCP on the next odd one (RFC 3550 §11): streams step by two.
    answer.media.push_back(accepted_stream(offered, chosen, next_port, mirrored(offer.effective_direction(index))));
    next_port = static_cast<std::uint16_t>(next_port + 2);
    accepted_any = true;
  }
  if (!accepted_any) return std::nullopt;
  return answer;
}

}  // namespace pstn

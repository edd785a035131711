#include "models/sbc/sdp_rewriting.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/sip/sdp.hpp"

namespace sbc {
namespace {

// RFC 4566 §5.7: "c=IN IP4 <address>" or "IN IP6 <address>".
std::string connection_value(const net::IpAddress& address, std::string_view address_text) {
  return std::string(address.family() == net::IpFamily::V4 ? "IN IP4 " : "IN IP6 ").append(address_text);
}

void anchor_at(sip::SessionDescription& sdp, const std::string& connection) {
  const auto rewrite = [&connection](std::vector<sip::SdpLine>& lines) {
    for (sip::SdpLine& line : lines)
      if (line.type == 'c') line.value = connection;
  };
  rewrite(sdp.lines);
  for (sip::MediaDescription& media : sdp.media) rewrite(media.lines);
}

bool is_ice_attribute(const sip::SdpLine& line) {
  if (line.type != 'a') return false;
  const std::string_view name = std::string_view(line.value).substr(0, line.value.find(':'));
  return name == "ice-ufrag" || name == "ice-pwd" || name == "ice-lite" || name == "ice-options";
}

// `sdp` is `text` parsed and stripped of its candidates.
void keep_trunk_codecs(sip::SessionDescription& sdp, std::string_view text, std::span<const std::string> trunk_codecs) {
  const std::vector<std::string_view> names(trunk_codecs.begin(), trunk_codecs.end());
  sip::keep_only_codec_names(sdp, names);
  // A section left without formats gets its codecs back. That is rare, so the original is made
  // again from the text only then, rather than copied before every filtering.
  std::optional<sip::SessionDescription> original;
  for (std::size_t index = 0; index < sdp.media.size(); ++index) {
    if (!sdp.media[index].formats.empty()) continue;
    if (!original) {
      original = sip::parse_sdp(text).value();
      sip::strip_ice_candidates(*original);
    }
    sdp.media[index] = original->media[index];
  }
}

// RFC 8445 §5.1.2.1 with type preference 126 (host), local preference 65535, component 1.
constexpr std::string_view kHostCandidatePriority = "2130706431";

void offer_ice_lite(sip::SessionDescription& sdp, std::string_view address_text, const IceCredentials& credentials) {
  sip::strip_ice_candidates(sdp);
  std::erase_if(sdp.lines, is_ice_attribute);
  sdp.lines.push_back({'a', "ice-lite"});
  for (sip::MediaDescription& media : sdp.media) {
    std::erase_if(media.lines, is_ice_attribute);
    if (media.port == 0) continue;  // a rejected stream gets no candidates (RFC 3264 §6)
    media.lines.push_back({'a', "ice-ufrag:" + credentials.ufrag});
    media.lines.push_back({'a', "ice-pwd:" + credentials.pwd});
    const std::string candidate = "candidate:1 1 UDP " + std::string(kHostCandidatePriority) + " " +
                                  std::string(address_text) + " " + std::to_string(media.port) + " typ host";
    media.lines.push_back({'a', candidate});
  }
}

}  // namespace

std::optional<std::string> sdp_for_trunk(std::string_view sdp, const net::IpAddress& media_address,
                                         std::span<const std::string> trunk_codecs) {
  return SdpRewriter(media_address, trunk_codecs).for_trunk(sdp);
}

std::optional<std::string> sdp_for_microsoft(std::string_view sdp, const net::IpAddress& media_address,
                                             const std::optional<IceCredentials>& ice_lite) {
  return SdpRewriter(media_address, {}).for_microsoft(sdp, ice_lite);
}

SdpRewriter::SdpRewriter(const net::IpAddress& media_address, std::span<const std::string> trunk_codecs)
    : address_text_(media_address.text()),
      connection_value_(connection_value(media_address, address_text_)),
      trunk_codecs_(trunk_codecs.begin(), trunk_codecs.end()) {}

std::optional<std::string> SdpRewriter::for_trunk(std::string_view sdp) const {
  auto parsed = sip::parse_sdp(sdp);
  if (!parsed.ok()) return std::nullopt;
  sip::SessionDescription& description = parsed.value();
  sip::strip_ice_candidates(description);
  keep_trunk_codecs(description, sdp, trunk_codecs_);
  anchor_at(description, connection_value_);
  return sip::serialize_sdp(description);
}

std::optional<std::string> SdpRewriter::for_microsoft(std::string_view sdp,
                                                      const std::optional<IceCredentials>& ice_lite) const {
  auto parsed = sip::parse_sdp(sdp);
  if (!parsed.ok()) return std::nullopt;
  sip::SessionDescription& description = parsed.value();
  anchor_at(description, connection_value_);
  if (ice_lite) offer_ice_lite(description, address_text_, *ice_lite);
  return sip::serialize_sdp(description);
}

}  // namespace sbc

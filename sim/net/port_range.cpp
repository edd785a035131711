#include "sim/net/port_range.hpp"

#include <charconv>

namespace net {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  std::uint16_t port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return port;
}

}  // namespace

std::optional<PortRange> PortRange::parse(std::string_view text) {
  const std::size_t dash = text.find('-');
  const auto first = parse_port(text.substr(0, dash));
  if (!first) return std::nullopt;
  if (dash == std::string_view::npos) return single(*first);
  const auto last = parse_port(text.substr(dash + 1));
  if (!last || *last < *first) return std::nullopt;
  return PortRange{*first, *last};
}

}  // namespace net

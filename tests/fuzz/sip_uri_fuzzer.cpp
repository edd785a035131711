// libFuzzer target for URIs and name-addrs (RFC 3261 §19.1, §20.10, §25.1; RFC 3966). Beyond
// not crashing or tripping a sanitizer, these hold:
//  - a URI that parses alone parses to the same parts inside <> as a name-addr, and as the
//    Request-URI of a message when it has no headers (§19.1.1 forbids them there);
//  - a name-addr rebuilt from its parts parses to the same parts;
//  - is_ipv6_address agrees with inet_pton, the C library's reading of RFC 4291 §2.2.
// A broken invariant prints what broke and traps, so libFuzzer keeps the input.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "sim/sip/name_addr.hpp"
#include "sim/sip/parser.hpp"
#include "sim/sip/uri.hpp"

namespace {

[[noreturn]] void invariant_broken(const char* what, std::string_view detail) {
  std::fprintf(stderr, "sip_uri_fuzzer: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  __builtin_trap();
}

void require(bool condition, const char* what, std::string_view detail) {
  if (!condition) invariant_broken(what, detail);
}

// Every part of a URI on one line, so two readings compare as strings and print readably.
std::string describe(const sip::Uri& uri) {
  std::string out;
  for (std::string_view part :
       {uri.scheme(), uri.user(), uri.password(), uri.host(), uri.params(), uri.headers()}) {
    out.append(part).push_back('|');
  }
  out += std::to_string(static_cast<int>(uri.scheme_kind())) + "|";
  out += std::to_string(static_cast<int>(uri.host_kind())) + "|";
  out += std::to_string(uri.has_user()) + "|" + (uri.port() ? std::to_string(*uri.port()) : "-");
  return out;
}

std::string describe(const sip::NameAddr& name_addr) {
  return std::string(name_addr.display_name_raw()) + "|" + describe(name_addr.uri()) + "|" +
         std::string(name_addr.params()) + "|" + std::to_string(name_addr.angle_brackets()) + "|" +
         std::to_string(name_addr.has_tag()) + "|" + std::string(name_addr.tag());
}

void check_uri(std::string_view text) {
  auto uri = sip::parse_uri(text);
  if (!uri.ok()) return;
  require(uri->text() == text, "URI text is not the whole input", text);
  static_cast<void>(uri->user_unescaped());
  static_cast<void>(uri->param("transport"));
  static_cast<void>(uri->header("Replaces"));
  const std::string expected = describe(uri.value());

  const std::string bracketed = "<" + std::string(text) + ">";
  auto name_addr = sip::parse_name_addr(bracketed);
  if (!name_addr.ok()) invariant_broken("URI does not parse inside <>", bracketed + "\n" + name_addr.error());
  require(describe(name_addr->uri()) == expected, "URI parses differently inside <>", bracketed);

  if (!uri->headers().empty()) return;
  const std::string request = "OPTIONS " + std::string(text) + " SIP/2.0\r\n\r\n";
  auto message = sip::parse_message(request);
  if (!message.ok()) {
    invariant_broken("URI is refused as a Request-URI", request + sip::format_parse_error(message.error()));
  }
  require(describe(message->request_uri()) == expected, "URI parses differently as a Request-URI", request);
}

std::string rebuild(const sip::NameAddr& name_addr) {
  std::string out;
  if (name_addr.angle_brackets()) {
    out.append(name_addr.display_name_raw());
    if (!out.empty()) out.push_back(' ');
    out.append("<").append(name_addr.uri().text()).append(">");
  } else {
    out.append(name_addr.uri().text());
  }
  if (!name_addr.params().empty()) out.append(";").append(name_addr.params());
  return out;
}

void check_name_addr(std::string_view text) {
  auto name_addr = sip::parse_name_addr(text);
  if (!name_addr.ok()) return;
  static_cast<void>(name_addr->display_name());
  static_cast<void>(name_addr->param("expires"));
  const std::string rebuilt = rebuild(name_addr.value());
  auto again = sip::parse_name_addr(rebuilt);
  if (!again.ok()) invariant_broken("rebuilt name-addr does not parse", rebuilt + "\n" + again.error());
  require(describe(again.value()) == describe(name_addr.value()), "rebuilt name-addr parses differently",
          std::string(text) + "\n" + rebuilt);
}

// inet_pton reads an embedded IPv4 address without leading zeros; RFC 3261's IPv4address
// (1*3DIGIT) allows them, so such inputs are not compared.
bool has_leading_zero_in_dotted_part(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  const std::string_view dotted = colon == std::string_view::npos ? text : text.substr(colon + 1);
  for (std::size_t i = 0; i + 1 < dotted.size(); ++i) {
    const bool starts_part = i == 0 || dotted[i - 1] == '.';
    if (starts_part && dotted[i] == '0' && sip::is_digit(dotted[i + 1])) return true;
  }
  return false;
}

void check_ipv6(std::string_view text) {
  if (text.size() > 64 || text.find('\0') != std::string_view::npos) return;
  if (has_leading_zero_in_dotted_part(text)) return;
  unsigned char address[16];
  const bool libc = inet_pton(AF_INET6, std::string(text).c_str(), address) == 1;
  require(sip::is_ipv6_address(text) == libc, "is_ipv6_address disagrees with inet_pton", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_uri(text);
  check_name_addr(text);
  check_ipv6(text);
  return 0;
}

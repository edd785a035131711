#include <doctest/doctest.h>

#include <string>

#include "sim/sip/name_addr.hpp"
#include "sim/sip/sip_text.hpp"
#include "sim/sip/uri.hpp"

TEST_CASE("a SIP URI splits into user host port parameters and headers") {
  auto uri = sip::parse_uri("sip:+442079460123@sbc1.contoso.com:5061;user=phone;transport=tls;lr?Reason=SIP%3Bcause%3D302&x=1");
  REQUIRE(uri.ok());
  CHECK(uri->scheme_kind() == sip::UriScheme::Sip);
  CHECK(uri->user() == "+442079460123");
  CHECK(uri->host() == "sbc1.contoso.com");
  CHECK(uri->host_kind() == sip::HostKind::Fqdn);
  CHECK(!uri->host_is_ip());
  CHECK(uri->port() == std::optional<std::uint16_t>(5061));
  CHECK(uri->param("user") == std::optional<std::string_view>("phone"));
  CHECK(uri->param("TRANSPORT") == std::optional<std::string_view>("tls"));
  CHECK(uri->param("lr") == std::optional<std::string_view>(""));
  CHECK(!uri->param("maddr").has_value());
  CHECK(sip::unescape(*uri->header("Reason")) == "SIP;cause=302");
  CHECK(uri->header("x") == std::optional<std::string_view>("1"));
}

TEST_CASE("IPv4 and bracketed IPv6 hosts are recognised as IP addresses") {
  auto v4 = sip::parse_uri("sip:52.114.76.76:5061");
  REQUIRE(v4.ok());
  CHECK(v4->host_kind() == sip::HostKind::Ipv4);
  CHECK(v4->host_is_ip());
  CHECK(!v4->has_user());
  auto v6 = sip::parse_uri("sips:alice@[2603:1063:21d:14::3a]:5061;maddr=[::1]");
  REQUIRE(v6.ok());
  CHECK(v6->host_kind() == sip::HostKind::Ipv6);
  CHECK(v6->host() == "2603:1063:21d:14::3a");
  CHECK(v6->port() == std::optional<std::uint16_t>(5061));
  CHECK(v6->scheme_kind() == sip::UriScheme::Sips);
  CHECK(sip::parse_uri("sip:999.1.1.1").ok());  // not an IPv4 address, but a legal (odd) host name
  CHECK(sip::parse_uri("sip:999.1.1.1")->host_kind() == sip::HostKind::Fqdn);
  CHECK(!sip::parse_uri("sip:[2001:db8::1").ok());
  CHECK(!sip::parse_uri("sip:host:99999").ok());
}

TEST_CASE("tel URIs and unknown schemes are kept") {
  auto tel = sip::parse_uri("tel:+1-201-555-0123;phone-context=example.com");
  REQUIRE(tel.ok());
  CHECK(tel->scheme_kind() == sip::UriScheme::Tel);
  CHECK(tel->user() == "+1-201-555-0123");
  CHECK(tel->param("phone-context") == std::optional<std::string_view>("example.com"));
  auto other = sip::parse_uri("soap.beep://192.0.2.103:3002");
  REQUIRE(other.ok());
  CHECK(other->scheme_kind() == sip::UriScheme::Other);
  CHECK(other->text() == "soap.beep://192.0.2.103:3002");
}

TEST_CASE("escapes in user parts are validated and decoded once") {
  CHECK(!sip::parse_uri("sip:bad%2@example.com").ok());
  auto uri = sip::parse_uri("sip:a%2541@example.com");
  REQUIRE(uri.ok());
  CHECK(uri->user_unescaped() == "a%41");
}

TEST_CASE("an empty user before '@' parses so the Direct Routing lint can name the rule") {
  auto uri = sip::parse_uri("sip:@sbc1.contoso.com");
  REQUIRE(uri.ok());
  CHECK(uri->has_user());
  CHECK(uri->user().empty());
}

TEST_CASE("name-addr and addr-spec: display names brackets and header parameters") {
  auto quoted = sip::parse_name_addr("\"Alice \\\"A\\\" Contoso\" <sip:+4420@pstnhub.microsoft.com;user=phone>;tag=abc;x=1");
  REQUIRE(quoted.ok());
  CHECK(quoted->display_name() == "Alice \"A\" Contoso");
  CHECK(quoted->uri().param("user") == std::optional<std::string_view>("phone"));
  CHECK(quoted->tag() == "abc");
  CHECK(quoted->param("x") == std::optional<std::string_view>("1"));
  auto bare = sip::parse_name_addr("sip:bob@example.com;tag=9");
  REQUIRE(bare.ok());
  CHECK(!bare->angle_brackets());
  CHECK(bare->tag() == "9");
  CHECK(bare->uri().params().empty());
  CHECK(!sip::parse_name_addr("Bell, Alexander <sip:a@b.c>").ok());
  CHECK(!sip::parse_name_addr("\"open <sip:a@b.c>").ok());
  CHECK(!sip::parse_name_addr("< sip:a@b.c >").ok());
  CHECK(!sip::parse_name_addr("sip:a@b.c?Route=x").ok());
  CHECK(!sip::parse_name_addr("<sip:a@b.c>;;;").ok());
}

// Regressions found by tests/fuzz (sip_uri_fuzzer).

TEST_CASE("tel URI parameters follow the same grammar as SIP URI parameters") {
  // Anything went after the first ';' of a tel URI, so "<tel:1;a>b>" or a Request-URI with a
  // control character parsed alone but not inside a message.
  CHECK(!sip::parse_uri("tel:+15550100;a b").ok());
  CHECK(!sip::parse_uri("tel:+15550100;x>y").ok());
  CHECK(!sip::parse_uri("tel:+15550100;\x11").ok());
  CHECK(!sip::parse_uri("tel:+15550100;").ok());
  CHECK(!sip::parse_uri("tel:+15550100;;ext=1").ok());
  auto tel = sip::parse_uri("tel:5550100;phone-context=+1-206;ext=22");
  REQUIRE(tel.ok());
  CHECK(tel->params() == "phone-context=+1-206;ext=22");
  CHECK(!sip::parse_uri("sip:sbc1.contoso.com;lr;").ok());  // an empty last parameter, too
}

TEST_CASE("an IPv6 address with a dotted tail has exactly the groups it needs") {
  // "5.21.5.212" was accepted as IPv6: the dotted tail was checked, not what came before it.
  CHECK(!sip::is_ipv6_address("192.0.2.1"));
  CHECK(!sip::parse_uri("sip:[192.0.2.1]").ok());
  CHECK(!sip::is_ipv6_address("1:192.0.2.1"));
  CHECK(!sip::is_ipv6_address("1:2:3:4:5:6:7:192.0.2.1"));
  CHECK(!sip::is_ipv6_address("1::2:3:4:5:6:192.0.2.1"));
  CHECK(sip::is_ipv6_address("1:2:3:4:5:6:192.0.2.1"));
  CHECK(sip::is_ipv6_address("1::5:6:192.0.2.1"));
  CHECK(sip::is_ipv6_address("::ffff:192.0.2.1"));
  CHECK(sip::is_ipv6_address("::192.0.2.1"));
}

// ---- the scanners behind the parser: 16-byte class tests must agree with the byte tables ----

namespace {

template <class Class>
void check_class_scan(const char* name) {
  // Every byte value, at every position of a 16-byte chunk and in the scalar tail; the result
  // never passes `end`, even when the chunk read beyond it is all in the class.
  for (int value = 0; value < 256; ++value) {
    const char byte = static_cast<char>(value);
    int mismatches = 0;
    for (std::size_t position = 0; position < 40; ++position) {
      std::string text(48, 'a');
      text[position] = byte;
      for (std::size_t end = 0; end <= text.size(); end += 7) {
        const char* data = text.data();
        const char* expected = data;
        while (expected < data + end && Class::byte(*expected)) ++expected;
        mismatches += sip::skip_class<Class>(data, data + end, data + text.size()) != expected ? 1 : 0;
      }
    }
    INFO(name << " byte " << value);
    CHECK(mismatches == 0);
  }
}

}  // namespace

TEST_CASE("the 16-byte character class scans agree with the §25.1 tables for every byte") {
  for (int value = 0; value < 256; ++value) {
    const char c = static_cast<char>(value);
    CHECK(sip::HostnameClass::byte(c) == sip::has_class(c, sip::kHostnameChar));
    CHECK(sip::TokenClass::byte(c) == sip::is_token_char(c));
    CHECK(sip::ParamClass::byte(c) == sip::has_class(c, sip::kParamChar));
    CHECK(sip::UserOrColonClass::byte(c) == (c == ':' || sip::has_class(c, sip::kUserChar)));
    CHECK(sip::NotLwsClass::byte(c) == !sip::is_lws_char(c));
  }
  check_class_scan<sip::HostnameClass>("hostname");
  check_class_scan<sip::TokenClass>("token");
  check_class_scan<sip::TokenOrColonClass>("token or colon");
  check_class_scan<sip::ParamClass>("param");
  check_class_scan<sip::UserOrColonClass>("user or colon");
  check_class_scan<sip::NotLwsClass>("not LWS");
}

TEST_CASE("find_byte finds what string_view::find finds, never past the range it is given") {
  std::string text;
  for (int i = 0; i < 200; ++i) text.push_back(static_cast<char>('a' + (i * 7) % 23));
  for (std::size_t at : {0, 5, 15, 16, 17, 63, 64, 65, 130, 199}) {
    std::string haystack = text;
    haystack[at] = '@';
    const std::string_view whole = haystack;
    for (std::size_t length = 0; length <= whole.size(); length += 3) {
      const std::string_view range = whole.substr(0, length);
      for (std::size_t from : {0, 1, 20, 70}) {
        INFO("'@' at " << at << " length " << length << " from " << from);
        CHECK(sip::find_byte(range, '@', from) == range.find('@', from));
        CHECK(sip::find_byte(range, '@', from, whole.data() + whole.size()) == range.find('@', from));
      }
    }
  }
}

namespace {
// IPv4address as §25.1 reads: four dot-separated groups of one to three digits, each at most 255
// (leading zeros allowed, as the parser always has). Written from the grammar, not the parser.
bool ipv4_by_the_grammar(std::string_view text) {
  int groups = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    const std::string_view group = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (group.empty() || group.size() > 3) return false;
    int value = 0;
    for (char c : group) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++groups;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return groups == 4;
}
}  // namespace

TEST_CASE("is_ipv4_address agrees with the IPv4address grammar on every short string of digits and dots") {
  // Every string of up to 9 bytes over "0259." plus a letter covers group lengths 0 to 4, values
  // on both sides of 255, empty groups and leading or trailing dots.
  const std::string_view alphabet = "0259.a";
  std::string text;
  std::size_t checked = 0;
  const auto visit = [&](auto&& self, std::size_t length) -> void {
    if (text.size() == length) {
      CHECK_MESSAGE(sip::is_ipv4_address(text) == ipv4_by_the_grammar(text), text);
      ++checked;
      return;
    }
    for (char c : alphabet) {
      text.push_back(c);
      self(self, length);
      text.pop_back();
    }
  };
  for (std::size_t length = 0; length <= 8; ++length) visit(visit, length);
  CHECK(checked > 1000000);
  for (std::string_view sample : {"255.255.255.255", "256.1.1.1", "1.2.3.4.", "0001.1.1.1", "198.51.100.20",
                                  "10.0.0.1", "1.2.3", "1.2.3.4.5", "203.0.113.10", "25.25.25.255", "25.25.25.256"}) {
    CHECK_MESSAGE(sip::is_ipv4_address(sample) == ipv4_by_the_grammar(sample), sample);
  }
}

TEST_CASE("a name-addr that starts with '<' records the same parts as one with a display name before it") {
  // The '<' fast path records an empty display name at the start, as the search path did.
  const std::string text = "<sip:+12065550100@198.51.100.20;user=phone>;tag=2b2b";
  sip::NameAddrParts parts;
  sip::FieldError error;
  REQUIRE(sip::parse_name_addr_parts(text, text, parts, error));
  CHECK(parts.display_name == sip::Range{0, 0});
  CHECK(parts.angle_brackets);
  CHECK(parts.uri.host.in(text) == "198.51.100.20");
  CHECK(parts.uri.host_kind == sip::HostKind::Ipv4);
  CHECK(parts.tag.in(text) == "2b2b");
  const std::string spaced = "  <sip:a@b>";
  REQUIRE(sip::parse_name_addr_parts(spaced, spaced, parts, error));
  CHECK(parts.display_name == sip::Range{2, 0});  // trimmed start, as before
  const std::string named = "Bob <sip:a@b>";
  REQUIRE(sip::parse_name_addr_parts(named, named, parts, error));
  CHECK(parts.display_name.in(named) == "Bob");
}

// RFC 4475 torture tests: every valid message parses with the meaning the RFC describes, every
// invalid one is refused by the parser or by validate_message, with a reason.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "sim/sip/message_validation.hpp"
#include "sim/sip/parser.hpp"
#include "sim/sip/serializer.hpp"

namespace {

const std::string kCorpus = DRSIM_SHARED_DIR "/corpus/rfc4475";

bool corpus_present() { return std::filesystem::exists(kCorpus + "/INDEX.tsv"); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string corpus_file(const std::string& name) { return read_file(kCorpus + "/" + name + ".dat"); }

// file name (without .dat) -> expected class from INDEX.tsv
std::map<std::string, std::string> read_index() {
  std::map<std::string, std::string> out;
  std::ifstream in(kCorpus + "/INDEX.tsv");
  std::string line;
  std::getline(in, line);  // header row
  while (std::getline(in, line)) {
    const auto tab1 = line.find('\t');
    const auto tab2 = line.find('\t', tab1 + 1);
    const auto tab3 = line.find('\t', tab2 + 1);
    std::string file = line.substr(0, tab1);
    file = file.substr(0, file.size() - 4);
    out[file] = line.substr(tab2 + 1, tab3 - tab2 - 1);
  }
  return out;
}

sip::Message parse_ok(const std::string& name) {
  auto result = sip::parse_message(corpus_file(name));
  if (!result.ok()) FAIL(name << ": " << sip::format_parse_error(result.error()));
  return std::move(result).value();
}

}  // namespace

#define SKIP_WITHOUT_CORPUS()                           \
  if (!corpus_present()) {                              \
    MESSAGE("skipped: ../shared not present");          \
    return;                                             \
  }

TEST_CASE("every valid RFC 4475 message parses validates and survives a round trip") {
  SKIP_WITHOUT_CORPUS();
  int valid = 0;
  for (const auto& entry : read_index()) {
    const std::string& name = entry.first;  // not a structured binding: clang 14 cannot capture those
    const std::string& expected = entry.second;
    if (expected != "valid") continue;
    ++valid;
    CAPTURE(name);
    auto parsed = sip::parse_message(corpus_file(name));
    REQUIRE_MESSAGE(parsed.ok(), sip::format_parse_error(parsed.error()));
    const auto problem = sip::validate_message(parsed.value());
    CHECK_MESSAGE(!problem.has_value(), (problem ? problem->reason : ""));
    const std::string once = sip::serialize(parsed.value());
    auto again = sip::parse_message(once);
    REQUIRE_MESSAGE(again.ok(), sip::format_parse_error(again.error()));
    CHECK(again.value() == parsed.value());
    CHECK(sip::serialize(again.value()) == once);
  }
  CHECK(valid == 17);
}

TEST_CASE("every invalid RFC 4475 message is refused by the parser or by validation with a reason") {
  SKIP_WITHOUT_CORPUS();
  int invalid = 0;
  for (const auto& entry : read_index()) {
    const std::string& name = entry.first;  // not a structured binding: clang 14 cannot capture those
    const std::string& expected = entry.second;
    if (expected != "invalid") continue;
    ++invalid;
    CAPTURE(name);
    auto parsed = sip::parse_message(corpus_file(name));
    if (!parsed.ok()) {
      CHECK(!parsed.error().reason.empty());
      CHECK(parsed.error().line >= 1);
      continue;
    }
    const auto problem = sip::validate_message(parsed.value());
    REQUIRE_MESSAGE(problem.has_value(), "accepted an invalid message");
    CHECK(!problem->reason.empty());
    CHECK(problem->status_code >= 400);
  }
  CHECK(invalid == 19);
}

TEST_CASE("valid-but-semantic RFC 4475 messages parse without breaking the parser") {
  SKIP_WITHOUT_CORPUS();
  for (const auto& entry : read_index()) {
    const std::string& name = entry.first;  // not a structured binding: clang 14 cannot capture those
    const std::string& expected = entry.second;
    if (expected != "valid-but-semantic-error") continue;
    CAPTURE(name);
    auto parsed = sip::parse_message(corpus_file(name));
    if (name == "mcl01") {
      // §3.3.9: two Content-Length values leave the framing undefined; the RFC says respond with
      // an error and (on TCP) close, so this parser refuses it at framing time.
      REQUIRE(!parsed.ok());
      CHECK(parsed.error().reason.find("conflicting Content-Length") != std::string::npos);
      continue;
    }
    REQUIRE_MESSAGE(parsed.ok(), sip::format_parse_error(parsed.error()));
  }
}

TEST_CASE("the receiving stack refuses the semantic RFC 4475 cases the way the RFC asks") {
  SKIP_WITHOUT_CORPUS();
  const std::map<std::string, int> expected_status = {
      {"badbranch", 400}, {"insuf", 400},      {"multi01", 400}, {"unkscm", 416},
      {"novelsc", 416},   {"mismatch01", 400}, {"mismatch02", 400}, {"baddate", 400}};
  for (const auto& entry : expected_status) {
    const std::string& name = entry.first;
    const int status = entry.second;
    CAPTURE(name);
    auto problem = sip::validate_message(parse_ok(name));
    REQUIRE(problem.has_value());
    CHECK(problem->status_code == status);
  }
}

TEST_CASE("the unclassified test.dat is refused because its Request-Line has no SIP-Version") {
  SKIP_WITHOUT_CORPUS();
  auto parsed = sip::parse_message(corpus_file("test"));
  REQUIRE(!parsed.ok());
  CHECK(parsed.error().kind == sip::ParseErrorKind::WrongVersion);
}

TEST_CASE("wsinv: folded headers odd whitespace and an escaped display name are understood") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("wsinv");
  CHECK(m.method() == sip::Method::Invite);
  CHECK(m.to().tag() == "1918181833n");
  CHECK(m.to().uri().user() == "vivekg");
  CHECK(m.from().display_name() == "J Rosenberg \\\"");
  CHECK(m.from().tag() == "98asjd8");
  CHECK(m.max_forwards() == 68);
  CHECK(m.cseq().number == 9);
  CHECK(m.cseq().method == "INVITE");
  REQUIRE(m.via_count() == 3);
  CHECK(m.via(0).transport() == "UDP");
  CHECK(m.via(0).host() == "192.0.2.2");
  CHECK(m.via(0).branch() == "390skdjuw");
  CHECK(m.via(1).transport() == "TCP");
  CHECK(m.via(1).host() == "spindle.example.com");
  CHECK(m.via(1).branch() == "z9hG4bK9ikj8");
  CHECK(m.via(2).branch() == "z9hG4bK30239");
  CHECK(m.header("Subject") == std::optional<std::string_view>(""));
  CHECK(m.header("NewFangledHeader") == std::optional<std::string_view>("newfangled value continued newfangled value"));
  CHECK(m.header("UnknownHeaderWithUnusualValue") == std::optional<std::string_view>(";;,,;;,;"));
  REQUIRE(m.contact_count() == 1);
  CHECK(m.contact(0).display_name() == "Quoted string \"\"");
  CHECK(m.contact(0).param("newparam") == std::optional<std::string_view>("newvalue"));
  CHECK(m.contact(0).param("q") == std::optional<std::string_view>("0.33"));
  CHECK(m.content_length() == 150u);
  CHECK(m.body().size() == 150);
}

TEST_CASE("intmeth: an unknown method built from every token character is kept as written") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("intmeth");
  CHECK(m.method() == sip::Method::Unknown);
  CHECK(m.method_text() == "!interesting-Method0123456789_*+`.%indeed'~");
  CHECK(m.cseq().method == m.method_text());
  CHECK(m.request_uri().user() == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  CHECK(m.request_uri().password() == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  CHECK(m.request_uri().host() == "example.com");
  CHECK(m.top_via().branch() == "z9hG4bK-.!%66*_+`'~");
  CHECK(m.to().display_name() == std::string("BEL:\x07 NUL:\0 DEL:\x7F", 17));
  CHECK(m.from().display_name_raw() == "token1~` token2'+_ token3*%!.-");
  CHECK(m.from().tag() == "_token~1'+`*%!-.");
  CHECK(m.call_id() == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
  CHECK(m.max_forwards() == 255);
}

TEST_CASE("esc01: escaped user parts stay raw and unescape exactly once") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("esc01");
  CHECK(m.request_uri().user() == "sips%3Auser%40example.com");
  CHECK(m.request_uri().user_unescaped() == "sips:user@example.com");
  CHECK(m.request_uri().host() == "example.net");
  CHECK(m.to().uri().user_unescaped() == "user");
  CHECK(m.from().uri().user_unescaped() == "I have spaces");
  REQUIRE(m.contact_count() == 1);
  CHECK(m.contact(0).uri().user_unescaped() == "caller");
  CHECK(sip::unescape(*m.contact(0).uri().param("n%61me")) == "value%41");
  CHECK(m.call_id() == "esc01.239409asdfakjkn23onasd0-3234");
  CHECK(m.content_type() == std::optional<std::string_view>("application/sdp"));
}

TEST_CASE("escnull: %00 in user parts survives unescaping and keeps two distinct Contacts") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("escnull");
  CHECK(m.to().uri().user_unescaped() == std::string("null-\0-null", 11));
  REQUIRE(m.contact_count() == 2);
  CHECK(m.contact(0).uri().user_unescaped() == std::string(1, '\0'));
  CHECK(m.contact(1).uri().user_unescaped() == std::string(2, '\0'));
  CHECK(m.content_length() == 0u);
}

TEST_CASE("esc02: % outside escapes is literal and C%6Fntact is an extension header") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("esc02");
  CHECK(m.method() == sip::Method::Unknown);
  CHECK(m.method_text() == "RE%47IST%45R");
  CHECK(m.to().display_name() == "%Z%45");
  CHECK(m.top_via().branch() == "z9hG4bK209%fzsnel234");
  CHECK(m.contact_count() == 2);
  CHECK(m.header("C%6Fntact").has_value());
}

TEST_CASE("lwsdisp: a token display name directly followed by '<' is accepted") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("lwsdisp");
  CHECK(m.from().display_name() == "caller");
  CHECK(m.from().uri().user() == "caller");
  CHECK(m.from().tag() == "323");
}

TEST_CASE("longreq: long values and 34 Via values in assorted spellings") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("longreq");
  CHECK(m.via_count() == 34);
  CHECK(m.via(33).branch().size() > 200);
  CHECK(m.from().tag().size() > 150);
  CHECK(m.to().display_name().find("extremeextreme") != std::string::npos);
}

TEST_CASE("dblreq: only the REGISTER is the message trailing datagram bytes are ignored") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("dblreq");
  CHECK(m.method() == sip::Method::Register);
  CHECK(m.body().empty());
  CHECK(sip::serialize(m).find("INVITE") == std::string::npos);
}

TEST_CASE("semiuri: a ' ' before '@' belongs to the user part not the URI parameters") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("semiuri");
  CHECK(m.request_uri().user() == "user;par=u%40example.net");
  CHECK(m.request_uri().host() == "example.com");
  CHECK(m.request_uri().params().empty());
  CHECK(m.header("Accept") == std::optional<std::string_view>(
                                  "application/sdp, application/pkcs7-mime, multipart/mixed, multipart/signed, message/sip, message/sipfrag"));
}

TEST_CASE("transports: unknown Via transports are accepted as extension tokens") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("transports");
  REQUIRE(m.via_count() == 5);
  CHECK(m.via(0).transport() == "UDP");
  CHECK(m.via(1).transport() == "SCTP");
  CHECK(m.via(2).transport() == "TLS");
  CHECK(m.via(3).transport() == "UNKNOWN");
  CHECK(m.via(4).transport() == "TCP");
  CHECK(m.call_id() == "transports.kijh4akdnaqjkwendsasfdj");
}

TEST_CASE("mpart01: a binary multipart body is framed by Content-Length alone") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("mpart01");
  CHECK(m.method() == sip::Method::Message);
  CHECK(m.body().size() == 553);
  CHECK(m.body().find('\0') != std::string_view::npos);
  CHECK(m.content_type() == std::optional<std::string_view>("multipart/mixed"));
}

TEST_CASE("unreason and noreason: unusual and empty reason phrases") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message unusual = parse_ok("unreason");
  CHECK(unusual.status_code() == 200);
  CHECK(unusual.reason_phrase().substr(0, 13) == "= 2**3 * 5**2");
  const sip::Message empty = parse_ok("noreason");
  CHECK(empty.status_code() == 100);
  CHECK(empty.reason_phrase().empty());
  CHECK(sip::serialize(empty).substr(0, 14) == "SIP/2.0 100 \r\n");
}

TEST_CASE("cparam01/02 and regescrt: header params URI params and escaped URI headers in Contact") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message bare = parse_ok("cparam01");
  CHECK(bare.contact(0).param("unknownparam").has_value());
  CHECK(!bare.contact(0).uri().has_param("unknownparam"));
  const sip::Message bracketed = parse_ok("cparam02");
  CHECK(bracketed.contact(0).uri().has_param("unknownparam"));
  CHECK(!bracketed.contact(0).param("unknownparam").has_value());
  const sip::Message escaped = parse_ok("regescrt");
  CHECK(escaped.contact(0).uri().header("Route") == std::optional<std::string_view>("%3Csip:sip.example.com%3E"));
}

TEST_CASE("inv2543: an RFC 2543 INVITE without Content-Length takes the rest of the datagram") {
  SKIP_WITHOUT_CORPUS();
  const sip::Message m = parse_ok("inv2543");
  CHECK(!m.content_length().has_value());
  CHECK(!m.max_forwards().has_value());
  CHECK(!m.from().has_tag());
  CHECK(!m.top_via().has_branch());
  CHECK(m.body().substr(0, 4) == "v=0\r");
  // addr-spec without <>: ";user=phone" is a header parameter of To, not a URI one (§20.10)
  CHECK(m.to().param("user") == std::optional<std::string_view>("phone"));
  CHECK(m.from().uri().param("user") == std::optional<std::string_view>("phone"));
}

TEST_CASE("badvers is classified as a wrong SIP version the others as malformed or truncated") {
  SKIP_WITHOUT_CORPUS();
  CHECK(sip::parse_message(corpus_file("badvers")).error().kind == sip::ParseErrorKind::WrongVersion);
  CHECK(sip::parse_message(corpus_file("clerr")).error().kind == sip::ParseErrorKind::Truncated);
  CHECK(sip::parse_message(corpus_file("ncl")).error().kind == sip::ParseErrorKind::Malformed);
  const auto quotbal = sip::parse_message(corpus_file("quotbal")).error();
  CHECK(quotbal.line == 2);
  CHECK(quotbal.reason.find("unterminated") != std::string::npos);
}

TEST_CASE("the anchors' Direct Routing corpus round-trips and re-encodes identically") {
  const std::string dir = DRSIM_SHARED_DIR "/anchors/sip-corpus";
  if (!std::filesystem::exists(dir)) {
    MESSAGE("skipped: ../shared not present");
    return;
  }
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sip") continue;
    CAPTURE(entry.path().string());
    const std::string bytes = read_file(entry.path().string());
    auto parsed = sip::parse_message(bytes);
    REQUIRE_MESSAGE(parsed.ok(), sip::format_parse_error(parsed.error()));
    CHECK(!sip::validate_message(parsed.value()).has_value());
    const std::string encoded = sip::serialize(parsed.value());
    CHECK(encoded == bytes);  // the corpus is already canonical
    auto again = sip::parse_message(encoded);
    REQUIRE(again.ok());
    CHECK(again.value() == parsed.value());
    ++count;
  }
  CHECK(count == 10);
}

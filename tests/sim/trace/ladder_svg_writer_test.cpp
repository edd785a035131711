#include "sim/trace/ladder_svg_writer.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "trace_test_support.hpp"

using namespace sim::time_literals;
using trace::Ladder;
using trace::LadderArrowKind;

namespace {

// The outbound call of the expired-certificate story, Teams side to PSTN.
Ladder outbound_call() {
  Ladder ladder;
  ladder.title = "call 1: +14255550100 -> +12065550100";
  ladder.lifelines = {"alice desktop", "emea-ams proxy", "sbc1", "carrier1"};
  ladder.origin = 10_s;
  ladder.arrows = {
      {10_s, 0, 1, "call offer", LadderArrowKind::ClientSignalling},
      {10_s + 12_ms, 1, 2, "INVITE", LadderArrowKind::Sip},
      {10_s + 25_ms, 2, 1, "100 Trying", LadderArrowKind::Sip},
      {10_s + 40_ms, 2, 3, "INVITE", LadderArrowKind::Sip},
      {11_s + 234_ms, 3, 2, "180 Ringing", LadderArrowKind::Sip},
      {11_s + 250_ms, 2, 1, "180 Ringing", LadderArrowKind::Sip},
      {11_s + 262_ms, 1, 0, "call progress", LadderArrowKind::ClientSignalling},
      {16_s, 3, 2, "486 Busy Here", LadderArrowKind::Sip},
      {16_s + 1_ms, 2, 3, "ACK", LadderArrowKind::Sip},
  };
  return ladder;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++found;
  return found;
}

// Well-formedness in miniature: every element closes, in order, and no stray '<' or '&'.
bool tags_balance(const std::string& svg) {
  std::vector<std::string> open;
  for (std::size_t at = 0; at < svg.size(); ++at) {
    if (svg[at] == '&') {
      const std::size_t end = svg.find(';', at);
      if (end == std::string::npos || end - at > 6) return false;
      continue;
    }
    if (svg[at] != '<') continue;
    const std::size_t end = svg.find('>', at);
    if (end == std::string::npos) return false;
    const std::string tag = svg.substr(at + 1, end - at - 1);
    at = end;
    if (tag.empty() || tag.find('<') != std::string::npos) return false;
    if (tag[0] == '?' || tag[0] == '!') continue;
    const std::string name = tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" /", 1) - (tag[0] == '/' ? 1 : 0));
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name) return false;
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(name);
    }
  }
  return open.empty();
}

struct Shaft {
  int x1, y1, x2, y2;
};

std::vector<Shaft> shafts(const std::string& svg) {
  static const std::regex line(R"re(<line class="shaft" x1="(\d+)" y1="(\d+)" x2="(\d+)" y2="(\d+)")re");
  std::vector<Shaft> found;
  for (std::sregex_iterator it(svg.begin(), svg.end(), line), end; it != end; ++it)
    found.push_back({std::stoi((*it)[1]), std::stoi((*it)[2]), std::stoi((*it)[3]), std::stoi((*it)[4])});
  return found;
}

std::vector<int> lifeline_xs(const std::string& svg) {
  static const std::regex line(R"re(<line class="lifeline" x1="(\d+)")re");
  std::vector<int> found;
  for (std::sregex_iterator it(svg.begin(), svg.end(), line), end; it != end; ++it) found.push_back(std::stoi((*it)[1]));
  return found;
}

int svg_height(const std::string& svg) {
  std::smatch match;
  REQUIRE(std::regex_search(svg, match, std::regex(R"re(<svg [^>]*height="(\d+)")re")));
  return std::stoi(match[1]);
}

}  // namespace

TEST_CASE("a ladder is well-formed SVG 1.1 with one shaft per arrow") {
  const std::string svg = trace::render_ladder_svg(outbound_call());
  CHECK(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"",
                  0) == 0);
  CHECK(tags_balance(svg));
  CHECK(count(svg, "class=\"shaft\"") == 9);
  CHECK(count(svg, "<polygon ") == 9);
  CHECK(count(svg, "<line class=\"lifeline\"") == 4);
  CHECK(count(svg, "<g class=\"arrow client-signalling\">") == 2);
  if (!trace_test::tool_present("xmllint")) {
    std::printf("skipped: xmllint not present\n");
    return;
  }
  trace_test::TemporaryFolder folder;
  trace_test::write_file(folder / "ladder.svg", svg);
  CHECK(trace_test::run_command("xmllint --noout " + (folder / "ladder.svg").string() + " 2>&1").exit_code == 0);
}

TEST_CASE("each arrow carries its label and its time since the origin") {
  const std::string svg = trace::render_ladder_svg(outbound_call());
  for (const std::string label : {"call offer", "INVITE", "100 Trying", "180 Ringing", "486 Busy Here", "ACK"})
    CHECK(svg.find(">" + label + "</text>") != std::string::npos);
  for (const std::string time : {"+0.000 s", "+0.012 s", "+1.234 s", "+6.000 s", "+6.001 s"})
    CHECK(svg.find(">" + time + "</text>") != std::string::npos);
  CHECK(svg.find("<text class=\"title\"") != std::string::npos);
}

TEST_CASE("arrows point from sender to receiver and time goes down the page") {
  Ladder ladder = outbound_call();
  std::swap(ladder.arrows[1], ladder.arrows[5]);  // out of time order on purpose
  const std::string svg = trace::render_ladder_svg(ladder);
  const std::vector<int> x = lifeline_xs(svg);
  const std::vector<Shaft> found = shafts(svg);
  REQUIRE(x.size() == 4);
  REQUIRE(found.size() == 9);
  const Ladder sorted = outbound_call();
  for (std::size_t i = 0; i < found.size(); ++i) {
    CAPTURE(i);
    const auto& arrow = sorted.arrows[i];
    CHECK(found[i].x1 == x[arrow.from]);
    CHECK(found[i].y1 == found[i].y2);
    if (i > 0) CHECK(found[i].y1 > found[i - 1].y1);
    // The shaft stops where the arrowhead starts, on the receiver's side.
    if (arrow.to > arrow.from) CHECK(found[i].x2 == x[arrow.to] - 9);
    else CHECK(found[i].x2 == x[arrow.to] + 9);
  }
}

TEST_CASE("client signalling is dashed and a failure response is red") {
  const std::string svg = trace::render_ladder_svg(outbound_call());
  const std::size_t client = svg.find("<g class=\"arrow client-signalling\">");
  REQUIRE(client != std::string::npos);
  CHECK(svg.substr(client, svg.find("</g>", client) - client).find("stroke-dasharray=\"6,4\"") != std::string::npos);
  const std::size_t busy = svg.find(">486 Busy Here<");
  const std::size_t group = svg.rfind("<g class=\"arrow sip\">", busy);
  CHECK(svg.substr(group, busy - group).find("stroke=\"#c0392b\"") != std::string::npos);
  const std::size_t ringing = svg.find(">180 Ringing<");
  const std::size_t ringing_group = svg.rfind("<g class=\"arrow sip\">", ringing);
  CHECK(svg.substr(ringing_group, ringing - ringing_group).find("#c0392b") == std::string::npos);
}

TEST_CASE("labels and names are escaped for XML") {
  Ladder ladder;
  ladder.title = "R&D <lab>";
  ladder.lifelines = {"\"quoted\" sbc", "proxy's side"};
  ladder.arrows = {{1_s, 0, 1, "INVITE <sip:+1@a.example> & more", LadderArrowKind::Sip}};
  const std::string svg = trace::render_ladder_svg(ladder);
  CHECK(svg.find(">INVITE &lt;sip:+1@a.example&gt; &amp; more</text>") != std::string::npos);
  CHECK(svg.find(">&quot;quoted&quot; sbc</text>") != std::string::npos);
  CHECK(svg.find(">proxy&apos;s side</text>") != std::string::npos);
  CHECK(svg.find("<title>R&amp;D &lt;lab&gt;</title>") != std::string::npos);
  CHECK(svg.find("<sip:") == std::string::npos);
  CHECK(tags_balance(svg));
}

TEST_CASE("a long label widens its gap so it fits between its lifelines") {
  Ladder ladder;
  ladder.lifelines = {"a", "b", "c"};
  const std::string phrase = "504 Unable to deliver INVITE: Outbound TLS negotiation failed";
  ladder.arrows = {{1_s, 1, 2, phrase, LadderArrowKind::Sip}, {2_s, 0, 2, "BYE", LadderArrowKind::Sip}};
  const std::vector<int> x = lifeline_xs(trace::render_ladder_svg(ladder));
  REQUIRE(x.size() == 3);
  // 12 px text at most 0.62 em a character in the fonts the SVG names.
  CHECK(x[2] - x[1] >= static_cast<int>(phrase.size()) * 12 * 62 / 100 + 9);
  CHECK(x[1] - x[0] == 140);  // untouched: the minimum gap
}

TEST_CASE("a long ladder grows tall with a row per arrow and names repeated at the bottom") {
  Ladder ladder;
  ladder.lifelines = {"sbc1", "emea-ams proxy"};
  for (int i = 0; i < 40; ++i)
    ladder.arrows.push_back({sim::Time::from_seconds(60 * i), static_cast<std::size_t>(i % 2),
                             static_cast<std::size_t>(1 - i % 2), i % 2 == 0 ? "OPTIONS" : "200 OK", LadderArrowKind::Sip});
  const std::string tall = trace::render_ladder_svg(ladder);
  ladder.arrows.resize(4);
  const std::string short_one = trace::render_ladder_svg(ladder);
  CHECK(svg_height(tall) - svg_height(short_one) == 36 * 34 + 30);  // 36 more rows and the footer names
  CHECK(count(tall, ">emea-ams proxy</text>") == 2);
  CHECK(count(short_one, ">emea-ams proxy</text>") == 1);
  CHECK(tall.find(">+2340.000 s</text>") != std::string::npos);
}

TEST_CASE("an actor's own step draws a loop back to its lifeline") {
  Ladder ladder;
  ladder.lifelines = {"sbc1", "emea-ams proxy"};
  ladder.arrows = {{1_s, 1, 1, "Timer B fires", LadderArrowKind::Sip}, {2_s, 0, 0, "retry", LadderArrowKind::Sip}};
  const std::string svg = trace::render_ladder_svg(ladder);
  CHECK(count(svg, "<path class=\"shaft\"") == 2);
  CHECK(tags_balance(svg));
}

TEST_CASE("a ladder renders to exactly these bytes") {
  // Pins the format: integer coordinates, fixed time text, attribute order. A deliberate
  // change of style updates this text; an accidental one (locale, float formatting) fails it.
  Ladder ladder;
  ladder.lifelines = {"sbc1", "proxy"};
  ladder.arrows = {{1_s + 500_ms, 0, 1, "OPTIONS", LadderArrowKind::Sip}};
  const std::string expected =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"461\" height=\"162\" viewBox=\"0 0 461 162\" "
      "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"12\">\n"
      "<title>call flow</title>\n"
      "<rect width=\"461\" height=\"162\" fill=\"#ffffff\"/>\n"
      "<g class=\"lifelines\" stroke=\"#9aa5b1\" stroke-dasharray=\"3,3\">\n"
      "<line class=\"lifeline\" x1=\"144\" y1=\"46\" x2=\"144\" y2=\"114\"/>\n"
      "<line class=\"lifeline\" x1=\"284\" y1=\"46\" x2=\"284\" y2=\"114\"/>\n"
      "</g>\n"
      "<g class=\"actors\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\">\n"
      "<rect x=\"104\" y=\"16\" width=\"80\" height=\"30\" rx=\"4\" fill=\"#e4e9f0\" stroke=\"#9aa5b1\"/>\n"
      "<text x=\"144\" y=\"36\" fill=\"#1f2933\">sbc1</text>\n"
      "<rect x=\"244\" y=\"16\" width=\"80\" height=\"30\" rx=\"4\" fill=\"#e4e9f0\" stroke=\"#9aa5b1\"/>\n"
      "<text x=\"284\" y=\"36\" fill=\"#1f2933\">proxy</text>\n"
      "</g>\n"
      "<g class=\"arrow sip\">\n"
      "<line class=\"shaft\" x1=\"144\" y1=\"80\" x2=\"275\" y2=\"80\" stroke=\"#1f2933\" stroke-width=\"1.5\" "
      "stroke-dasharray=\"none\"/>\n"
      "<polygon points=\"284,80 275,76 275,84\" fill=\"#1f2933\"/>\n"
      "<text class=\"label\" x=\"214\" y=\"74\" text-anchor=\"middle\" fill=\"#1f2933\">OPTIONS</text>\n"
      "<text class=\"time\" x=\"76\" y=\"84\" text-anchor=\"end\" fill=\"#52606d\">+1.500 s</text>\n"
      "</g>\n"
      "<g class=\"legend\" font-size=\"11\" fill=\"#52606d\">\n"
      "<line x1=\"16\" y1=\"146\" x2=\"44\" y2=\"146\" stroke=\"#1f2933\" stroke-width=\"1.5\"/>\n"
      "<text x=\"50\" y=\"150\">SIP</text>\n"
      "<line x1=\"97\" y1=\"146\" x2=\"125\" y2=\"146\" stroke=\"#1a66c9\" stroke-width=\"1.5\" stroke-dasharray=\"6,4\"/>\n"
      "<text x=\"131\" y=\"150\">not SIP: client signalling, Microsoft backbone</text>\n"
      "</g>\n"
      "</svg>\n";
  CHECK(trace::render_ladder_svg(ladder) == expected);
  const Ladder copy = ladder;
  CHECK(trace::render_ladder_svg(copy) == expected);
}

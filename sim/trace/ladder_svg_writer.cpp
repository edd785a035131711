#include "sim/trace/ladder_svg_writer.hpp"

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "sim/core/check.hpp"
#include "sim/trace/decimal_text.hpp"

namespace trace {
namespace {

constexpr int kTitleFontSize = 15;
constexpr int kNameFontSize = 13;
constexpr int kLabelFontSize = 12;
constexpr int kMargin = 16;
constexpr int kBoxHeight = 30;
constexpr int kRowHeight = 34;
constexpr int kMinimumGap = 140;
constexpr int kLabelPadding = 14;
constexpr int kArrowheadLength = 9;
constexpr int kArrowheadHalfWidth = 4;
constexpr int kLoopWidth = 36;
constexpr int kLoopDrop = 10;
// Past this many rows the actor names repeat at the bottom, so a tall ladder stays readable.
constexpr std::size_t kRowsBeforeFooterNames = 12;

constexpr std::string_view kSipColour = "#1f2933";
constexpr std::string_view kClientColour = "#1a66c9";
constexpr std::string_view kFailureColour = "#c0392b";
constexpr std::string_view kLifelineColour = "#9aa5b1";
constexpr std::string_view kStripeColour = "#f3f5f8";
constexpr std::string_view kBoxColour = "#e4e9f0";
constexpr std::string_view kQuietTextColour = "#52606d";  // times and the legend

// An estimate on the wide side of the rendered width (0.62 em a character, 0.68 bold: DejaVu
// Sans and Verdana, the widest common sans fonts, stay inside it), so spacing computed from
// it keeps labels apart in any of the fonts named below. Counts UTF-8 code points, not bytes.
int text_width(std::string_view text, int font_size, bool bold = false) {
  int characters = 0;
  for (const char c : text)
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++characters;
  return (characters * font_size * (bold ? 68 : 62) + 99) / 100;
}

std::string xml_escaped(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&apos;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "486 Busy Here", "504": a final failure response (RFC 3261 §21.4 to §21.6).
bool is_failure_status(const LadderArrow& arrow) {
  const std::string_view label = arrow.label;
  return arrow.kind == LadderArrowKind::Sip && label.size() >= 3 && label[0] >= '4' && label[0] <= '6' &&
         is_digit(label[1]) && is_digit(label[2]) && (label.size() == 3 || label[3] == ' ');
}

std::string_view colour_of(const LadderArrow& arrow) {
  if (is_failure_status(arrow)) return kFailureColour;
  return arrow.kind == LadderArrowKind::Sip ? kSipColour : kClientColour;
}

std::string offset_text(sim::Time time, sim::Time origin) {
  const std::int64_t offset = (time - origin).nanoseconds();
  return (offset >= 0 ? "+" : "") + format_decimal(offset, 9, 3) + " s";
}

std::string number(int value) { return std::to_string(value); }

struct Layout {
  std::vector<int> x;          // lifeline centres
  std::vector<int> box_width;  // actor name boxes
  int gutter = 0;              // the time column's right edge
  int width = 0;
  int title_y = 0;
  int boxes_top = 0;
  int first_row_y = 0;
  int lifeline_bottom = 0;
  int footer_boxes_top = 0;  // 0 when the names are not repeated
  int legend_y = 0;
  int height = 0;
};

int label_width(const LadderArrow& arrow) { return text_width(arrow.label, kLabelFontSize); }

// A run of gaps between lifelines that together must be at least `needed` wide.
struct SpanNeed {
  std::size_t first_gap;
  std::size_t end_gap;  // one past the last
  int needed;
};

// Gaps between neighbouring lifelines: wide enough for both names, then widened so every
// arrow's label fits over its arrow. Short spans are settled first, so a long arrow only
// widens what its shorter neighbours left too narrow.
std::vector<int> lifeline_gaps(const Ladder& ladder, const std::vector<int>& box_width) {
  const std::size_t count = ladder.lifelines.size();
  std::vector<int> gaps(count - 1);
  for (std::size_t i = 0; i + 1 < count; ++i)
    gaps[i] = std::max(kMinimumGap, box_width[i] / 2 + box_width[i + 1] / 2 + 2 * kLabelPadding);
  std::vector<SpanNeed> needs;
  for (const LadderArrow& arrow : ladder.arrows) {
    if (arrow.from != arrow.to) {
      needs.push_back({std::min(arrow.from, arrow.to), std::max(arrow.from, arrow.to),
                       label_width(arrow) + 2 * kLabelPadding + kArrowheadLength});
    } else if (arrow.from + 1 < count) {
      needs.push_back({arrow.from, arrow.from + 1, kLoopWidth + label_width(arrow) + 2 * kLabelPadding});
    }
  }
  std::stable_sort(needs.begin(), needs.end(), [](const SpanNeed& a, const SpanNeed& b) {
    return a.end_gap - a.first_gap < b.end_gap - b.first_gap;
  });
  for (const SpanNeed& need : needs) {
    int current = 0;
    for (std::size_t i = need.first_gap; i < need.end_gap; ++i) current += gaps[i];
    if (current >= need.needed) continue;
    const int span = static_cast<int>(need.end_gap - need.first_gap);
    const int deficit = need.needed - current;
    for (std::size_t i = need.first_gap; i < need.end_gap; ++i)
      gaps[i] += deficit / span + (static_cast<int>(i - need.first_gap) < deficit % span ? 1 : 0);
  }
  return gaps;
}

// The legend: a solid line for SIP, a dashed one for what is not SIP.
constexpr std::string_view kNotSipLegend = "not SIP: client signalling, Microsoft backbone";

int legend_not_sip_x() { return kMargin + 34 + text_width("SIP", kLabelFontSize) + 24; }

int legend_width() { return legend_not_sip_x() + 34 + text_width(kNotSipLegend, kLabelFontSize - 1) + kMargin; }

Layout lay_out(const Ladder& ladder) {
  const std::size_t count = ladder.lifelines.size();
  Layout layout;
  for (const std::string& name : ladder.lifelines)
    layout.box_width.push_back(std::max(80, text_width(name, kNameFontSize, true) + 2 * kLabelPadding));

  int widest_time = text_width("+0.000 s", kLabelFontSize);
  for (const LadderArrow& arrow : ladder.arrows)
    widest_time = std::max(widest_time, text_width(offset_text(arrow.time, ladder.origin), kLabelFontSize));
  layout.gutter = kMargin + widest_time;

  // A loop on the rightmost lifeline has its label in the right margin.
  int right_extent = layout.box_width.back() / 2;
  for (const LadderArrow& arrow : ladder.arrows)
    if (arrow.from == arrow.to && arrow.from + 1 == count)
      right_extent = std::max(right_extent, kLoopWidth + kLabelPadding / 2 + label_width(arrow));

  const std::vector<int> gaps = lifeline_gaps(ladder, layout.box_width);
  layout.x.push_back(layout.gutter + 2 * kLabelPadding + layout.box_width.front() / 2);
  for (const int gap : gaps) layout.x.push_back(layout.x.back() + gap);
  layout.width = layout.x.back() + right_extent + kMargin;
  if (!ladder.title.empty())
    layout.width = std::max(layout.width, 2 * kMargin + text_width(ladder.title, kTitleFontSize, true));
  layout.width = std::max(layout.width, legend_width());

  int y = kMargin;
  if (!ladder.title.empty()) {
    layout.title_y = y + kTitleFontSize;
    y += kTitleFontSize + kMargin;
  }
  layout.boxes_top = y;
  layout.first_row_y = y + kBoxHeight + kRowHeight;
  const int rows = static_cast<int>(ladder.arrows.size());
  layout.lifeline_bottom = layout.first_row_y + std::max(0, rows - 1) * kRowHeight + kRowHeight;
  y = layout.lifeline_bottom;
  if (ladder.arrows.size() > kRowsBeforeFooterNames) {
    layout.footer_boxes_top = y;
    y += kBoxHeight;
  }
  layout.legend_y = y + 2 * kMargin;
  layout.height = layout.legend_y + kMargin;
  return layout;
}

// An attribute of an SVG element; text values are XML-escaped, numbers are integers.
struct Attribute {
  Attribute(std::string_view attribute_name, int number) : name(attribute_name), value(std::to_string(number)) {}
  Attribute(std::string_view attribute_name, std::string_view text) : name(attribute_name), value(xml_escaped(text)) {}
  std::string_view name;
  std::string value;
};
using Attributes = std::initializer_list<Attribute>;

// The SVG document, one element per line, attributes in the order given.
class SvgText {
 public:
  void empty_element(std::string_view name, Attributes attributes) { line(start_tag(name, attributes) + "/>"); }
  void text_element(std::string_view name, Attributes attributes, std::string_view text) {
    line(start_tag(name, attributes) + ">" + xml_escaped(text) + "</" + std::string(name) + ">");
  }
  void open_group(Attributes attributes) { line(start_tag("g", attributes) + ">"); }
  void close_group() { line("</g>"); }
  void line(std::string_view text) {
    out_ += text;
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  static std::string start_tag(std::string_view name, Attributes attributes) {
    std::string tag = "<" + std::string(name);
    for (const Attribute& attribute : attributes) tag += " " + std::string(attribute.name) + "=\"" + attribute.value + "\"";
    return tag;
  }

  std::string out_;
};

void draw_actor_boxes(SvgText& svg, const Ladder& ladder, const Layout& layout, int top) {
  svg.open_group({{"class", "actors"}, {"font-size", kNameFontSize}, {"font-weight", "bold"}, {"text-anchor", "middle"}});
  for (std::size_t i = 0; i < ladder.lifelines.size(); ++i) {
    svg.empty_element("rect", {{"x", layout.x[i] - layout.box_width[i] / 2}, {"y", top}, {"width", layout.box_width[i]},
                               {"height", kBoxHeight}, {"rx", 4}, {"fill", kBoxColour}, {"stroke", kLifelineColour}});
    svg.text_element("text", {{"x", layout.x[i]}, {"y", top + kBoxHeight / 2 + kNameFontSize / 3 + 1}, {"fill", kSipColour}},
                     ladder.lifelines[i]);
  }
  svg.close_group();
}

void draw_arrowhead(SvgText& svg, int tip_x, int tip_y, int direction, std::string_view colour) {
  const int base_x = tip_x - direction * kArrowheadLength;
  const std::string points = number(tip_x) + "," + number(tip_y) + " " + number(base_x) + "," +
                             number(tip_y - kArrowheadHalfWidth) + " " + number(base_x) + "," +
                             number(tip_y + kArrowheadHalfWidth);
  svg.empty_element("polygon", {{"points", points}, {"fill", colour}});
}

void draw_arrow(SvgText& svg, const Ladder& ladder, const Layout& layout, const LadderArrow& arrow, int y) {
  const std::string_view colour = colour_of(arrow);
  const bool dashed = arrow.kind == LadderArrowKind::ClientSignalling;
  // Solid shafts say "none" explicitly, so both kinds share one attribute list.
  const std::string_view dash = dashed ? "6,4" : "none";
  svg.open_group({{"class", dashed ? "arrow client-signalling" : "arrow sip"}});
  const int from_x = layout.x[arrow.from];
  if (arrow.from == arrow.to) {
    // A loop out to the right and back, for something an actor does to itself.
    const std::string path = "M" + number(from_x) + "," + number(y) + " H" + number(from_x + kLoopWidth) + " V" +
                             number(y + kLoopDrop) + " H" + number(from_x + kArrowheadLength);
    svg.empty_element("path", {{"class", "shaft"}, {"d", path}, {"fill", "none"}, {"stroke", colour},
                               {"stroke-width", "1.5"}, {"stroke-dasharray", dash}});
    draw_arrowhead(svg, from_x, y + kLoopDrop, -1, colour);
    svg.text_element("text", {{"class", "label"}, {"x", from_x + kLoopWidth + kLabelPadding / 2},
                              {"y", y + kLoopDrop / 2 + kLabelFontSize / 3}, {"fill", colour}},
                     arrow.label);
  } else {
    const int to_x = layout.x[arrow.to];
    const int direction = to_x > from_x ? 1 : -1;
    svg.empty_element("line", {{"class", "shaft"}, {"x1", from_x}, {"y1", y}, {"x2", to_x - direction * kArrowheadLength},
                               {"y2", y}, {"stroke", colour}, {"stroke-width", "1.5"}, {"stroke-dasharray", dash}});
    draw_arrowhead(svg, to_x, y, direction, colour);
    svg.text_element("text", {{"class", "label"}, {"x", (from_x + to_x) / 2}, {"y", y - 6}, {"text-anchor", "middle"},
                              {"fill", colour}},
                     arrow.label);
  }
  svg.text_element("text", {{"class", "time"}, {"x", layout.gutter}, {"y", y + kLabelFontSize / 3}, {"text-anchor", "end"},
                            {"fill", kQuietTextColour}},
                   offset_text(arrow.time, ladder.origin));
  svg.close_group();
}

void draw_legend(SvgText& svg, const Layout& layout) {
  const int y = layout.legend_y;
  const int sip_x = kMargin;
  const int client_x = legend_not_sip_x();
  svg.open_group({{"class", "legend"}, {"font-size", kLabelFontSize - 1}, {"fill", kQuietTextColour}});
  svg.empty_element("line", {{"x1", sip_x}, {"y1", y}, {"x2", sip_x + 28}, {"y2", y}, {"stroke", kSipColour},
                             {"stroke-width", "1.5"}});
  svg.text_element("text", {{"x", sip_x + 34}, {"y", y + 4}}, "SIP");
  svg.empty_element("line", {{"x1", client_x}, {"y1", y}, {"x2", client_x + 28}, {"y2", y}, {"stroke", kClientColour},
                             {"stroke-width", "1.5"}, {"stroke-dasharray", "6,4"}});
  svg.text_element("text", {{"x", client_x + 34}, {"y", y + 4}}, kNotSipLegend);
  svg.close_group();
}

}  // namespace

std::string render_ladder_svg(const Ladder& input) {
  DRSIM_CHECK(!input.lifelines.empty(), "render_ladder_svg: a ladder needs at least one lifeline");
  for (const LadderArrow& arrow : input.arrows)
    DRSIM_CHECK(arrow.from < input.lifelines.size() && arrow.to < input.lifelines.size(),
                "render_ladder_svg: an arrow names a lifeline that does not exist");
  Ladder ladder = input;
  std::stable_sort(ladder.arrows.begin(), ladder.arrows.end(),
                   [](const LadderArrow& a, const LadderArrow& b) { return a.time < b.time; });
  const Layout layout = lay_out(ladder);

  SvgText svg;
  svg.line("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>");
  svg.line("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + number(layout.width) + "\" height=\"" +
           number(layout.height) + "\" viewBox=\"0 0 " + number(layout.width) + " " + number(layout.height) +
           "\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"" + number(kLabelFontSize) + "\">");
  svg.text_element("title", {}, ladder.title.empty() ? "call flow" : ladder.title);
  svg.empty_element("rect", {{"width", layout.width}, {"height", layout.height}, {"fill", "#ffffff"}});

  // Every other row shaded, so the eye follows a long arrow back to its time.
  if (ladder.arrows.size() > 1) {
    svg.open_group({{"class", "stripes"}, {"fill", kStripeColour}});
    for (std::size_t row = 1; row < ladder.arrows.size(); row += 2)
      svg.empty_element("rect", {{"x", 0}, {"y", layout.first_row_y + static_cast<int>(row) * kRowHeight - kRowHeight / 2},
                                 {"width", layout.width}, {"height", kRowHeight}});
    svg.close_group();
  }
  if (!ladder.title.empty())
    svg.text_element("text", {{"class", "title"}, {"x", kMargin}, {"y", layout.title_y}, {"font-size", kTitleFontSize},
                              {"font-weight", "bold"}, {"fill", kSipColour}},
                     ladder.title);

  svg.open_group({{"class", "lifelines"}, {"stroke", kLifelineColour}, {"stroke-dasharray", "3,3"}});
  for (const int x : layout.x)
    svg.empty_element("line", {{"class", "lifeline"}, {"x1", x}, {"y1", layout.boxes_top + kBoxHeight}, {"x2", x},
                               {"y2", layout.lifeline_bottom}});
  svg.close_group();
  draw_actor_boxes(svg, ladder, layout, layout.boxes_top);
  if (layout.footer_boxes_top > 0) draw_actor_boxes(svg, ladder, layout, layout.footer_boxes_top);

  for (std::size_t row = 0; row < ladder.arrows.size(); ++row)
    draw_arrow(svg, ladder, layout, ladder.arrows[row], layout.first_row_y + static_cast<int>(row) * kRowHeight);
  draw_legend(svg, layout);
  svg.line("</svg>");
  return svg.take();
}

}  // namespace trace

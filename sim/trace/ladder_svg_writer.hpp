#pragma once
// ladder-<call>.svg: the call-flow ("ladder") diagram of one call, as voice engineers draw it:
// one vertical lifeline per actor, one horizontal arrow per message, time going down. Rows
// are evenly spaced (not proportional to time) so labels never overlap; each row's time is in
// the left margin. Plain SVG 1.1 with presentation attributes only, all coordinates integers,
// so the same ladder gives the same bytes everywhere.
#include <cstddef>
#include <string>
#include <vector>

#include "sim/core/time.hpp"

namespace trace {

enum class LadderArrowKind {
  Sip,               // solid
  ClientSignalling,  // dashed: not SIP (Teams client to call controller, datacenter to datacenter)
};

struct LadderArrow {
  sim::Time time;
  std::size_t from = 0;  // indices into Ladder::lifelines; from == to draws a loop
  std::size_t to = 0;
  std::string label;  // the method or status line, e.g. "INVITE", "180 Ringing"
  LadderArrowKind kind = LadderArrowKind::Sip;
};

struct Ladder {
  std::string title;                   // drawn above the lifelines when not empty
  std::vector<std::string> lifelines;  // left to right, e.g. "carrier1", "sbc1", "emea-ams proxy"
  std::vector<LadderArrow> arrows;     // drawn in time order (equal times keep this order)
  sim::Time origin;                    // times print as offsets from here: "+1.234 s"
};

// The SVG document. A SIP label starting with a 4xx, 5xx or 6xx status code is drawn in red,
// so a failure stands out.
std::string render_ladder_svg(const Ladder& ladder);

}  // namespace trace

#pragma once
// Fixed-point decimal text from integers, for every number the outputs print (seconds in
// calls.csv, milliseconds in summary.json, "+1.234 s" in ladders). Integer arithmetic only:
// no floating point, no locale, so the same value prints the same bytes everywhere.
#include <cstdint>
#include <string>

namespace trace {

// `value` counted in units of 10^-unit_digits, printed with `decimals` digits after the
// point (0 <= decimals <= unit_digits <= 18), rounded half away from zero:
// format_decimal(1'234'567'891, 9, 3) == "1.235" (nanoseconds as seconds).
std::string format_decimal(std::int64_t value, int unit_digits, int decimals);

}  // namespace trace

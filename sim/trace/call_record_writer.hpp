#pragma once
// calls.csv: one row per call, the columns of spec/experiment-format.md in that order, modelled
// on the Teams PSTN usage report. Fields are quoted as RFC 4180 §2 says (a field holding a
// comma, a double quote or a line break is enclosed in quotes, inner quotes doubled); rows end
// in LF, which pandas, Python's csv module and the Unix tools all read. Times are fixed-point
// decimals made from integer nanoseconds (microsecond precision), never locale-dependent.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "sim/core/time.hpp"

namespace trace {

enum class CallDirection {
  Inbound,   // PSTN to Teams
  Outbound,  // Teams to PSTN
};

struct CallRecord {
  std::string call_id;
  sim::Time start;  // when the first INVITE (or client call offer) left, from the run's start
  CallDirection direction = CallDirection::Inbound;
  std::string from;  // numbers as dialled, e.g. "+14255550100"
  std::string to;
  int final_sip_code = 0;
  std::optional<std::uint32_t> final_ms_code;  // Microsoft's response code, e.g. 569008
  std::string final_sip_phrase;                // e.g. "Unable to deliver INVITE: ..."
  std::optional<sim::Time> setup_delay;        // from start to answer; absent when never answered
  std::string answered_by;                     // the endpoint kind ("desktop", "mobile"), or empty
  std::string datacenter;                      // the Microsoft datacenter that handled the call
  std::uint32_t failovers = 0;
  sim::Time end;
};

// "call_id,start_s,direction,...,end_s" (no line end).
std::string_view call_record_csv_header();
// One row without its line end: "7,10.000000,outbound,+14255550100,...".
std::string format_call_record_csv_row(const CallRecord& record);
// A field as RFC 4180 writes it: as is, or quoted with inner quotes doubled.
std::string csv_field(std::string_view text);

// Streams calls.csv: the header on construction, then a row per write(). The stream's locale
// is never consulted: every number is formatted before it reaches the stream.
class CallRecordCsvWriter {
 public:
  explicit CallRecordCsvWriter(std::ostream& out);
  void write(const CallRecord& record);
  std::uint64_t rows_written() const { return rows_written_; }

 private:
  std::ostream& out_;
  std::uint64_t rows_written_ = 0;
};

}  // namespace trace

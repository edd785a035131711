#include "sim/trace/call_record_writer.hpp"

#include "sim/trace/decimal_text.hpp"

namespace trace {
namespace {

constexpr std::string_view kHeader =
    "call_id,start_s,direction,from,to,final_sip_code,final_ms_code,final_sip_phrase,setup_delay_ms,"
    "answered_by,datacenter,failovers,end_s";

std::string_view direction_text(CallDirection direction) {
  return direction == CallDirection::Inbound ? "inbound" : "outbound";
}

std::string seconds_text(sim::Time time) { return format_decimal(time.nanoseconds(), 9, 6); }
std::string milliseconds_text(sim::Time time) { return format_decimal(time.nanoseconds(), 6, 3); }

void write_line(std::ostream& out, std::string_view line) {
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
  out.put('\n');
}

}  // namespace

std::string_view call_record_csv_header() { return kHeader; }

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

std::string format_call_record_csv_row(const CallRecord& record) {
  std::string row = csv_field(record.call_id);
  const auto add = [&row](std::string_view field) {
    row += ',';
    row += field;
  };
  add(seconds_text(record.start));
  add(direction_text(record.direction));
  add(csv_field(record.from));
  add(csv_field(record.to));
  add(std::to_string(record.final_sip_code));
  add(record.final_ms_code ? std::to_string(*record.final_ms_code) : "");
  add(csv_field(record.final_sip_phrase));
  add(record.setup_delay ? milliseconds_text(*record.setup_delay) : "");
  add(csv_field(record.answered_by));
  add(csv_field(record.datacenter));
  add(std::to_string(record.failovers));
  add(seconds_text(record.end));
  return row;
}

CallRecordCsvWriter::CallRecordCsvWriter(std::ostream& out) : out_(out) { write_line(out_, kHeader); }

void CallRecordCsvWriter::write(const CallRecord& record) {
  write_line(out_, format_call_record_csv_row(record));
  ++rows_written_;
}

}  // namespace trace

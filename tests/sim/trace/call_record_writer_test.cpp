#include "sim/trace/call_record_writer.hpp"

#include <doctest/doctest.h>

#include <locale>
#include <sstream>
#include <vector>

using namespace sim::time_literals;
using trace::CallRecord;

namespace {

CallRecord expired_certificate_call() {
  CallRecord record;
  record.call_id = "7";
  record.start = 10_s + 250_ms;
  record.direction = trace::CallDirection::Outbound;
  record.from = "+14255550100";
  record.to = "+12065550100";
  record.final_sip_code = 504;
  record.final_ms_code = 569008;
  record.final_sip_phrase =
      "Unable to deliver INVITE: Outbound TLS negotiation failed. Remote certificate expired; HRESULT=0x80090328 "
      "SEC_E_CERT_EXPIRED";
  record.datacenter = "emea-ams";
  record.failovers = 2;
  record.end = 12_s + sim::Time::from_nanoseconds(1'234'567);
  return record;
}

// RFC 4180 read back: fields split at commas outside quotes, "" inside quotes is one quote.
std::vector<std::string> parse_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// A locale that writes 1234.5 as "1.234,5", as de_DE does, built in so no installed locale is needed.
struct GermanPunctuation : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

}  // namespace

TEST_CASE("calls.csv starts with exactly the spec's columns in order") {
  std::ostringstream out;
  trace::CallRecordCsvWriter writer(out);
  CHECK(out.str() ==
        "call_id,start_s,direction,from,to,final_sip_code,final_ms_code,final_sip_phrase,setup_delay_ms,answered_by,"
        "datacenter,failovers,end_s\n");
  CHECK(writer.rows_written() == 0);
}

TEST_CASE("a failed call's row has fixed decimals and empty setup delay and answered_by") {
  CHECK(trace::format_call_record_csv_row(expired_certificate_call()) ==
        "7,10.250000,outbound,+14255550100,+12065550100,504,569008,Unable to deliver INVITE: Outbound TLS negotiation "
        "failed. Remote certificate expired; HRESULT=0x80090328 SEC_E_CERT_EXPIRED,,,emea-ams,2,12.001235");
}

TEST_CASE("an answered inbound call without a Microsoft code leaves final_ms_code empty") {
  CallRecord record;
  record.call_id = "call-12";
  record.start = 0_s;
  record.direction = trace::CallDirection::Inbound;
  record.from = "+12065550199";
  record.to = "+14255550111";
  record.final_sip_code = 200;
  record.final_sip_phrase = "OK";
  record.setup_delay = 6_s + sim::Time::from_nanoseconds(123'456);
  record.answered_by = "desktop";
  record.datacenter = "amer-dal";
  record.end = 96_s;
  CHECK(trace::format_call_record_csv_row(record) ==
        "call-12,0.000000,inbound,+12065550199,+14255550111,200,,OK,6000.123,desktop,amer-dal,0,96.000000");
}

TEST_CASE("phrases with commas quotes and line breaks are quoted as RFC 4180 says and read back whole") {
  CallRecord record = expired_certificate_call();
  record.final_ms_code = 569002;
  record.final_sip_phrase =
      "Unable to deliver INVITE: A connection attempt failed because the connected party did not properly respond "
      "after a period of time, or established connection failed because connected host has failed to respond";
  record.from = "\"Alice\" <+14255550100>";
  record.datacenter = "two\nlines";
  const std::string row = trace::format_call_record_csv_row(record);
  CHECK(row.find(",\"Unable to deliver INVITE: A connection attempt failed because the connected party did not "
                 "properly respond after a period of time, or established") != std::string::npos);
  CHECK(row.find(",\"\"\"Alice\"\" <+14255550100>\",") != std::string::npos);
  CHECK(row.find(",\"two\nlines\",") != std::string::npos);
  const std::vector<std::string> fields = parse_csv_line(row);
  REQUIRE(fields.size() == 13);
  CHECK(fields[3] == record.from);
  CHECK(fields[7] == record.final_sip_phrase);
  CHECK(fields[10] == record.datacenter);
  CHECK(trace::csv_field("plain") == "plain");
  CHECK(trace::csv_field("") == "");
}

TEST_CASE("the stream's locale does not change numbers in calls.csv") {
  std::ostringstream german;
  german.imbue(std::locale(std::locale::classic(), new GermanPunctuation));
  german << 1234.5;
  REQUIRE(german.str() == "1.234,5");  // the facet is in force on this stream
  german.str("");
  CallRecord record = expired_certificate_call();
  record.start = 1234_s + 500_ms;
  record.failovers = 1234;
  record.final_ms_code = 569008;
  trace::CallRecordCsvWriter writer(german);
  writer.write(record);
  CHECK(writer.rows_written() == 1);
  const std::string text = german.str();
  CHECK(text.find("\n7,1234.500000,outbound,") != std::string::npos);
  CHECK(text.find(",569008,") != std::string::npos);
  CHECK(text.find(",emea-ams,1234,12.001235\n") != std::string::npos);
}

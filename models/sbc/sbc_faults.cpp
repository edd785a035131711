#include "models/sbc/sbc_faults.hpp"

#include <string_view>

#include "sim/sip/serializer.hpp"

namespace sbc {
namespace {

constexpr std::string_view kVersion = "SIP/2.0";

// RFC 3261 §7.1/§7.2: the version opens a Status-Line and closes a Request-Line. Without it a
// status line reads as a request whose Request-URI is not followed by a version.
void drop_version(std::string& bytes) {
  const std::size_t line_end = bytes.find("\r\n");
  if (line_end == std::string::npos) return;
  if (bytes.compare(0, kVersion.size() + 1, std::string(kVersion) + " ") == 0) {
    bytes.erase(0, kVersion.size() + 1);
  } else if (line_end > kVersion.size() && bytes.compare(line_end - kVersion.size() - 1, kVersion.size() + 1,
                                                         " " + std::string(kVersion)) == 0) {
    bytes.erase(line_end - kVersion.size() - 1, kVersion.size() + 1);
  }
}

// §20.16: CSeq = 1*DIGIT LWS Method; "CSeq: INVITE" breaks it, a classic vendor bug.
void drop_cseq_number(std::string& bytes) {
  const std::size_t header = bytes.find("\r\nCSeq: ");
  if (header == std::string::npos) return;
  const std::size_t number = header + std::string_view("\r\nCSeq: ").size();
  std::size_t end = number;
  while (end < bytes.size() && bytes[end] >= '0' && bytes[end] <= '9') ++end;
  if (end < bytes.size() && bytes[end] == ' ') ++end;
  bytes.erase(number, end - number);
}

}  // namespace

std::string corrupt_sip(std::string bytes, SipCorruption corruption) {
  switch (corruption) {
    case SipCorruption::None: break;
    case SipCorruption::MissingVersion: drop_version(bytes); break;
    case SipCorruption::Malformed: drop_cseq_number(bytes); break;
  }
  return bytes;
}

void MicrosoftFlow::send(const sip::Message& message) {
  // A false return means the connection cannot send; the SBC hears why from its events.
  tcp_.send(connection_, corrupt_sip(sip::serialize(message), corruption_));
}

}  // namespace sbc

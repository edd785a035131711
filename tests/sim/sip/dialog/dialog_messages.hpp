#pragma once
// SIP text for the dialog tests: an SBC (sbc1.contoso.com) behind a proxy SBC
// (proxysbc.contoso.com) calling a Teams number through the Microsoft SIP proxy.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "sim/sip/parser.hpp"

namespace dialog_messages {

inline sip::Message parse(std::string_view text) {
  auto parsed = sip::parse_message(text);
  if (!parsed.ok()) FAIL(sip::format_parse_error(parsed.error()) << "\n" << text);
  return std::move(parsed).value();
}

// The INVITE as the Microsoft proxy receives it: two Record-Routes in one comma list (the proxy
// SBC's on top, it added its own last) and a Contact with transport=tls.
inline const std::string kInviteFromSbc =
    "INVITE sip:+18005550100@sip.pstnhub.microsoft.com:5061;user=phone;transport=tls SIP/2.0\r\n"
    "Via: SIP/2.0/TLS proxysbc.contoso.com:5061;branch=z9hG4bKpx1\r\n"
    "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKsbc1\r\n"
    "Record-Route: <sip:proxysbc.contoso.com:5061;transport=tls;lr>, <sip:sbc1.contoso.com:5061;transport=tls;lr>\r\n"
    "Max-Forwards: 69\r\n"
    "From: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
    "To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>\r\n"
    "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
    "CSeq: 101 INVITE\r\n"
    "Contact: <sip:+14255550123@sbc1.contoso.com:5061;transport=tls>\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// The proxy's answer to it, with its own To tag and Contact.
inline const std::string kOkFromMicrosoft =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/TLS proxysbc.contoso.com:5061;branch=z9hG4bKpx1\r\n"
    "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKsbc1\r\n"
    "Record-Route: <sip:proxysbc.contoso.com:5061;transport=tls;lr>, <sip:sbc1.contoso.com:5061;transport=tls;lr>\r\n"
    "From: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
    "To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>;tag=ms-77d2\r\n"
    "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
    "CSeq: 101 INVITE\r\n"
    "Contact: <sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls>\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// The same call seen from the SBC, which is the UAC: the INVITE it sends.
inline const std::string kInviteFromSbcAsSent =
    "INVITE sip:+18005550100@sip.pstnhub.microsoft.com:5061;user=phone;transport=tls SIP/2.0\r\n"
    "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKsbc1\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
    "To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>\r\n"
    "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:+14255550123@sbc1.contoso.com:5061;transport=tls>\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

inline const std::string kNewSbcContact = "Contact: <sip:sbc2.contoso.com:5061;transport=tls>\r\n";

// A response to kInviteFromSbcAsSent. The Record-Route lists the proxy nearest the UAS first.
inline std::string response_to_sbc(std::string_view status_line, std::string_view to_tag,
                                   std::string_view contact, std::string_view record_route) {
  std::string text;
  text.append(status_line).append("\r\n");
  text.append("Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKsbc1\r\n");
  if (!record_route.empty()) text.append("Record-Route: ").append(record_route).append("\r\n");
  text.append("From: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n");
  text.append("To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>");
  if (!to_tag.empty()) text.append(";tag=").append(to_tag);
  text.append("\r\n");
  text.append("Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n");
  text.append("CSeq: 1 INVITE\r\n");
  if (!contact.empty()) text.append("Contact: ").append(contact).append("\r\n");
  text.append("Content-Length: 0\r\n\r\n");
  return text;
}

inline constexpr std::string_view kMicrosoftRecordRoute =
    "<sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;lr>, <sip:proxysbc.contoso.com:5061;transport=tls;lr>";

// A request the SBC sends to the Microsoft proxy inside the dialog of kInviteFromSbc /
// kOkFromMicrosoft; `extra_headers` are whole lines with CRLF.
inline std::string request_from_sbc(std::string_view method, unsigned cseq, std::string_view extra_headers = {}) {
  std::string text;
  text.append(method).append(" sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls SIP/2.0\r\n");
  const std::string number = std::to_string(cseq);
  text.append("Via: SIP/2.0/TLS proxysbc.contoso.com:5061;branch=z9hG4bKpx").append(number).append("\r\n");
  text.append("Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKsbc").append(number).append("\r\n");
  text.append("Max-Forwards: 69\r\n");
  text.append("From: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n");
  text.append("To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>;tag=ms-77d2\r\n");
  text.append("Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n");
  text.append("CSeq: ").append(number).append(" ").append(method).append("\r\n");
  text.append(extra_headers);
  text.append("Content-Length: 0\r\n\r\n");
  return text;
}

}  // namespace dialog_messages

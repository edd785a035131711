#pragma once
// sip::Message to bytes, canonically: long header names for the headers the stack knows (compact
// forms are accepted on input only), "Name: value" with one SP, CRLF line ends, and a
// Content-Length recomputed from the body every time (§20.14, §18.3). Unknown headers keep their
// name and value as parsed. parse(serialize(m)) == m, and serialize is idempotent.
#include <string>

#include "sim/sip/message.hpp"

namespace sip {

void serialize_to(const Message& message, std::string& out);  // appends to `out`
std::string serialize(const Message& message);

}  // namespace sip

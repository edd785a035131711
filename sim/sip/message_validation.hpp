#pragma once
// Checks a receiving stack applies after parsing (RFC 3261 §8.2, §16.3; RFC 4475 §3.2, §3.3): a
// message can be well formed and still be refused. Returns the response a UAS or proxy would send.
#include <optional>
#include <string>

#include "sim/sip/message.hpp"

namespace sip {

struct ValidationError {
  int status_code = 400;
  std::string reason;
};

std::optional<ValidationError> validate_message(const Message& message);

}  // namespace sip

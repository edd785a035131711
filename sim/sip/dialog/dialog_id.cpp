#include "sim/sip/dialog/dialog_id.hpp"

namespace sip {

std::optional<DialogId> DialogId::of_received_request(const Message& request) {
  if (!request.has_to() || !request.to().has_tag() || !request.has_from()) return std::nullopt;
  return DialogId{std::string(request.call_id()), std::string(request.to().tag()),
                  std::string(request.from().tag())};
}

std::optional<DialogId> DialogId::of_received_response(const Message& response) {
  if (!response.has_to() || !response.to().has_tag() || !response.has_from()) return std::nullopt;
  return DialogId{std::string(response.call_id()), std::string(response.from().tag()),
                  std::string(response.to().tag())};
}

std::optional<DialogIdView> DialogIdView::of_received_request(const Message& request) {
  if (!request.has_to() || !request.to().has_tag() || !request.has_from()) return std::nullopt;
  return DialogIdView{request.call_id(), request.to().tag(), request.from().tag()};
}

std::optional<DialogIdView> DialogIdView::of_received_response(const Message& response) {
  if (!response.has_to() || !response.to().has_tag() || !response.has_from()) return std::nullopt;
  return DialogIdView{response.call_id(), response.from().tag(), response.to().tag()};
}

std::string to_string(const DialogId& id) {
  return id.call_id + ";local=" + id.local_tag + ";remote=" + id.remote_tag;
}

}  // namespace sip

#include "sim/sip/dialog/dialog.hpp"

#include <algorithm>
#include <cstdint>

#include "sim/core/check.hpp"

namespace sip {
namespace {

// §8.1.1.5 lets a client pick its first CSeq "by any mechanism"; a constant keeps runs
// reproducible without a random stream per dialog.
constexpr std::uint32_t kFirstLocalCSeq = 1;

sim::Failure<std::string> refuse(const char* reason) { return sim::Failure{std::string(reason)}; }

bool is_2xx(int status_code) { return status_code >= 200 && status_code < 300; }
bool is_final(int status_code) { return status_code >= 200; }

// Views into `message`.
sim::Result<std::vector<std::string_view>, std::string> record_route_uris(const Message& message) {
  auto record_route = message.record_route();
  if (!record_route.ok()) return sim::Failure{record_route.error()};
  std::vector<std::string_view> uris;
  uris.reserve(record_route->size());
  for (const NameAddr& entry : *record_route) uris.push_back(entry.uri().text());
  return uris;
}

// §12.2.1.1: a strict router's URI becomes the Request-URI "stripping any parameters that are
// not allowed in a Request-URI": per the §19.1.1 table that is the method parameter and headers.
std::string request_uri_form(std::string_view uri_text) {
  auto parsed = parse_uri(uri_text);
  DRSIM_CHECK(parsed.ok(), "route set holds an unparsable URI");
  const Uri& uri = *parsed;
  const std::size_t host_end = static_cast<std::size_t>(uri.host().data() - uri_text.data()) + uri.host().size();
  const std::string_view without_headers = uri_text.substr(0, uri_text.find('?', host_end));
  const std::string_view params = uri.params();
  if (params.empty()) return std::string(without_headers);
  const std::size_t params_start = static_cast<std::size_t>(params.data() - uri_text.data());
  std::string out(without_headers.substr(0, params_start - 1));  // up to, not including, ';'
  std::size_t start = 0;
  while (start <= params.size()) {
    const std::size_t end = std::min(params.find(';', start), params.size());
    const std::string_view param = params.substr(start, end - start);
    if (!iequals(param.substr(0, param.find('=')), "method")) out.append(";").append(param);
    start = end + 1;
  }
  return out;
}

bool is_loose_router(std::string_view uri_text) {
  auto parsed = parse_uri(uri_text);
  DRSIM_CHECK(parsed.ok(), "route set holds an unparsable URI");
  return parsed->has_param("lr");
}

std::string party_header(std::string_view display_name, std::string_view uri, std::string_view tag) {
  std::string out;
  out.reserve(display_name.size() + uri.size() + tag.size() + 8);
  if (!display_name.empty()) out.append(display_name).append(" ");
  out.append("<").append(uri).append(">");
  if (!tag.empty()) out.append(";tag=").append(tag);
  return out;
}

}  // namespace

bool is_target_refresh(Method method) { return method == Method::Invite || method == Method::Update; }

sim::Result<Dialog, std::string> Dialog::create_as_uac(const Message& invite, const Message& response) {
  DRSIM_CHECK(invite.is_request() && invite.method() == Method::Invite, "create_as_uac needs the INVITE sent");
  const int code = response.status_code();
  if (code <= 100 || code >= 300) return refuse("only a 101-299 response creates a dialog (§12.1)");
  if (!response.to().has_tag()) return refuse("response without a To tag creates no dialog (§12.1)");
  if (response.contact_count() == 0) return refuse("dialog-creating response without Contact (§12.1.1)");
  auto routes = record_route_uris(response);
  if (!routes.ok()) return sim::Failure{routes.error()};

  Dialog dialog;
  dialog.role_ = Role::Uac;
  dialog.state_ = is_2xx(code) ? State::Confirmed : State::Early;
  // §12.1.2: the route set is the response's Record-Route in reverse order.
  std::reverse(routes->begin(), routes->end());
  dialog.store(Texts{
      .route_set = *routes,
      .remote_target = response.contact(0).uri().text(),
      .local_target = invite.contact_count() > 0 ? invite.contact(0).uri().text() : std::string_view(),
      .local_uri = invite.from().uri().text(),
      .remote_uri = invite.to().uri().text(),
      .local_display_name = invite.from().display_name_raw(),
      .remote_display_name = invite.to().display_name_raw(),
  });
  dialog.local_cseq_ = invite.cseq().number;
  dialog.last_invite_cseq_ = invite.cseq().number;
  dialog.id_ = DialogId{std::string(invite.call_id()), std::string(invite.from().tag()),
                        std::string(response.to().tag())};
  // §12.1.2 also asks for TLS; the transport is below this layer, so sips is the signal.
  dialog.secure_ = invite.request_uri().scheme_kind() == UriScheme::Sips;
  return dialog;
}

sim::Result<Dialog, std::string> Dialog::create_as_uas(const Message& invite, const Message& response) {
  DRSIM_CHECK(invite.is_request() && invite.method() == Method::Invite, "create_as_uas needs the INVITE received");
  const int code = response.status_code();
  DRSIM_CHECK(code > 100 && code < 300 && response.to().has_tag(),
              "a UAS dialog needs a 101-299 response with a To tag");
  if (invite.contact_count() == 0) return refuse("INVITE without Contact (§8.1.1.8)");
  auto routes = record_route_uris(invite);
  if (!routes.ok()) return sim::Failure{routes.error()};

  Dialog dialog;
  dialog.role_ = Role::Uas;
  dialog.state_ = is_2xx(code) ? State::Confirmed : State::Early;
  // §12.1.1: the route set is the request's Record-Route, in order.
  dialog.store(Texts{
      .route_set = *routes,
      .remote_target = invite.contact(0).uri().text(),
      .local_target = response.contact_count() > 0 ? response.contact(0).uri().text() : std::string_view(),
      .local_uri = invite.to().uri().text(),
      .remote_uri = invite.from().uri().text(),
      .local_display_name = invite.to().display_name_raw(),
      .remote_display_name = invite.from().display_name_raw(),
  });
  dialog.remote_cseq_ = invite.cseq().number;
  dialog.id_ = DialogId{std::string(invite.call_id()), std::string(response.to().tag()),
                        std::string(invite.from().tag())};
  dialog.secure_ = invite.request_uri().scheme_kind() == UriScheme::Sips;
  return dialog;
}

std::vector<std::string_view> Dialog::route_set() const {
  std::vector<std::string_view> uris;
  uris.reserve(route_set_.size());
  for (std::size_t i = 0; i < route_set_.size(); ++i) uris.push_back(view(route_set_[i]));
  return uris;
}

Dialog::Texts Dialog::texts(std::span<const std::string_view> route_set) const {
  return Texts{
      .route_set = route_set,
      .remote_target = view(remote_target_),
      .local_target = view(local_target_),
      .local_uri = view(local_uri_),
      .remote_uri = view(remote_uri_),
      .local_display_name = view(local_display_name_),
      .remote_display_name = view(remote_display_name_),
  };
}

void Dialog::store(const Texts& texts) {
  std::size_t size = texts.remote_target.size() + texts.local_target.size() + texts.local_uri.size() +
                     texts.remote_uri.size() + texts.local_display_name.size() + texts.remote_display_name.size();
  for (const std::string_view uri : texts.route_set) size += uri.size();
  DRSIM_CHECK(size <= UINT32_MAX, "dialog state larger than 4 GB");
  // Written into a new block: `texts` may view the old one.
  std::string block;
  block.reserve(size);
  const auto append = [&block](std::string_view piece) {
    const TextSpan span{static_cast<std::uint32_t>(block.size()), static_cast<std::uint32_t>(piece.size())};
    block.append(piece);
    return span;
  };
  InlineVector<TextSpan, 2> route_set;
  for (const std::string_view uri : texts.route_set) route_set.push_back(append(uri));
  remote_target_ = append(texts.remote_target);
  local_target_ = append(texts.local_target);
  local_uri_ = append(texts.local_uri);
  remote_uri_ = append(texts.remote_uri);
  local_display_name_ = append(texts.local_display_name);
  remote_display_name_ = append(texts.remote_display_name);
  route_set_ = std::move(route_set);
  text_ = std::move(block);
}

void Dialog::set_remote_target(std::string_view uri) {
  const std::vector<std::string_view> routes = route_set();
  Texts changed = texts(routes);
  changed.remote_target = uri;
  store(changed);
}

Uri Dialog::next_hop() const {
  const std::string_view text = route_set_.empty() ? view(remote_target_) : view(route_set_[0]);
  auto uri = parse_uri(text);
  DRSIM_CHECK(uri.ok(), "dialog holds an unparsable next-hop URI");
  return *uri;
}

Message Dialog::build_request(Method method) {
  DRSIM_CHECK(state_ != State::Terminated, "request built on a terminated dialog");
  DRSIM_CHECK(method != Method::Cancel && method != Method::Unknown,
              "CANCEL and unknown methods are not built by the dialog");
  std::uint32_t cseq = 0;
  if (method == Method::Ack) {
    // §13.2.2.4: the ACK for a 2xx carries the CSeq number of the INVITE it acknowledges.
    DRSIM_CHECK(last_invite_cseq_.has_value(), "ACK built on a dialog that sent no INVITE");
    cseq = *last_invite_cseq_;
  } else {
    // §12.2.1.1: the local CSeq increases by one per request; an empty one starts afresh.
    cseq = local_cseq_ ? *local_cseq_ + 1 : kFirstLocalCSeq;
    local_cseq_ = cseq;
    if (method == Method::Invite) last_invite_cseq_ = cseq;
  }

  // §12.2.1.1: empty route set or a loose first route: Request-URI is the remote target and
  // Route the whole route set. A strict first route becomes the Request-URI, and the remote
  // target goes last in Route behind the remaining routes.
  std::vector<std::string_view> routes = route_set();
  const bool strict = !routes.empty() && !is_loose_router(routes.front());
  std::string request_uri(view(remote_target_));
  if (strict) {
    request_uri = request_uri_form(routes.front());
    routes.erase(routes.begin());
    routes.push_back(view(remote_target_));
  }

  Message request = Message::request(method_text(method), request_uri);
  for (std::string_view route : routes) request.add_header("Route", "<" + std::string(route) + ">");
  request.add_header("Max-Forwards", "70");  // §8.1.1.6
  request.add_header("From", from_header());
  request.add_header("To", to_header());
  request.add_header("Call-ID", id_.call_id);
  request.add_header("CSeq", std::to_string(cseq) + " " + std::string(method_text(method)));
  // §12.2.1.1: a target refresh request SHOULD carry Contact, the UAC's possibly new target.
  if (is_target_refresh(method) && local_target_.size > 0) {
    request.add_header("Contact", "<" + std::string(view(local_target_)) + ">");
  }
  return request;
}

Dialog::CSeqOrder Dialog::on_request_received(const Message& request) {
  const Method method = request.method();
  // An ACK carries its INVITE's number (§13.2.2.4) and a CANCEL its request's (§9.1): neither
  // is a new request in the CSeq order.
  if (method == Method::Ack || method == Method::Cancel) return CSeqOrder::InOrder;
  const std::uint32_t number = request.cseq().number;
  // §12.2.2: lower than the remote CSeq is out of order; higher by more than one is fine.
  if (remote_cseq_ && number < *remote_cseq_) return CSeqOrder::OutOfOrder;
  remote_cseq_ = number;
  if (is_target_refresh(method) && request.contact_count() > 0) set_remote_target(request.contact(0).uri().text());
  if (method == Method::Bye) state_ = State::Terminated;  // §15.1.2
  return CSeqOrder::InOrder;
}

void Dialog::on_response_received(const Message& response) {
  if (state_ == State::Terminated) return;
  const int code = response.status_code();
  const Method method = method_from_text(response.cseq().method);
  const bool answers_creating_invite = state_ == State::Early && role_ == Role::Uac && method == Method::Invite;
  if (answers_creating_invite) {
    if (is_2xx(code)) confirm_from_2xx(response);
    if (code >= 300) state_ = State::Terminated;  // §12.3
    return;
  }
  if (code == 481 || code == 408) {
    state_ = State::Terminated;  // §12.2.1.2: the peer no longer knows the dialog
  } else if (is_2xx(code) && is_target_refresh(method) && response.contact_count() > 0) {
    set_remote_target(response.contact(0).uri().text());  // §12.2.1.2
  } else if (method == Method::Bye && is_final(code)) {
    state_ = State::Terminated;  // §15.1.1
  }
}

void Dialog::on_response_sent(const Message& response) {
  if (state_ != State::Early || method_from_text(response.cseq().method) != Method::Invite) return;
  if (is_2xx(response.status_code())) state_ = State::Confirmed;
  if (response.status_code() >= 300) state_ = State::Terminated;  // §12.3
}

void Dialog::confirm_from_2xx(const Message& response) {
  // §13.2.2.4: the early dialog is confirmed and its route set recomputed from the 2xx; the
  // 2xx answers a target refresh, so its Contact is the remote target (§12.2.1.2). A 2xx whose
  // Record-Route does not parse keeps the early route set rather than losing the dialog.
  state_ = State::Confirmed;
  auto routes = record_route_uris(response);
  std::vector<std::string_view> route_set;
  if (routes.ok()) {
    route_set.assign(routes->rbegin(), routes->rend());
  } else {
    route_set = this->route_set();
  }
  Texts changed = texts(route_set);
  if (response.contact_count() > 0) changed.remote_target = response.contact(0).uri().text();
  store(changed);
}

std::string Dialog::from_header() const {
  return party_header(view(local_display_name_), view(local_uri_), id_.local_tag);
}

std::string Dialog::to_header() const {
  return party_header(view(remote_display_name_), view(remote_uri_), id_.remote_tag);
}

}  // namespace sip

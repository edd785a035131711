#pragma once
// sip::Message: one SIP request or response (RFC 3261 §7). The bytes live in one owned buffer;
// the start line, every header field and the typed core headers are ranges into it. Unknown
// headers are kept in order and byte-exact (after unfolding, §7.3.1), so traces show what the
// sender wrote. The core headers the stack reasons about (Via, From, To, Call-ID, CSeq,
// Max-Forwards, Content-Length, Contact) are parsed eagerly, so a malformed one rejects the
// message; the others parse on access and return Results.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/result.hpp"
#include "sim/sip/header_name.hpp"
#include "sim/sip/inline_vector.hpp"
#include "sim/sip/name_addr.hpp"
#include "sim/sip/uri.hpp"

namespace sip {

enum class Method : std::uint8_t {
  Unknown, Ack, Bye, Cancel, Info, Invite, Message, Notify, Options, Prack, Publish, Refer,
  Register, Subscribe, Update
};
Method method_from_text(std::string_view text);  // case-sensitive (§7.1: methods are)
std::string_view method_text(Method method);     // empty for Unknown

struct ViaParts {
  Range text;
  Range transport;
  Range host;  // IPv6 without brackets
  Range params;  // without the first ';'
  Range branch;
  Range received;
  Range rport;   // value, empty when a flag or absent
  Range maddr;
  std::uint16_t port = 0;
  bool has_port = false;
  bool has_branch = false;
  bool has_rport = false;
  bool has_alias = false;
  HostKind host_kind = HostKind::None;
};

// via-parm (§20.42): SIP/2.0/transport sent-by *(; via-params).
class Via {
 public:
  Via() = default;
  Via(std::string_view base, const ViaParts& parts) : base_(base), parts_(parts) {}
  std::string_view text() const { return parts_.text.in(base_); }
  std::string_view transport() const { return parts_.transport.in(base_); }
  std::string_view host() const { return parts_.host.in(base_); }
  HostKind host_kind() const { return parts_.host_kind; }
  std::optional<std::uint16_t> port() const {
    return parts_.has_port ? std::optional<std::uint16_t>(parts_.port) : std::nullopt;
  }
  bool has_branch() const { return parts_.has_branch; }
  std::string_view branch() const { return parts_.branch.in(base_); }
  std::optional<std::string_view> received() const {
    return parts_.received.empty() ? std::nullopt
                                   : std::optional<std::string_view>(parts_.received.in(base_));
  }
  bool has_rport() const { return parts_.has_rport; }
  std::string_view rport() const { return parts_.rport.in(base_); }  // empty when a bare flag
  bool has_alias() const { return parts_.has_alias; }
  std::optional<std::string_view> maddr() const {
    return parts_.maddr.empty() ? std::nullopt : std::optional<std::string_view>(parts_.maddr.in(base_));
  }
  std::string_view params() const { return parts_.params.in(base_); }
  std::optional<std::string_view> param(std::string_view name) const {
    return find_param(params(), name);
  }
  const ViaParts& parts() const { return parts_; }

 private:
  std::string_view base_;
  ViaParts parts_;
};

// Parses one via-parm (no commas) of `base`.
bool parse_via_parts(std::string_view base, std::string_view text, ViaParts& out,
                     FieldError& error);

struct CSeq {
  std::uint32_t number = 0;
  std::string_view method;
};

struct HeaderField {
  HeaderId id = HeaderId::Unknown;
  Range name;
  Range value;
};

struct HeaderView {
  HeaderId id;
  std::string_view name;   // as written (parsed) or as given (built)
  std::string_view value;  // trimmed and unfolded
};

struct SessionExpires {
  std::uint32_t seconds = 0;
  std::string_view refresher;  // "uac", "uas" or empty (RFC 4028 §4)
};
struct Replaces {  // RFC 3891 §6.1
  std::string_view call_id;
  std::string_view to_tag;
  std::string_view from_tag;
  bool early_only = false;
};
struct RetryAfter {  // §20.33
  std::uint32_t seconds = 0;
  std::string_view comment;
  std::optional<std::uint32_t> duration;
};
struct ReasonValue {  // RFC 3326 §2
  std::string_view protocol;  // "SIP", "Q.850"
  std::optional<std::uint32_t> cause;
  std::string_view text;      // with quotes removed, escapes kept
};

class Message {
 public:
  // User-provided on purpose: `Message{}` (each parse starts from one) would otherwise
  // value-initialize, zero-filling ~1 KB of unused inline header slots first.
  Message() {}  // NOLINT(modernize-use-equals-default)

  // ---- building (models) ----
  static Message request(std::string_view method, std::string_view request_uri);
  static Message response(int status_code, std::string_view reason_phrase);

  // ---- start line ----
  bool is_request() const { return is_request_; }
  bool is_response() const { return !is_request_; }
  std::string_view method_text() const { return method_.in(buffer_); }
  Method method() const { return method_id_; }
  Uri request_uri() const { return Uri(buffer_, request_uri_); }
  int status_code() const { return status_code_; }
  std::string_view reason_phrase() const { return reason_.in(buffer_); }

  // ---- all header fields, in order ----
  std::size_t header_count() const { return headers_.size(); }
  HeaderView header_at(std::size_t index) const {  // inline: the serializer reads every field
    const HeaderField& field = headers_[index];
    return HeaderView{field.id, field.name.in(buffer_), field.value.in(buffer_)};
  }
  std::optional<std::string_view> header(std::string_view name) const;  // first field's value
  std::optional<std::string_view> header(HeaderId id) const;
  std::size_t count_headers(HeaderId id) const;  // fields, not comma-separated values

  // ---- core headers (validated at parse time) ----
  std::size_t via_count() const { return vias_.size(); }
  Via via(std::size_t index) const { return Via(buffer_, vias_[index]); }
  Via top_via() const { return via(0); }
  bool has_from() const { return has_from_; }
  NameAddr from() const { return NameAddr(buffer_, from_); }
  bool has_to() const { return has_to_; }
  NameAddr to() const { return NameAddr(buffer_, to_); }
  bool has_call_id() const { return !call_id_.empty(); }
  std::string_view call_id() const { return call_id_.in(buffer_); }
  bool has_cseq() const { return has_cseq_; }
  CSeq cseq() const { return CSeq{cseq_number_, cseq_method_.in(buffer_)}; }
  std::optional<int> max_forwards() const {
    return max_forwards_ >= 0 ? std::optional<int>(max_forwards_) : std::nullopt;
  }
  std::size_t contact_count() const { return contacts_.size(); }
  NameAddr contact(std::size_t index) const { return NameAddr(buffer_, contacts_[index]); }
  bool contact_is_star() const { return contact_star_; }
  std::optional<std::uint32_t> content_length() const {  // the header's value, if present
    return has_content_length_ ? std::optional<std::uint32_t>(content_length_) : std::nullopt;
  }
  std::string_view body() const { return body_.in(buffer_); }

  // ---- other typed headers (parsed on access) ----
  sim::Result<std::vector<NameAddr>, std::string> route() const { return name_addr_list(HeaderId::Route); }
  sim::Result<std::vector<NameAddr>, std::string> record_route() const {
    return name_addr_list(HeaderId::RecordRoute);
  }
  sim::Result<std::vector<NameAddr>, std::string> p_asserted_identity() const {
    return name_addr_list(HeaderId::PAssertedIdentity);
  }
  sim::Result<std::vector<NameAddr>, std::string> history_info() const {
    return name_addr_list(HeaderId::HistoryInfo);
  }
  sim::Result<std::vector<NameAddr>, std::string> name_addr_list(HeaderId id) const;
  std::vector<std::string_view> allow() const { return token_list(HeaderId::Allow); }
  std::vector<std::string_view> supported() const { return token_list(HeaderId::Supported); }
  std::vector<std::string_view> require() const { return token_list(HeaderId::Require); }
  std::vector<std::string_view> token_list(HeaderId id) const;  // comma-separated, all fields
  std::optional<std::string_view> content_type() const;  // media type without parameters
  sim::Result<SessionExpires, std::string> session_expires() const;
  sim::Result<std::uint32_t, std::string> min_se() const;
  sim::Result<NameAddr, std::string> refer_to() const { return single_name_addr(HeaderId::ReferTo); }
  sim::Result<NameAddr, std::string> referred_by() const {
    return single_name_addr(HeaderId::ReferredBy);
  }
  sim::Result<Replaces, std::string> replaces() const;
  sim::Result<RetryAfter, std::string> retry_after() const;
  sim::Result<std::vector<ReasonValue>, std::string> reasons() const;
  std::optional<std::string_view> user_agent() const { return header(HeaderId::UserAgent); }
  std::optional<std::string_view> server() const { return header(HeaderId::Server); }

  // ---- mutation (models, proxies). Core header values must be well formed: a malformed one
  // is a program bug and aborts. ----
  void add_header(std::string_view name, std::string_view value);      // at the end
  void prepend_header(std::string_view name, std::string_view value);  // at the top (Via)
  void set_header(std::string_view name, std::string_view value);      // replace first or add
  std::size_t remove_headers(std::string_view name);
  void remove_first_header(std::string_view name);
  void set_to_tag(std::string_view tag);
  void set_request_uri(std::string_view uri);
  void set_body(std::string_view content_type, std::string_view body);
  void clear_body();

  // Appends a copy of `source`'s field `index` (under its canonical name when known). The
  // source validated the field when it was parsed or built, so its core parts are carried over
  // instead of parsed again: make_response copies five such fields into every response.
  void copy_header(const Message& source, std::size_t index);

  // Total bytes owned; for tests and the benchmark.
  std::size_t buffer_size() const { return buffer_.size(); }

 private:
  friend class MessageParser;

  sim::Result<NameAddr, std::string> single_name_addr(HeaderId id) const;
  bool index_header(std::size_t index, FieldError& error);
  // The kinds index_header parses into core state; the parser skips the call for the others.
  static bool is_indexed(HeaderId id) {
    switch (id) {
      case HeaderId::Via:
      case HeaderId::From:
      case HeaderId::To:
      case HeaderId::CallId:
      case HeaderId::CSeq:
      case HeaderId::MaxForwards:
      case HeaderId::ContentLength:
      case HeaderId::Contact:
        return true;
      default:
        return false;
    }
  }
  // index_header for a field of kind `id` whose value is `value_range`; the parser passes what
  // it has just stored instead of reading the field back. `source` holds the same bytes as the
  // buffer at the value's offsets (the parser passes its input, whose loads do not wait on the
  // stores that copied it); ranges are offsets, so they are the same in both.
  bool index_field(HeaderId id, Range value_range, std::string_view source, FieldError& error);
  // Re-reads the core state fed by fields of kind `id` after they were added, removed or
  // rewritten.
  void reindex(HeaderId id);
  Range append(std::string_view text);

  std::string buffer_;
  bool is_request_ = true;
  Method method_id_ = Method::Unknown;
  Range method_;
  UriParts request_uri_;
  int status_code_ = 0;
  Range reason_;
  Range body_;

  InlineVector<HeaderField, 24> headers_;
  InlineVector<ViaParts, 3> vias_;
  InlineVector<NameAddrParts, 2> contacts_;
  NameAddrParts from_;
  NameAddrParts to_;
  Range call_id_;
  Range cseq_method_;
  std::uint32_t cseq_number_ = 0;
  std::uint32_t content_length_ = 0;
  int max_forwards_ = -1;
  bool has_from_ = false;
  bool has_to_ = false;
  bool has_cseq_ = false;
  bool has_content_length_ = false;
  bool contact_star_ = false;
};

// Semantic equality: same start line, same header fields in the same order (names compared by
// id, or case-insensitively when unknown; values byte for byte), same body. Content-Length
// fields are ignored because the serializer recomputes them from the body.
bool operator==(const Message& a, const Message& b);

// RFC 3261 §8.2.6.2: a response copies Via (all, in order), From, To, Call-ID and CSeq; the UAS
// adds a To tag to every response but 100 (§8.2.6.2) when the request's To has none. For a 2xx or
// 1xx (not 100) to a dialog-creating request, Record-Route is copied too (§12.1.1).
Message make_response(const Message& request, int status_code, std::string_view reason_phrase,
                      std::string_view to_tag = {});

// Default reason phrase for a status code (§21), "Unknown" when the code has none.
std::string_view default_reason_phrase(int status_code);

}  // namespace sip

#include "sim/sip/transaction/transaction_key.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>

#include "sim/core/lookup_map.hpp"
#include "sim/core/rng.hpp"

namespace sip {

std::size_t TransactionKeyHash::operator()(const TransactionKeyView& key) const {
  // The branch is unique per transaction (§8.1.1.7); the rest mostly tells a CANCEL from its
  // INVITE, so the method's first letter and the side are mixed in and sent_by is left out.
  const std::size_t method = key.method.empty() ? 0 : static_cast<unsigned char>(key.method.front());
  const std::size_t mix = (method << 1 | static_cast<std::size_t>(key.side)) * 0x9e3779b97f4a7c15ULL;
  return sim::hash_lookup_key(key.branch) ^ mix;
}

namespace {

bool has_magic_cookie(std::string_view branch) { return branch.starts_with(kMagicCookie); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// §17.2.3 compares sent-by: host (case-insensitive, §19.1.4) and port as written. Written into
// a stack buffer and stored inline in the key (sim::LookupKey): every received request builds
// one, and a heap string for it cost an allocation.
sim::LookupKey sent_by_of(const Via& via) {
  const std::string_view host = via.host();
  const bool ipv6 = via.host_kind() == HostKind::Ipv6;
  char port_digits[8];
  std::size_t port_size = 0;
  if (const auto port = via.port()) {
    port_size = static_cast<std::size_t>(std::to_chars(port_digits, port_digits + sizeof port_digits, *port).ptr -
                                         port_digits);
  }
  const std::size_t size = host.size() + (ipv6 ? 2 : 0) + (port_size > 0 ? 1 + port_size : 0);
  char small[sim::LookupKey::kInlineCapacity];
  std::string large;  // a host name longer than any drsim writes
  char* const begin = size <= sizeof small ? small : (large.resize(size), large.data());
  char* out = begin;
  if (ipv6) *out++ = '[';
  for (const char c : host) *out++ = lower(c);
  if (ipv6) *out++ = ']';
  if (port_size > 0) {
    *out++ = ':';
    std::memcpy(out, port_digits, port_size);
  }
  return sim::LookupKey(std::string_view(begin, size));
}

bool has_top_branch_and_cseq(const Message& message) {
  return message.via_count() > 0 && message.top_via().has_branch() && message.has_cseq();
}

}  // namespace

std::string describe(const TransactionKey& key) {
  std::string text = key.side == TransactionSide::Client ? "client " : "server ";
  text += key.branch;
  if (!key.sent_by.empty()) {
    text += ' ';
    text += key.sent_by;
  }
  text += ' ' + key.method;
  return text;
}

std::optional<TransactionKey> client_key_of_request(const Message& request) {
  if (!request.is_request() || !has_top_branch_and_cseq(request)) return std::nullopt;
  return TransactionKey{TransactionSide::Client, sim::LookupKey(request.top_via().branch()), {},
                        std::string(request.method_text())};
}

std::optional<TransactionKey> client_key_of_response(const Message& response) {
  if (!response.is_response() || !has_top_branch_and_cseq(response)) return std::nullopt;
  return TransactionKey{TransactionSide::Client, sim::LookupKey(response.top_via().branch()), {},
                        std::string(response.cseq().method)};
}

std::optional<TransactionKeyView> client_key_view_of_response(const Message& response) {
  if (!response.is_response() || !has_top_branch_and_cseq(response)) return std::nullopt;
  return TransactionKeyView{TransactionSide::Client, response.top_via().branch(), {}, response.cseq().method};
}

std::optional<TransactionKey> server_key_of_request(const Message& request) {
  if (!request.is_request() || !has_top_branch_and_cseq(request)) return std::nullopt;
  const Via via = request.top_via();
  if (!has_magic_cookie(via.branch())) return std::nullopt;
  const std::string_view method = request.method() == Method::Ack ? "INVITE" : request.method_text();
  return TransactionKey{TransactionSide::Server, sim::LookupKey(via.branch()), sent_by_of(via),
                        std::string(method)};
}

std::optional<TransactionKey> invite_key_of_cancel(const Message& cancel) {
  if (cancel.method() != Method::Cancel) return std::nullopt;
  auto key = server_key_of_request(cancel);
  if (key) key->method = "INVITE";
  return key;
}

std::string make_branch(std::uint32_t sender_id, std::uint64_t counter) {
  // Written by hand into one buffer (what snprintf "%08x" and std::to_string wrote, ~1,100
  // instructions a branch through vsnprintf): every request a UA or proxy sends needs one.
  static constexpr char kHexDigits[] = "0123456789abcdef";
  char text[kMagicCookie.size() + 8 + 1 + 20];
  char* out = std::copy(kMagicCookie.begin(), kMagicCookie.end(), text);
  for (int shift = 28; shift >= 0; shift -= 4) *out++ = kHexDigits[(sender_id >> shift) & 0xF];
  *out++ = '.';
  out = std::to_chars(out, text + sizeof text, counter).ptr;
  return std::string(text, static_cast<std::size_t>(out - text));
}

std::uint32_t branch_sender_id(std::string_view actor_name) {
  // A fixed seed: branches must not change with the run's seed, only with the actor's history.
  return static_cast<std::uint32_t>(sim::stream_key(0, actor_name, "via-branch"));
}

}  // namespace sip

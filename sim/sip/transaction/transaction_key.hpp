#pragma once
// Transaction matching (RFC 3261 §17.1.3, §17.2.3) and Via branch generation (§8.1.1.7).
//
// A key is what a transaction table is ordered by. Client and server keys never compare equal
// (an element can hold both sides of the same branch, e.g. a UA that calls itself).
//
// Requests whose top Via branch lacks the magic cookie "z9hG4bK" come from RFC 2543 elements,
// which §17.2.3 matches by Request-URI, tags, Call-ID, CSeq and the whole top Via instead. Every
// element drsim models is an RFC 3261 element, so such a request gets no server key: the caller
// treats it as a malformed request (answer 400, or drop it if it is an ACK).
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <absl/container/flat_hash_map.h>

#include "sim/core/lookup_key.hpp"
#include "sim/sip/message.hpp"

namespace sip {

// §8.1.1.7: every RFC 3261 branch starts with this.
inline constexpr std::string_view kMagicCookie = "z9hG4bK";

enum class TransactionSide : std::uint8_t { Client, Server };

struct TransactionKey {
  TransactionSide side = TransactionSide::Client;
  // Branch and sent-by are 15 to 40 bytes: stored in the key (no heap block to miss on in a
  // table lookup, none to allocate on a copy). The method fits std::string's own buffer.
  sim::LookupKey branch;   // top Via branch, byte for byte
  sim::LookupKey sent_by;  // server keys only: top Via host (lower case) and port as written
  std::string method;      // CSeq method; "INVITE" for an ACK on the server side

  auto operator<=>(const TransactionKey&) const = default;
};

// A key's parts viewed in strings someone else owns (a received message): what a lookup builds,
// so matching a response allocates nothing. Orders exactly as TransactionKey does.
struct TransactionKeyView {
  TransactionSide side = TransactionSide::Client;
  std::string_view branch;
  std::string_view sent_by;
  std::string_view method;

  TransactionKeyView(TransactionSide key_side, std::string_view key_branch, std::string_view key_sent_by,
                     std::string_view key_method)
      : side(key_side), branch(key_branch), sent_by(key_sent_by), method(key_method) {}
  TransactionKeyView(const TransactionKey& key)  // NOLINT(google-explicit-constructor): a view of it
      : side(key.side), branch(key.branch), sent_by(key.sent_by), method(key.method) {}
  friend auto operator<=>(const TransactionKeyView&, const TransactionKeyView&) = default;
};

// Hash and equality of transaction tables; transparent, so a TransactionKeyView finds a
// TransactionKey without building one. Nothing may iterate a table hashed this way in an order
// anyone sees (a walk must sort what it collects).
struct TransactionKeyHash {
  using is_transparent = void;
  std::size_t operator()(const TransactionKeyView& key) const;
};
struct TransactionKeyEqual {
  using is_transparent = void;
  bool operator()(const TransactionKeyView& a, const TransactionKeyView& b) const {
    return a.side == b.side && a.branch == b.branch && a.method == b.method && a.sent_by == b.sent_by;
  }
};

// What an element keeps per transaction (the call an INVITE belongs to, ...), hashed like the
// transaction tables. Flat (sim/core/lookup_map.hpp): values move when the table grows, so
// keep them small and hold no reference to one across an insertion.
template <class Value>
using TransactionKeyMap = absl::flat_hash_map<TransactionKey, Value, TransactionKeyHash, TransactionKeyEqual>;

// "client z9hG4bK1 INVITE", "server z9hG4bK1 sbc.contoso.com:5061 INVITE": for logs and tests.
std::string describe(const TransactionKey& key);

// The key of the client transaction a request will create: its top Via branch and method.
std::optional<TransactionKey> client_key_of_request(const Message& request);

// §17.1.3: a response matches the client transaction whose request had the same top Via
// branch and the same CSeq method (a CANCEL's 200 shares the INVITE's branch but not its method).
std::optional<TransactionKey> client_key_of_response(const Message& response);
// The same key, viewing the response's bytes.
std::optional<TransactionKeyView> client_key_view_of_response(const Message& response);

// §17.2.3: a request matches the server transaction with the same top Via branch, sent-by and
// method; an ACK matches the INVITE it acknowledges (only an ACK for a non-2xx shares the
// INVITE's branch, §17.1.1.3). A CANCEL is a transaction of its own with the same branch.
// nullopt without a top Via or CSeq, or with a branch lacking the magic cookie (see above).
std::optional<TransactionKey> server_key_of_request(const Message& request);

// §9.2: the INVITE server transaction a CANCEL asks to cancel: the CANCEL's key with the
// method INVITE.
std::optional<TransactionKey> invite_key_of_cancel(const Message& cancel);

// §8.1.1.7: a branch unique across space and time: the magic cookie, 8 hex digits identifying
// the sender (see branch_sender_id) and the sender's own counter, e.g. "z9hG4bK3f9a0c1d.42".
// The caller owns the counter and increments it per new transaction; the result is then a
// pure function of the actor's name and its history.
std::string make_branch(std::uint32_t sender_id, std::uint64_t counter);

// A stable 32-bit identifier of an actor name (XXH3, whose output is frozen), so two actors'
// branches differ even when their counters agree.
std::uint32_t branch_sender_id(std::string_view actor_name);

}  // namespace sip

#pragma once
// The transactions of one kind an element holds, by key (§17.1.3, §17.2.3). Hashed: a busy
// element holds thousands, and every message looks one up. for_each visits in no particular
// order, so a walk that acts on what it finds sorts it first (TransactionLayer::flow_failed).
// A TU typically calls erase() from TransactionUser::on_terminated, which the transactions allow.
#include <cstddef>
#include <memory>
#include <utility>

#include <absl/container/flat_hash_map.h>

#include "sim/core/check.hpp"
#include "sim/sip/transaction/transaction_key.hpp"

namespace sip {

template <class Transaction>
class TransactionTable {
 public:
  // Takes ownership; the key is the transaction's own. Two live transactions with one key are
  // a program bug (a reused branch).
  Transaction& add(std::unique_ptr<Transaction> transaction) {
    const auto [position, added] = transactions_.try_emplace(transaction->key(), std::move(transaction));
    DRSIM_CHECK(added, "two transactions with the same key");
    return *position->second;
  }
  Transaction* find(TransactionKeyView key) const {
    const auto found = transactions_.find(key);
    return found == transactions_.end() ? nullptr : found->second.get();
  }
  // Destroys the transaction, cancelling its timers.
  void erase(const TransactionKey& key) {
    const auto found = transactions_.find(key);
    if (found == transactions_.end()) return;
    // Moved out first: the map node goes before the transaction, so nothing the transaction's
    // destructor touches can reach back into a half-erased map.
    std::unique_ptr<Transaction> doomed = std::move(found->second);
    transactions_.erase(found);
  }
  // Calls `visit` with every transaction, in no particular order.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const auto& entry : transactions_) visit(static_cast<const Transaction&>(*entry.second));
  }
  std::size_t size() const { return transactions_.size(); }
  bool empty() const { return transactions_.empty(); }

 private:
  // Flat (sim/core/lookup_map.hpp): the slots move, the transactions they own do not.
  absl::flat_hash_map<TransactionKey, std::unique_ptr<Transaction>, TransactionKeyHash, TransactionKeyEqual> transactions_;
};

}  // namespace sip

#pragma once
// LookupKey: the string a hash table is keyed by, kept inside the table's own slot when it is
// short. drsim's keys (Call-IDs, Via branches, tags, numbers) are 8 to 40 bytes, just past
// std::string's 15-byte small-string buffer, so every std::string key lived in a heap block of
// its own: a lookup that hit paid one cache miss for the slot and a second one in memcmp for
// the key's bytes (memcmp was 7% of the busy hour's wall time under perf, 1.7% of its
// instructions), and every key copy paid an allocation. Here up to kInlineCapacity bytes sit in
// the object itself; longer keys (nothing drsim generates) go to the heap.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace sim {

class LookupKey {
 public:
  // The object is 48 bytes: the inline bytes, then one byte for their count.
  static constexpr std::size_t kInlineCapacity = 47;

  LookupKey() noexcept : inline_size_(0) {}
  // Explicit, so that comparing a LookupKey with a std::string has one reading (as views).
  explicit LookupKey(std::string_view text) { assign(text); }
  explicit LookupKey(const std::string& text) : LookupKey(std::string_view(text)) {}
  explicit LookupKey(const char* text) : LookupKey(std::string_view(text)) {}
  LookupKey(const LookupKey& other) { assign(other.view()); }
  LookupKey(LookupKey&& other) noexcept : inline_size_(other.inline_size_) {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.inline_size_ = 0;  // a heap block now belongs to this one
  }
  LookupKey& operator=(const LookupKey& other) {
    if (this != &other) {
      LookupKey copy(other);
      swap(copy);
    }
    return *this;
  }
  LookupKey& operator=(LookupKey&& other) noexcept {
    LookupKey moved(std::move(other));
    swap(moved);
    return *this;
  }
  LookupKey& operator=(std::string_view text) {
    LookupKey copy(text);
    swap(copy);
    return *this;
  }
  ~LookupKey() { release(); }

  std::string_view view() const noexcept {
    return on_heap() ? heap_block() : std::string_view(bytes_, inline_size_);
  }
  operator std::string_view() const noexcept { return view(); }  // NOLINT(google-explicit-constructor)
  const char* data() const noexcept { return view().data(); }
  std::size_t size() const noexcept { return view().size(); }
  bool empty() const noexcept { return size() == 0; }

  void swap(LookupKey& other) noexcept {
    std::swap(bytes_, other.bytes_);
    std::swap(inline_size_, other.inline_size_);
  }

  friend bool operator==(const LookupKey& a, const LookupKey& b) noexcept { return a.view() == b.view(); }
  friend bool operator==(const LookupKey& a, std::string_view b) noexcept { return a.view() == b; }
  friend std::strong_ordering operator<=>(const LookupKey& a, const LookupKey& b) noexcept {
    return a.view() <=> b.view();
  }
  friend std::strong_ordering operator<=>(const LookupKey& a, std::string_view b) noexcept {
    return a.view() <=> b;
  }

 private:
  static constexpr std::uint8_t kOnHeap = 0xff;
  static_assert(kInlineCapacity < kOnHeap);

  // A long key's block address and size, stored in the first inline bytes. Copied in and out
  // with memcpy: the object has byte alignment, so it packs into 48 bytes.
  struct HeapBlock {
    const char* data;
    std::size_t size;
  };
  static_assert(sizeof(HeapBlock) <= kInlineCapacity);

  bool on_heap() const noexcept { return inline_size_ == kOnHeap; }
  std::string_view heap_block() const noexcept {
    HeapBlock block;
    std::memcpy(&block, bytes_, sizeof block);
    return {block.data, block.size};
  }
  void assign(std::string_view text) {
    if (text.size() <= kInlineCapacity) {
      if (!text.empty()) std::memcpy(bytes_, text.data(), text.size());
      inline_size_ = static_cast<std::uint8_t>(text.size());
      return;
    }
    char* copy = new char[text.size()];
    std::memcpy(copy, text.data(), text.size());
    const HeapBlock block{copy, text.size()};
    std::memcpy(bytes_, &block, sizeof block);
    inline_size_ = kOnHeap;
  }
  void release() noexcept {
    if (on_heap()) delete[] heap_block().data();
    inline_size_ = 0;
  }

  char bytes_[kInlineCapacity]{};
  std::uint8_t inline_size_;  // kOnHeap when the bytes are a HeapBlock
};

static_assert(sizeof(LookupKey) == 48);

}  // namespace sim

#pragma once
// A vector of trivially copyable elements whose first N live inside the object: the common SIP
// message (a few Vias, one or two Contacts, ~20 headers) then costs no allocation beyond its
// buffer. Larger ones (RFC 4475 longreq: 34 Vias) spill into a std::vector.
//
// The inline slots are raw storage: constructing, copying and assigning touch only the slots in
// use. A Message holds ~1 KB of them and is built, copied and parsed on every hop, so zeroing or
// copying the unused ones showed in the benchmark.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

namespace sip {

template <class T, std::size_t N>
class InlineVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  InlineVector() = default;
  InlineVector(const InlineVector& other) : overflow_(other.overflow_), size_(other.size_) {
    copy_inline_from(other);
  }
  InlineVector(InlineVector&& other) noexcept : overflow_(std::move(other.overflow_)), size_(other.size_) {
    copy_inline_from(other);
    other.size_ = 0;
  }
  InlineVector& operator=(const InlineVector& other) {
    if (this != &other) {
      overflow_ = other.overflow_;
      size_ = other.size_;
      copy_inline_from(other);
    }
    return *this;
  }
  InlineVector& operator=(InlineVector&& other) noexcept {
    if (this != &other) {
      overflow_ = std::move(other.overflow_);
      size_ = other.size_;
      copy_inline_from(other);
      other.overflow_.clear();
      other.size_ = 0;
    }
    return *this;
  }
  ~InlineVector() = default;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    size_ = 0;
    overflow_.clear();
  }
  void push_back(const T& value) {
    if (size_ < N) {
      std::memcpy(static_cast<void*>(slot(size_)), &value, sizeof(T));
    } else {
      overflow_.push_back(value);
    }
    ++size_;
  }
  // Appends a value-initialized element and returns it, so a parser can fill it in place:
  // building a temporary and copying it in costs a store-to-load stall per element.
  T& emplace_back() {
    ++size_;
    if (size_ <= N) return *::new (static_cast<void*>(inline_ + (size_ - 1) * sizeof(T))) T{};
    return overflow_.emplace_back();
  }
  void pop_back() {
    if (size_ > N) overflow_.pop_back();
    --size_;
  }
  T& operator[](std::size_t i) { return i < N ? *slot(i) : overflow_[i - N]; }
  const T& operator[](std::size_t i) const { return i < N ? *slot(i) : overflow_[i - N]; }
  T& back() { return (*this)[size_ - 1]; }

 private:
  // Trivially copyable elements may be created by copying their bytes (C++20 [basic.types]).
  T* slot(std::size_t i) { return std::launder(reinterpret_cast<T*>(inline_ + i * sizeof(T))); }
  const T* slot(std::size_t i) const {
    return std::launder(reinterpret_cast<const T*>(inline_ + i * sizeof(T)));
  }
  void copy_inline_from(const InlineVector& other) {
    const std::size_t used = size_ < N ? size_ : N;
    if (used > 0) std::memcpy(inline_, other.inline_, used * sizeof(T));
  }

  alignas(T) unsigned char inline_[N * sizeof(T)];
  std::vector<T> overflow_;
  std::size_t size_ = 0;
};

}  // namespace sip

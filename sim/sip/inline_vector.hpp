#pragma once
// A vector of trivially copyable elements whose first N live inside the object: the common SIP
// message (a few Vias, one or two Contacts, ~20 headers) then costs no allocation beyond its
// buffer. Larger ones (RFC 4475 longreq: 34 Vias) spill into a std::vector.
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace sip {

template <class T, std::size_t N>
class InlineVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    size_ = 0;
    overflow_.clear();
  }
  void push_back(const T& value) {
    if (size_ < N) {
      inline_[size_] = value;
    } else {
      overflow_.push_back(value);
    }
    ++size_;
  }
  T& operator[](std::size_t i) { return i < N ? inline_[i] : overflow_[i - N]; }
  const T& operator[](std::size_t i) const { return i < N ? inline_[i] : overflow_[i - N]; }
  T& back() { return (*this)[size_ - 1]; }

 private:
  std::array<T, N> inline_{};
  std::vector<T> overflow_;
  std::size_t size_ = 0;
};

}  // namespace sip

#include "graph/limits.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/error.h"

namespace swtc::graph {

namespace {

// Sums of a few sizes below this cannot overflow int64.
constexpr int64_t kCap = int64_t{1} << 60;

int64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return int64_t{8} << 30;  // unknown: assume 8 GiB
  return static_cast<int64_t>(pages) * static_cast<int64_t>(page);
}

int64_t parse_bytes(const std::string &text) {
  size_t i = 0;
  int64_t v = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, text[i] - '0', &v))
      return -1;
    ++i;
  }
  if (i == 0) return -1;
  if (i + 1 == text.size()) {
    int shift = 0;
    switch (std::toupper(static_cast<unsigned char>(text[i]))) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      default: return -1;
    }
    if (v > (INT64_MAX >> shift)) return -1;
    return v << shift;
  }
  return i == text.size() ? v : -1;
}

}  // namespace

int64_t max_tensor_bytes() {
  if (const char *env = std::getenv("SWTC_MAX_TENSOR_BYTES")) {
    const int64_t v = parse_bytes(env);
    if (v <= 0)
      user_error("SWTC_MAX_TENSOR_BYTES='", env,
                 "' is not a positive byte count (digits with an optional K, M, G or T suffix)");
    return std::min(v, kCap);
  }
  return std::min(physical_memory_bytes() / 4, kCap);
}

int64_t checked_num_elements(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) return -1;
  return n;
}

void check_tensor_shape(const Shape &s, DType t, const std::string &what) {
  if (s.size() > kMaxRank)
    user_error(what, ": rank ", s.size(), " (shape ", shape_str(s), ") is above ", kMaxRank,
               ", the largest rank swtc supports");
  for (int64_t d : s)
    if (d < 0) user_error(what, ": negative dimension in shape ", shape_str(s));
  const int64_t n = checked_num_elements(s);
  int64_t bytes = 0;
  if (n < 0 || __builtin_mul_overflow(n, int64_t{dtype_bytes(t)}, &bytes))
    user_error(what, ": shape ", shape_str(s), " has more elements than a 64-bit count holds");
  const int64_t most = max_tensor_bytes();
  if (bytes > most)
    user_error(what, ": shape ", shape_str(s), " of ", dtype_name(t), " is ", bytes,
               " bytes, above the limit of ", most,
               " bytes (a quarter of this machine's memory by default; set "
               "SWTC_MAX_TENSOR_BYTES to change it)");
}

}  // namespace swtc::graph

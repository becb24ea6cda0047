// Limits on what swtc accepts, checked where a shape first appears (import,
// shape inference, memory plan, constant folding) so that an oversized or
// malformed shape is a named user error, never an overflow, a failed
// allocation or generated code that does not compile.
#pragma once

#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace swtc::graph {

/// Largest tensor rank the generated code supports (the header's shape
/// tables are `long [][8]`).
constexpr size_t kMaxRank = 8;

/// Largest tensor, workspace or weights blob in bytes: SWTC_MAX_TENSOR_BYTES
/// (bytes, with an optional K, M, G or T suffix, powers of 1024) if set, else
/// a quarter of this machine's physical memory; at most 2^60. A malformed
/// value of the variable is a user error.
int64_t max_tensor_bytes();

/// Checks a tensor's shape: rank <= kMaxRank, no negative dimension, an
/// element count and byte size that fit in int64 and a size of at most
/// max_tensor_bytes(). On failure: user_error(what, ": ", reason).
void check_tensor_shape(const Shape &s, DType t, const std::string &what);

/// The element count of `s` (as num_elements) or -1 if it overflows int64 or
/// a dimension is negative.
int64_t checked_num_elements(const Shape &s);

}  // namespace swtc::graph

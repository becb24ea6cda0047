// Blocked ("packed") layout of one input buffer of a kernel, the layout
// rewrite a schedule asks for with Schedule::pack.
//
// Dimension `dim` of `buffer` is stored in blocks of `block`: the block index
// becomes the outermost dimension, the index inside the block a new innermost
// one, the other dimensions keep their order between them; e.g. a Conv weight
// [M][C][KH][KW] packed at dim 0 by 32 becomes [ceil(M/32)][C][KH][KW][32], a
// MatMul weight [K][N] packed at dim 1 by 16 [ceil(N/16)][K][16]. The LDM box
// of a staged copy then holds the block's elements contiguously along the new
// last dim (aligned vector loads across it), and the box of one block over
// whole other dims is one contiguous run in main memory.
// Only for constants: the caller packs the data the same way (pack_data).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tir/tir.h"

namespace swtc::tir {

/// The packed shape of `shape` (see above); elements past the end of `dim`
/// in its last block are padding (zero in pack_data).
std::vector<int64_t> packed_shape(const std::vector<int64_t> &shape, size_t dim, int64_t block);

/// Rewrites `f` so that parameter `buffer` has the packed layout. Every
/// staged box of it must span exactly one block along `dim` and start at a
/// provable multiple of `block` there (else UserError, naming the reason).
PrimFunc pack_layout(const PrimFunc &f, const std::string &buffer, size_t dim, int64_t block);

/// Element order of the packed layout: packed[i] = data[src[i]], or zero
/// where src[i] < 0 (padding).
std::vector<int64_t> pack_source_index(const std::vector<int64_t> &shape, size_t dim,
                                       int64_t block);

}  // namespace swtc::tir

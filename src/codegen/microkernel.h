// Register-blocked SIMD code for the reduction nest of a convolution on a
// CPE (a "tensorize" of the nest into a micro-kernel):
//
//   for a { for b { for r1 { .. for rn {
//     [if (cond)] Y[..a..b..] = Y[..a..b..] + X[..a..r..] * W[..r.., b];
//   } } } }
//
// W's last index is b (on the host also 2 b: a stride-2 depthwise Conv's input
// row, loaded by VectorIsa::load_every_other) and its rows are vector-aligned (a packed weight, see
// tir/pack_layout.h), X does not depend on b, Y not on the reduce loops r.
// Output: blocks of WB iterations of `a` by VB vectors along `b` held in
// registers across the whole reduction; per step VB aligned vector loads of
// W, WB broadcasts of X and WB*VB simd_vmas; then the block is added into Y.
// The condition is dropped: the caller promises that every iteration it
// guards off either multiplies a zero (boxes are zero-filled past the
// tensor's bounds, packed weights past the last block) or updates an output
// element that is never written back (the rows past the tensor of a partial
// tile) — true of the Conv lowering (lower/lower_conv.cpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c_printer.h"
#include "codegen/simd.h"
#include "tir/tir.h"

namespace swtc::codegen {

/// The register block chosen for a nest with `a_extent` x `b_vectors`
/// (vectors along b): {WB, VB}, WB dividing a_extent, VB dividing b_vectors,
/// at most `max_acc` accumulators, most vmas per load.
std::pair<int64_t, int64_t> microkernel_block(int64_t a_extent, int64_t b_vectors,
                                              int64_t max_acc = 24);

/// Lines of the micro-kernel for `loop` (the `a` loop; nested lines carry two
/// spaces per level), or nullopt if the nest does not have the shape above.
/// `enclosing`: extents of the loops around `loop`.
/// Like microkernel_block, but WB need not divide a_extent: the rest is one
/// tail block; the most vector FMAs per memory operation over the extent.
std::pair<int64_t, int64_t> microkernel_block_tail(int64_t a_extent, int64_t b_vectors,
                                                   int64_t max_acc);

/// `max_acc`: the most accumulators the register block may hold; `tail`:
/// blocks need not divide `a` (microkernel_block_tail; a last, smaller
/// block takes the rest), else WB divides it (microkernel_block).
std::optional<std::vector<std::string>> conv_microkernel(
    const tir::Stmt &loop, const VectorIsa &spec, const std::map<std::string, int64_t> &enclosing,
    CPrinter &printer, int64_t max_acc = 24, bool tail = false);

}  // namespace swtc::codegen

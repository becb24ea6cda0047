// Analyses over the tensor IR used by scheduling and code generation.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "tir/tir.h"

namespace swtc::tir {

/// e written as sum(coeff[v] * v for inner vars v) + sym + constant, where
/// `sym` holds the terms free of inner variables (null if none). `ok` is
/// false when e is not affine in the inner variables.
struct LinearForm {
  bool ok = true;
  std::map<std::string, int64_t> coeffs;
  Expr sym;
  int64_t constant = 0;
};
LinearForm linear_form(const Expr &e, const std::map<std::string, int64_t> &inner_extents);

/// True if variable `name` occurs in e.
bool uses_var(const Expr &e, const std::string &name);

/// The checks every function must pass after every transformation:
/// variables bound by an enclosing loop, buffers either parameters or staged
/// locals in scope, index counts equal to ranks, no shadowed loop variables.
/// Throws InternalError naming the function and the problem.
void verify(const PrimFunc &f);

/// The trailing dimensions [t, rank) that a Stage's box covers whole (box
/// extent equals the tensor's and the box starts at 0); returns t. The DMA of
/// the box moves dims [t-1, rank) as one contiguous run per index of the dims
/// before t-1.
size_t stage_whole_from(const Stmt &stage);

/// The range [lo, hi] of an integer index expression when every variable v in
/// `extents` runs over [0, extents[v]); nullopt for other variables or
/// operations (supported: + - * by constants, floor / and % by positive
/// constants, min, max).
std::optional<std::pair<int64_t, int64_t>> bounds(const Expr &e,
                                                  const std::map<std::string, int64_t> &extents);

/// Value of an integer index or condition expression under `env` (floor
/// division and modulo); nullopt if it reads memory, uses floats or a
/// variable `env` lacks.
std::optional<int64_t> eval_index(const Expr &e, const std::map<std::string, int64_t> &env);

/// True if a Stage's box moves as strided DMA descriptors (stride/bsize):
/// with t = stage_whole_from(stage) >= 2, the box is provably never clipped in
/// dim t-1 (its corner's bounds under `extents`, the loops around the stage,
/// keep it inside the tensor), so the rows of dim t-2 are equally long blocks,
/// back to back in LDM: one descriptor moves them all (bsize = the row, stride
/// = the rest of the tensor's row). Otherwise each row is its own transfer.
bool stage_strided(const Stmt &stage, const std::map<std::string, int64_t> &extents);

/// An input box with a halo: from dim `row + 1` on it always covers the
/// tensor's whole extent and reaches past it in at least one of those dims
/// (e.g. a padded Conv's input rows). Such a box is fetched compactly: the
/// valid part, whose rows [a, b) of dim `row` are one run per index of the
/// dims before, moves back to back into the end of the LDM box (one strided
/// descriptor over dim `row - 1` when `strided`: that dim is provably never
/// clipped), then one forward pass spreads it to its place and zeroes the
/// rest (tir: the layout is unchanged; codegen/sunway.cpp).
struct CompactFetch {
  size_t row = 0;
  bool strided = false;
};
std::optional<CompactFetch> stage_compact(const Stmt &stage,
                                          const std::map<std::string, int64_t> &extents);

/// DMA traffic of the busiest compute core, counted from the staged boxes and
/// the trip counts of the loops around them (a loop bound to `cpes` workers
/// runs ceil(extent / cpes) times on the busiest one). An upper bound: boxes
/// clamped at tensor edges move less.
struct DmaEstimate {
  double bytes = 0;      // get + put
  double transfers = 0;  // get + put descriptors (a strided one counts once)
  // The strided part of the above: descriptors, their blocks, their bytes.
  double stride_transfers = 0, stride_blocks = 0, stride_bytes = 0;
  double flops = 0;      // of the busiest core: f.flops / extent * trips of the worker loop
};
/// `skip`: the stages of that buffer are left out (e.g. a broadcast stage,
/// which the caller costs apart).
DmaEstimate dma_estimate(const PrimFunc &f, int cpes, const std::string &skip = "");

/// Floating-point operations one evaluation of `e` performs: each float
/// + - * / min max and each float-valued call counts 1; loads, selects,
/// comparisons and index arithmetic count 0.
int64_t float_ops(const Expr &e);

/// Floating-point operations the function executes: for every Store, the
/// float_ops of the stored value times the number of loop iterations that run
/// it. IfThen guards (conjunctions of index conditions, e.g. padding checks)
/// are evaluated exactly over the loop variables they use: affine guards by
/// solving for the widest variable and enumerating the others (up to 2^20
/// points), other guards point by point (up to 2^16 points); a guard that
/// cannot be evaluated (it reads memory, overflows) or is beyond these
/// bounds counts as true, and the count saturates at INT64_MAX, so the time
/// is bounded whatever the shapes. This is what the emulator counts for the
/// generated code (SWEMU_SCALAR_FLOPS / simd.h).
int64_t executed_flops(const PrimFunc &f);

/// True if any Stage of f is double-buffered.
bool has_double_buffer(const PrimFunc &f);

/// Sunway rule: compute-core code reaches main memory only through DMA.
/// Throws InternalError naming the function and buffer if any load or store
/// touches a Global buffer directly (outside the Stage boxes in LDM).
void verify_dma_only(const PrimFunc &f);

/// Bytes of LDM the function needs at once: the largest end of a staged
/// buffer in local_layout, i.e. along any path of nested stages the sum of the
/// outer buffers (4 bytes per element, each rounded up to 32 bytes so that the
/// next one is aligned) plus the innermost one's exact size (no trailing
/// padding). The athread emulator observes this figure: the highest LDM byte
/// a kernel writes (docs/perf-model.md).
int64_t local_bytes(const PrimFunc &f);

}  // namespace swtc::tir

namespace swtc::tir {
/// Byte offset of every staged buffer in the kernel's LDM arena: nested stages
/// are stacked, sibling stages reuse the same bytes; a double-buffered stage
/// takes two copies, the second at the next 32-byte boundary after the first.
/// Every offset is a multiple of 32. `total` gets local_bytes(f).
std::map<const BufferNode *, int64_t> local_layout(const PrimFunc &f, int64_t *total);
/// Bytes one LDM copy of `b` takes in local_layout (its bytes rounded up to 32):
/// the distance from a double-buffered stage's first copy to its second.
int64_t local_copy_bytes(const Buffer &b);
}  // namespace swtc::tir

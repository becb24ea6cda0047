// Schedule primitives over one ComputeDef, and lowering to tensor IR.
//
// Loops are named by their iteration variables. Every primitive checks its
// preconditions (throwing swtc::UserError with the kernel and the reason) and
// is recorded in a trace that can be printed and replayed.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "schedule/compute.h"
#include "tir/tir.h"

namespace swtc::schedule {

struct LeafAxis {
  std::string name;
  int64_t extent = 1;
  bool reduce = false;
  tir::ForKind kind = tir::ForKind::Serial;
};

/// True if dropping `def`'s guards is exact once its inputs are staged
/// (Schedule::unguard): a sum of a product of loads and constants (a zero
/// load makes the summed value zero), or a max of one load (boxes filled
/// with the max's initial value, which never wins).
bool unguardable(const ComputeDef &def);

/// True if computing `def`'s partial tiles past the tensor's bounds is
/// harmless once its output and inputs are staged (Schedule::pad_tiles): a
/// float output, no integer division in its init or epilogue.
bool paddable(const ComputeDef &def);

class Schedule {
 public:
  explicit Schedule(ComputeDef def);

  const ComputeDef &def() const { return def_; }
  const std::vector<LeafAxis> &leaves() const { return leaves_; }
  const std::vector<std::string> &trace() const { return trace_; }
  const LeafAxis &axis(const std::string &name) const;

  /// Splits loop `name` into `name_o` (extent ceil(e/factor)) and `name_i`
  /// (extent factor). Pre: the loop exists, 1 <= factor. A factor that does not
  /// divide the extent adds a bound guard.
  std::pair<std::string, std::string> split(const std::string &name, int64_t factor);
  /// Fuses two adjacent loops (outer directly enclosing inner) into one.
  /// Pre: adjacent in the current order, both spatial or both reduce, neither
  /// annotated parallel/cpe.
  std::string fuse(const std::string &outer, const std::string &inner);
  /// Puts the named loops in the given order, at the positions they occupy
  /// now. Pre: the names are distinct existing loops.
  void reorder(const std::vector<std::string> &order);
  /// Runs loop `name` on host threads. Pre: spatial, outside every reduce loop,
  /// and no other loop annotated.
  void parallel(const std::string &name);
  /// Distributes loop `name` over the 64 CPEs of a core group (block split by
  /// _MYID). Pre: spatial, outermost, no other loop annotated.
  void bind_cpe(const std::string &name);
  /// Stages input `buffer` in LDM inside loop `at`: DMA in the box it reads
  /// there. Pre: buffer is an input, staged at most once, `at` exists.
  void cache_read(const std::string &buffer, const std::string &at);
  /// Fetches the box of staged input `buffer` for the next iteration of its
  /// loop while this one computes (two LDM copies). Pre: cache_read(buffer)
  /// at a serial loop (not the CPE loop). If that loop has one step when
  /// lowered, the stage is lowered single-buffered (the second copy would
  /// never be used).
  void double_buffer(const std::string &buffer);
  /// Stores input `buffer` (a constant) in blocks of `block` along `dim`, the
  /// index inside a block innermost (tir/pack_layout.h): lowered, the kernel
  /// reads the packed layout, which the compiler writes in place of the
  /// constant's data. Pre: an input, packed once; at lowering, each staged box
  /// spans one block at a multiple of `block`.
  void pack(const std::string &buffer, size_t dim, int64_t block);
  struct Pack {
    std::string buffer;
    size_t dim;
    int64_t block;
  };
  const std::vector<Pack> &packs() const { return packs_; }
  /// Makes loop `a`, the loop `b` directly inside it and the reduce loops
  /// inside `b` one register-blocked micro-kernel (codegen/microkernel.h):
  /// blocks of `a` iterations by vectors of `lanes` along `b` accumulate in
  /// registers over the whole reduction. The micro-kernel drops the
  /// kernel's guard, so lower() checks what makes that exact: a sum of a
  /// product of two inputs, or of one input, or a max of one input after
  /// unguard (a pooling window); `b` is spatial with a multiple of `lanes`
  /// iterations, every loop inside it a reduce loop; the output and both
  /// inputs are staged (cache_write / cache_read) outside `a`, so every
  /// guarded-off iteration reads zeros of a box filled past the tensor's
  /// bounds or updates an output element that is never written back. The
  /// printer emits the micro-kernel where the input indexed by `b` is
  /// contiguous along `b` in its staged box (aligned, on Sunway: a packed
  /// weight, see pack) and the plain (guarded) nest otherwise.
  void tensorize(const std::string &a, int64_t lanes);
  /// Drops the guards of the reduction's update (padding, partial tiles):
  /// every staged box is zero past the tensor's bounds (a max's: its initial
  /// value), so a guarded-off update adds a zero product (takes the max with
  /// the initial value), and a partial tile's extra outputs are never copied
  /// out. lower() checks that this is exact: unguardable(def), every input
  /// staged outside the reduce loops, and the output staged.
  void unguard();
  /// Computes the iterations of partial tiles past the tensor's bounds too,
  /// in the init and epilogue nests (unguarded, so the C compiler
  /// vectorises them whole): they write only the staged output tile past
  /// the tensor, which the copy out drops. lower() checks that this is
  /// exact: the output is staged, every input the init or epilogue reads
  /// is staged (zero past the bounds: no read outside a tensor), and the
  /// output is a float with no integer division in the epilogue (a zero
  /// past the bounds may give inf or NaN there, never a trap).
  void pad_tiles();
  /// Stages the output tile in LDM inside loop `at`, DMA out after it.
  /// `local_order` (optional, a permutation of the output's dims): the
  /// local tile's dim k is the output's dim local_order[k] (e.g. channels
  /// innermost, so a micro-kernel adds whole vectors of channels into it);
  /// the copy out transposes. Pre: `at` is outside every reduce loop.
  void cache_write(const std::string &at, std::vector<size_t> local_order = {});

  /// Lowers to a loop nest. Errors (as UserError) if a staged region is not
  /// affine in the loops inside its stage point. `count_flops` false leaves
  /// PrimFunc::flops 0 (tir::executed_flops can take seconds on large guarded
  /// nests; a search that only needs the LDM size skips it).
  tir::PrimFunc lower(bool count_flops = true) const;

 private:
  struct Split {
    std::string parent, outer, inner;
    int64_t factor;
  };
  struct Fuse {
    std::string outer, inner, fused;
  };
  struct Relation {
    bool is_split;
    Split split;
    Fuse fuse;
  };
  struct Cache {
    std::string buffer;  // empty: the output
    std::string at;
    bool double_buffer = false;
    std::vector<size_t> order;  // local dim order (cache_write), empty: as the global
  };

  size_t index_of(const std::string &name) const;
  size_t first_reduce() const;
  [[noreturn]] void fail(const std::string &primitive, const std::string &why) const;

  ComputeDef def_;
  std::vector<LeafAxis> leaves_;
  std::vector<Relation> relations_;
  std::vector<Cache> caches_;
  std::vector<Pack> packs_;
  std::string tensorized_;  // loop `a` of tensorize, or empty
  bool unguarded_ = false;
  void check_unguard() const;
  bool padded_ = false;
  void check_pad_tiles() const;
  int64_t tensor_lanes_ = 0;
  void check_tensorize() const;
  std::vector<std::string> trace_;
  std::map<std::string, int64_t> extents_;  // every axis ever created
};

}  // namespace swtc::schedule

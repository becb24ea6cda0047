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
  /// Stages the output tile in LDM inside loop `at`, DMA out after it.
  /// Pre: `at` is outside every reduce loop.
  void cache_write(const std::string &at);

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
  };

  size_t index_of(const std::string &name) const;
  size_t first_reduce() const;
  [[noreturn]] void fail(const std::string &primitive, const std::string &why) const;

  ComputeDef def_;
  std::vector<LeafAxis> leaves_;
  std::vector<Relation> relations_;
  std::vector<Cache> caches_;
  std::vector<Pack> packs_;
  std::vector<std::string> trace_;
  std::map<std::string, int64_t> extents_;  // every axis ever created
};

}  // namespace swtc::schedule

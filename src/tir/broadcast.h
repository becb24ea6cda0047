// Broadcast DMA on Sunway: which staged input box every CPE of a group of
// the 8x8 mesh (a row of 8, or all 64) needs at the same time, so that one
// CPE can fetch it once for all of them (athread_get in BCAST_MODE).
#pragma once

#include <optional>
#include <string>

#include "tir/tir.h"

namespace swtc::tir {

/// A stage of `buffer` that can be broadcast, and the work distribution that
/// lets it: the kernel's CPE loop (T tiles) is split into blocks of `share`
/// consecutive tiles whose box is the same (it depends on the tile only
/// through tile / share); each group of `group` CPEs (a mesh row: 8; the
/// array: 64) takes one block at a time and splits its tiles, so its CPEs
/// stage the same box in lockstep and the group's first CPE broadcasts it.
struct BroadcastPlan {
  std::string buffer;    // the global buffer (e.g. a packed weight)
  std::string local;     // its LDM copy
  int64_t tiles = 0;     // T: iterations of the CPE loop
  int64_t share = 0;     // S: consecutive tiles with the same box (S divides T)
  int64_t steps = 0;     // executions of the stage per tile
  int64_t box_bytes = 0; // one broadcast (of a compact box: its valid part)
  bool double_buffer = false;
  /// A halo box (tir::stage_compact, e.g. a padded Conv's whole-image input
  /// panel): its valid part, one contiguous run, is broadcast to where the
  /// compact fetch would put it (the end of the LDM box, at the same offset
  /// in every CPE) and each CPE spreads it over the box after the barrier.
  bool compact = false;
  int group = 64;        // CPEs per broadcast: 8 (a row, mask 1 << row) or 64 (mask 0xff)

  int64_t blocks() const { return tiles / share; }
  /// Groups side by side: 64 / group.
  int64_t groups() const { return 64 / group; }
  /// Tiles each CPE runs (every CPE runs as many, idle ones on a copy of a
  /// neighbour's tile without storing it): blocks over the groups, times the
  /// block's tiles over the group's CPEs.
  int64_t rounds() const {
    return (blocks() + groups() - 1) / groups() * ((share + group - 1) / group);
  }
};

/// The plan for broadcasting the stage of `buffer` in `f` to groups of
/// `group` CPEs (8 or 64), or nullopt if it cannot be: `f`'s body must be its
/// CPE loop; the stage (an input, in the tensor's dim order, with no fill)
/// must be the only stage of `buffer`, reached from the CPE loop through
/// serial loops, stages and sequences only (no guard), its box one contiguous
/// run never clipped at the tensor's bounds, or a double-buffered halo box
/// fetched compactly (tir::stage_compact) whose valid part is one contiguous
/// run (the dims before the compact row dim one index wide, the row dim
/// never clipped);
/// and some S > 1 dividing T must
/// make the box depend on the tile only through tile / S (checked on every
/// tile, the loops between at their first and last iteration). The largest
/// such S is taken.
std::optional<BroadcastPlan> broadcast_plan(const PrimFunc &f, const std::string &buffer,
                                            int group);

}  // namespace swtc::tir

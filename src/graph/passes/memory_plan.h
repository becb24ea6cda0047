// Static memory planning: every tensor the kernels touch gets a place —
// a graph input or output buffer, an offset in the weights blob, or an offset
// in one caller-owned workspace shared by liveness.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace swtc::graph {

/// One kernel invocation, in execution order: the values it reads and writes.
struct Step {
  std::vector<int> reads;
  int write = -1;
};

struct MemoryPlan {
  enum class Kind { None, Input, Output, Weight, Workspace };
  struct Slot {
    Kind kind = Kind::None;
    int index = 0;       // Input / Output: position in the graph's inputs / outputs
    int64_t offset = 0;  // Weight / Workspace: byte offset
  };
  std::vector<Slot> slots;         // per value id; views share their source's slot
  int64_t workspace_bytes = 0;
  int64_t weights_bytes = 0;
  int64_t intermediate_bytes = 0;  // sum over all intermediate tensors (no sharing)
};

/// Plans storage. `alias_of[v]` is the value v is a view of (-1 if none),
/// starting `alias_offset[v]` bytes into it (empty: all 0; a part of a
/// Concat computed in place, lower/concat_in_place.h); a view's lifetime
/// extends its source's. A value with a nonzero offset must have workspace
/// storage at its root. Offsets are 64-byte aligned.
/// Two tensors share workspace bytes only if no step uses both of them.
MemoryPlan plan_memory(const Graph &g, const std::vector<Step> &steps,
                       const std::vector<int> &alias_of,
                       const std::vector<int64_t> &alias_offset = {});

}  // namespace swtc::graph

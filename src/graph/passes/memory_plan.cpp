#include "graph/passes/memory_plan.h"

#include <algorithm>

#include "common/error.h"
#include "graph/limits.h"

namespace swtc::graph {

namespace {
int64_t align64(int64_t n) { return (n + 63) / 64 * 64; }

int64_t bytes_of(const Value &v) {
  return num_elements(v.shape) * dtype_bytes(v.dtype);
}

struct Live {
  int root;
  int first, last;  // step indices
  int64_t bytes;
  int64_t offset = -1;
};
}  // namespace

MemoryPlan plan_memory(const Graph &g, const std::vector<Step> &steps,
                       const std::vector<int> &alias_of,
                       const std::vector<int64_t> &alias_offset) {
  const int nv = static_cast<int>(g.values.size());
  auto root = [&](int v) {
    while (alias_of[v] >= 0) v = alias_of[v];
    return v;
  };
  MemoryPlan plan;
  plan.slots.resize(nv);
  for (size_t i = 0; i < g.inputs.size(); ++i)
    plan.slots[g.inputs[i]] = {MemoryPlan::Kind::Input, static_cast<int>(i), 0};
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    SWTC_CHECK(alias_of[g.outputs[i]] < 0, "graph output ", g.values[g.outputs[i]].name,
               " is a view; it needs a copy step");
    plan.slots[g.outputs[i]] = {MemoryPlan::Kind::Output, static_cast<int>(i), 0};
  }

  // Weights, in value order (deterministic), only those the kernels read.
  std::vector<bool> read(nv, false);
  for (const Step &s : steps)
    for (int v : s.reads) read[root(v)] = true;
  for (int v = 0; v < nv; ++v) {
    if (!g.values[v].constant || !read[v] || alias_of[v] >= 0) continue;
    plan.slots[v] = {MemoryPlan::Kind::Weight, 0, plan.weights_bytes};
    plan.weights_bytes += align64(bytes_of(g.values[v]));
    if (plan.weights_bytes > max_tensor_bytes())
      user_error("model '", g.name, "': its weights take more than ", max_tensor_bytes(),
                 " bytes (the limit: a quarter of this machine's memory by default; set "
                 "SWTC_MAX_TENSOR_BYTES to change it)");
  }

  // Live ranges of the intermediate roots.
  std::vector<int> index(nv, -1);
  std::vector<Live> lives;
  for (int si = 0; si < static_cast<int>(steps.size()); ++si) {
    auto touch = [&](int v) {
      int r = root(v);
      if (plan.slots[r].kind != MemoryPlan::Kind::None) return;
      if (index[r] < 0) {
        index[r] = static_cast<int>(lives.size());
        lives.push_back({r, si, si, align64(bytes_of(g.values[r]))});
      }
      lives[index[r]].last = si;
    };
    touch(steps[si].write);
    for (int v : steps[si].reads) touch(v);
  }

  // First fit by offset among the tensors whose lifetimes overlap.
  for (size_t i = 0; i < lives.size(); ++i) {
    Live &l = lives[i];
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t j = 0; j < i; ++j)
      if (lives[j].first <= l.last && l.first <= lives[j].last)
        busy.push_back({lives[j].offset, lives[j].offset + lives[j].bytes});
    std::sort(busy.begin(), busy.end());
    int64_t off = 0;
    for (const auto &[b, e] : busy) {
      if (off + l.bytes <= b) break;
      off = std::max(off, e);
    }
    l.offset = off;
    plan.workspace_bytes = std::max(plan.workspace_bytes, off + l.bytes);
    plan.intermediate_bytes += l.bytes;
    plan.slots[l.root] = {MemoryPlan::Kind::Workspace, 0, off};
    if (plan.workspace_bytes > max_tensor_bytes())
      user_error("model '", g.name, "': its workspace (the intermediate tensors live at once) "
                 "needs more than ", max_tensor_bytes(),
                 " bytes (the limit: a quarter of this machine's memory by default; set "
                 "SWTC_MAX_TENSOR_BYTES to change it)");
  }

  for (int v = 0; v < nv; ++v) {
    if (alias_of[v] < 0) continue;
    int64_t off = 0;  // the offsets along the chain to its root u
    int u = v;
    for (; alias_of[u] >= 0; u = alias_of[u]) off += alias_offset.empty() ? 0 : alias_offset[u];
    plan.slots[v] = plan.slots[u];
    if (off == 0) continue;
    SWTC_CHECK(plan.slots[v].kind == MemoryPlan::Kind::Workspace && off % 64 == 0,
               "value ", g.values[v].name, " placed at byte ", off,
               " of a tensor without aligned workspace storage");
    plan.slots[v].offset += off;
  }
  return plan;
}

}  // namespace swtc::graph

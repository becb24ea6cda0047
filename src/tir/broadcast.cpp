#include "tir/broadcast.h"

#include <map>
#include <vector>

#include "tir/analysis.h"

namespace swtc::tir {

namespace {
/// The path from `s` down to the stage of `buffer`: the serial loops on it
/// (outermost first) and the stage. False if there is none, more than one,
/// or the path crosses anything but serial loops, stages and sequences.
struct Finder {
  const std::string &buffer;
  std::vector<Stmt> loops, best_loops;
  Stmt found;
  int count = 0;
  bool ok = true;

  void walk(const Stmt &s, bool clean) {
    if (!s) return;
    switch (s->kind) {
      case StmtKind::Stage:
        if (s->buffer->name == buffer) {
          ++count;
          found = s;
          best_loops = loops;
          if (!clean || s->dir != StageDir::In || !s->local_order.empty() || s->fill) ok = false;
        }
        walk(s->inner(), clean);
        return;
      case StmtKind::For: {
        const bool plain = s->for_kind == ForKind::Serial && !s->tensorize;
        loops.push_back(s);
        walk(s->inner(), clean && plain);
        loops.pop_back();
        return;
      }
      case StmtKind::Seq:
        for (const auto &b : s->body) walk(b, clean);
        return;
      case StmtKind::IfThen:
        walk(s->inner(), false);
        return;
      default:
        return;
    }
  }
};
}  // namespace

std::optional<BroadcastPlan> broadcast_plan(const PrimFunc &f, const std::string &buffer,
                                            int group) {
  if (group != 8 && group != 64) return std::nullopt;
  const Stmt &top = f.body;
  if (!top || top->kind != StmtKind::For || top->for_kind != ForKind::Cpe) return std::nullopt;
  Finder fd{buffer, {}, {}, nullptr, 0, true};
  fd.walk(top->inner(), true);
  if (fd.count != 1 || !fd.ok) return std::nullopt;
  const Stmt &st = fd.found;
  const Buffer &g = st->buffer, &l = st->local;
  const size_t rank = g->shape.size(), t = stage_whole_from(st);

  // One contiguous run: the dims before the last partial one are one index
  // wide; never clipped: the corner keeps the box inside the tensor. A halo
  // box fetched compactly: the same up to its row dim (the dims after it
  // cover the tensor whole), so its valid part is one run.
  std::map<std::string, int64_t> extents = {{top->loop_var, top->extent}};
  for (const auto &lp : fd.best_loops) extents[lp->loop_var] = lp->extent;
  const std::optional<CompactFetch> compact = stage_compact(st, extents);
  // A compact box only double-buffered (the path the tests exercise: the
  // spread after each step's barrier, emit_pipelined in codegen/sunway.cpp).
  if (compact && !st->double_buffer) return std::nullopt;
  const size_t last = compact ? compact->row + 1 : t;  // dims [0, last) checked
  for (size_t d = 0; d < rank && d < last; ++d) {
    if (d + 1 < last && l->shape[d] != 1) return std::nullopt;
    const auto b = bounds(st->indices[d], extents);
    if (!b || b->first < 0 || b->second + l->shape[d] > g->shape[d]) return std::nullopt;
  }

  // The largest S dividing T such that the box depends on the tile only
  // through tile / S, the loops between at their first and their last step.
  const int64_t T = top->extent;
  auto corner = [&](int64_t tile, bool last) {
    std::map<std::string, int64_t> env = {{top->loop_var, tile}};
    for (const auto &lp : fd.best_loops) env[lp->loop_var] = last ? lp->extent - 1 : 0;
    std::vector<int64_t> c;
    for (size_t d = 0; d < rank && d < t; ++d) {
      const auto v = eval_index(st->indices[d], env);
      if (!v) return std::vector<int64_t>{};
      c.push_back(*v);
    }
    c.push_back(1);  // an evaluable corner is never empty
    return c;
  };
  int64_t share = 0;
  for (int64_t S = T; S > 1 && share == 0; --S) {
    if (T % S != 0) continue;
    bool same = true;
    for (int64_t tile = 0; tile < T && same; ++tile)
      for (bool last : {false, true}) {
        const auto a = corner(tile, last), b = corner(tile - tile % S, last);
        if (a.empty() || a != b) same = false;
      }
    if (same) share = S;
  }
  if (share == 0) return std::nullopt;

  BroadcastPlan p;
  p.buffer = buffer;
  p.local = l->name;
  p.tiles = T;
  p.share = share;
  p.steps = 1;
  for (const auto &lp : fd.best_loops) p.steps *= lp->extent;
  p.box_bytes = l->bytes();
  if (compact) {
    // The valid part: the box's extent up to the row dim, the tensor's after.
    int64_t n = 1;
    for (size_t d = 0; d < rank; ++d) n *= d <= compact->row ? l->shape[d] : g->shape[d];
    p.box_bytes = n * l->elem.bytes;
    p.compact = true;
  }
  p.double_buffer = st->double_buffer;
  p.group = group;
  return p;
}

}  // namespace swtc::tir

// Schedule pieces shared by the host and Sunway schedules (target/tiling.h),
// and the micro-kernel schedules of Conv and MatMul for any target.
#include <algorithm>
#include <optional>

#include "common/error.h"
#include "target/target.h"
#include "target/tiling.h"
#include "tir/analysis.h"
#include "tir/functor.h"

namespace swtc::target {

using schedule::ComputeDef;
using schedule::Schedule;

bool reads(const tir::Expr &e, const std::string &buffer) {
  struct V : tir::IRVisitor {
    const std::string &name;
    bool found = false;
    explicit V(const std::string &n) : name(n) {}
    void visit_Load(const tir::Expr &e) override {
      found = found || e->buffer->name == name;
      IRVisitor::visit_Load(e);
    }
  } v(buffer);
  v.visit(e);
  return v.found;
}

std::pair<std::string, std::string> tile_rows(Schedule &s, int64_t row_tile) {
  const ComputeDef &d = s.def();
  const size_t k = d.num_spatial();
  auto [lo, li] = s.split(d.axes[k - 1].name, row_tile);
  std::string f = k == 1 ? lo : d.axes[0].name;
  for (size_t i = 1; i + 1 < k; ++i) f = s.fuse(f, d.axes[i].name);
  if (k > 1) f = s.fuse(f, lo);
  return {f, li};
}

int64_t row_tile_for(const ComputeDef &d, int64_t min_outer) {
  int64_t others = 1;
  const size_t k = d.num_spatial();
  for (size_t i = 0; i + 1 < k; ++i) others *= d.output->shape[i];
  int64_t last = d.output->shape[k - 1];
  int64_t parts = std::min(last, (min_outer + others - 1) / others);
  return (last + parts - 1) / parts;
}


std::pair<std::string, std::vector<std::string>> tile_outputs(Schedule &s,
                                                              const std::vector<int64_t> &tiles,
                                                              const std::vector<size_t> &outer_order) {
  std::vector<std::string> outer, inner;
  for (size_t d = 0; d < tiles.size(); ++d) {
    auto [o, i] = s.split(s.def().axes[d].name, tiles[d]);
    outer.push_back(o);
    inner.push_back(i);
  }
  if (!outer_order.empty()) {
    SWTC_CHECK(outer_order.size() == outer.size(), "tile order of ", s.def().name);
    std::vector<std::string> o;
    for (size_t d : outer_order) o.push_back(outer.at(d));
    outer = o;
  }
  std::vector<std::string> order = outer;
  order.insert(order.end(), inner.begin(), inner.end());
  s.reorder(order);
  std::string f = outer[0];
  for (size_t d = 1; d < outer.size(); ++d) f = s.fuse(f, outer[d]);
  return {f, inner};
}

void stage_tiles(Schedule &s, const ComputeDef &def, const std::string &f, const std::string &ro,
                 bool double_buffer, Kind kind, std::vector<size_t> out_order) {
  if (kind == Kind::Sunway)
    s.bind_cpe(f);
  else
    s.parallel(f);
  s.cache_write(f, std::move(out_order));
  for (const auto &b : def.inputs) {
    const bool in_main = reads(def.value, b->name) || reads(def.cond, b->name);
    s.cache_read(b->name, in_main && !ro.empty() ? ro : f);
    if (double_buffer && in_main && !ro.empty() && s.axis(ro).extent > 1)
      s.double_buffer(b->name);
  }
}

std::string conv_weight(const ComputeDef &def, const std::set<std::string> &constants) {
  if (def.combiner != schedule::Combiner::Sum || def.num_spatial() != 4 || !def.value) return "";
  const tir::Expr &v = def.value;
  if (v->kind != tir::ExprKind::Binary || v->op != tir::BinaryOp::Mul) return "";
  std::vector<std::string> reduce;
  for (const auto &iv : def.axes)
    if (iv.reduce) reduce.push_back(iv.name);
  if (reduce.size() != 3) return "";
  for (int k = 0; k < 2; ++k) {
    const tir::Expr &w = v->args[k], &x = v->args[1 - k];
    if (w->kind != tir::ExprKind::Load || x->kind != tir::ExprKind::Load) continue;
    if (!constants.count(w->buffer->name) || w->args.size() != 4) continue;
    auto is_var = [](const tir::Expr &e, const std::string &n) {
      return e->kind == tir::ExprKind::Var && e->name == n;
    };
    bool ok = is_var(w->args[0], def.axes[1].name);
    for (size_t r = 0; r < 3; ++r) ok = ok && is_var(w->args[r + 1], reduce[r]);
    if (ok && !tir::uses_var(x, def.axes[1].name)) return w->buffer->name;
  }
  return "";
}

Schedule conv_microkernel_schedule(const ComputeDef &def, const std::string &weight,
                                   const std::vector<int64_t> &tiles, int64_t reduce_tile,
                                   const Target &t, ConvVectors vectors) {
  SWTC_CHECK(def.num_spatial() == 4 && tiles.size() == 4, "conv schedule of ", def.name);
  SWTC_CHECK(vectors == ConvVectors::Channels || conv_unit_stride_w(def, weight),
             "pixel vectors of a strided conv ", def.name);
  Schedule s(def);
  auto [f, inner] = tile_outputs(s, tiles);
  std::vector<std::string> order;
  std::vector<std::string> reduce;
  for (const auto &iv : def.axes)
    if (iv.reduce) reduce.push_back(iv.name);
  auto [ro, ri] = s.split(reduce[0], reduce_tile);
  const bool pixels = vectors == ConvVectors::Pixels;
  // Channel vectors: n, h, w, then c (the vector axis of the micro-kernel),
  // then the reduction. Pixel vectors: n, h, c, then w (the vector axis).
  order = pixels ? std::vector<std::string>{f, ro, inner[0], inner[2], inner[1], inner[3], ri}
                 : std::vector<std::string>{f, ro, inner[0], inner[2], inner[3], inner[1], ri};
  order.insert(order.end(), reduce.begin() + 1, reduce.end());
  s.reorder(order);
  // With channel vectors, the host's output tile keeps channels innermost
  // (n, h, w, c): the micro-kernel adds whole vectors of channels into it,
  // the copy out transposes. (A DMA cannot transpose: Sunway keeps the
  // tensor's order.) Pixel vectors run along the tensor's rows already.
  stage_tiles(s, def, f, ro, t.kind == Kind::Sunway, t.kind,
              t.kind == Kind::Host && !pixels ? std::vector<size_t>{0, 2, 3, 1}
                                              : std::vector<size_t>{});
  s.pack(weight, 0, tiles[1]);
  s.tensorize(pixels ? inner[1] : inner[3], t.f32_lanes);
  if (t.kind == Kind::Host && schedule::paddable(def)) s.pad_tiles();
  return s;
}

bool conv_unit_stride_w(const ComputeDef &def, const std::string &weight) {
  const tir::Expr &v = def.value;
  if (!v || v->kind != tir::ExprKind::Binary || v->op != tir::BinaryOp::Mul) return false;
  for (const auto &x : v->args) {
    if (x->kind != tir::ExprKind::Load || x->buffer->name == weight || x->args.size() != 4) continue;
    std::map<std::string, int64_t> extents;
    for (const auto &iv : def.axes) extents[iv.name] = iv.extent;
    const tir::LinearForm lf = tir::linear_form(x->args[3], extents);
    if (!lf.ok || lf.sym) return false;
    auto it = lf.coeffs.find(def.axes[3].name);
    if (it == lf.coeffs.end() || it->second != 1) return false;
    // Only w and the kernel's column axis (the last reduce axis, step 1) move it.
    for (const auto &[name, k] : lf.coeffs)
      if (name != def.axes[3].name && (name != def.axes.back().name || k != 1)) return false;
    for (size_t d = 0; d < 3; ++d)
      if (tir::uses_var(x->args[d], def.axes[3].name)) return false;
    return true;
  }
  return false;
}

std::pair<std::string, size_t> matmul_weight(const ComputeDef &def,
                                             const std::set<std::string> &constants,
                                             bool batched) {
  const size_t k = def.num_spatial();
  if (def.combiner != schedule::Combiner::Sum || k < 2 || !def.value || def.cond) return {"", 0};
  if (def.axes.size() != k + 1 || !def.axes[k].reduce) return {"", 0};
  const tir::Expr &v = def.value;
  if (v->kind != tir::ExprKind::Binary || v->op != tir::BinaryOp::Mul) return {"", 0};
  const std::string &n = def.axes[k - 1].name, &r = def.axes[k].name;
  auto is_var = [](const tir::Expr &e, const std::string &name) {
    return e->kind == tir::ExprKind::Var && e->name == name;
  };
  for (int side = 0; side < 2; ++side) {
    const tir::Expr &w = v->args[side], &x = v->args[1 - side];
    if (w->kind != tir::ExprKind::Load || x->kind != tir::ExprKind::Load) continue;
    const size_t lead = w->args.size() - 2;
    if (!constants.count(w->buffer->name) || w->args.size() < 2 || (lead > 0 && !batched) ||
        tir::uses_var(x, n))
      continue;
    // Batched: the leading indices are output axes (one weight matrix per
    // batch index), neither the column nor the reduce axis.
    bool lead_ok = true;
    for (size_t d = 0; d < lead; ++d) {
      const tir::Expr &i = w->args[d];
      bool axis = false;
      for (size_t o = 0; o + 1 < k; ++o) axis = axis || is_var(i, def.axes[o].name);
      lead_ok = lead_ok && axis;
    }
    if (!lead_ok) continue;
    for (size_t d = 0; d < 2; ++d)
      if (is_var(w->args[lead + d], n) && is_var(w->args[lead + 1 - d], r))
        return {w->buffer->name, lead + d};
  }
  return {"", 0};
}

bool matmul_of_activations(const ComputeDef &def) {
  const size_t k = def.num_spatial();
  if (def.combiner != schedule::Combiner::Sum || k < 2 || !def.value || def.cond) return false;
  if (def.axes.size() != k + 1 || !def.axes[k].reduce) return false;
  const tir::Expr &v = def.value;
  if (v->kind != tir::ExprKind::Binary || v->op != tir::BinaryOp::Mul) return false;
  const std::string &n = def.axes[k - 1].name, &r = def.axes[k].name;
  auto is_var = [](const tir::Expr &e, const std::string &name) {
    return e->kind == tir::ExprKind::Var && e->name == name;
  };
  for (int side = 0; side < 2; ++side) {
    const tir::Expr &w = v->args[side], &x = v->args[1 - side];
    if (w->kind != tir::ExprKind::Load || x->kind != tir::ExprKind::Load || w->args.size() < 2) continue;
    if (!w->buffer->elem.is_float() || !x->buffer->elem.is_float() || tir::uses_var(x, n)) continue;
    const size_t d = w->args.size();
    if (is_var(w->args[d - 1], n) && is_var(w->args[d - 2], r)) return true;
  }
  return false;
}

Schedule matmul_microkernel_schedule(const ComputeDef &def, const std::string &weight,
                                     size_t weight_dim, const std::vector<int64_t> &tiles,
                                     int64_t reduce_tile, const Target &t, bool columns_outer,
                                     bool rows_whole) {
  const size_t k = def.num_spatial();
  SWTC_CHECK(k >= 2 && tiles.size() == k, "matmul schedule of ", def.name);
  Schedule s(def);
  std::vector<size_t> outer_order;
  if (columns_outer) {  // column blocks outside the row blocks (one weight block per run of tiles)
    for (size_t d = 0; d + 2 < k; ++d) outer_order.push_back(d);
    outer_order.push_back(k - 1);
    outer_order.push_back(k - 2);
  }
  auto [f, inner] = tile_outputs(s, tiles, outer_order);
  auto [ro, ri] = s.split(def.axes[k].name, reduce_tile);
  std::vector<std::string> order = {f, ro};
  order.insert(order.end(), inner.begin(), inner.end());
  order.push_back(ri);
  s.reorder(order);
  if (rows_whole && !weight.empty()) {
    // The weight per reduce step (double-buffered on Sunway), every other
    // input once per tile: the row panel with the whole of k, one run.
    if (t.kind == Kind::Sunway)
      s.bind_cpe(f);
    else
      s.parallel(f);
    s.cache_write(f);
    for (const auto &b : def.inputs) {
      const bool step = b->name == weight && s.axis(ro).extent > 1;
      s.cache_read(b->name, step ? ro : f);
      if (step && t.kind == Kind::Sunway) s.double_buffer(b->name);
    }
  } else {
    stage_tiles(s, def, f, ro, t.kind == Kind::Sunway, t.kind);
  }
  if (!weight.empty()) s.pack(weight, weight_dim, tiles.back());
  s.tensorize(inner[k - 2], t.f32_lanes);
  if (t.kind == Kind::Host && schedule::paddable(def)) s.pad_tiles();
  return s;
}

}  // namespace swtc::target

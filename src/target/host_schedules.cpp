// Host schedules: Conv and MatMul/Gemm with a constant weight get the
// micro-kernel schedules (target/tiling.cpp) with tiles chosen by an
// analytic model of the cores and caches (host_conv_tiles,
// host_matmul_tiles: the one place a tuner would feed other tiles); the
// other kernels get a generic schedule (outer loops on OpenMP threads).
#include <algorithm>
#include <optional>
#include <set>
#include <thread>

#include "common/error.h"
#include "target/target.h"
#include "target/tiling.h"
#include "tir/analysis.h"
#include "tir/functor.h"

namespace swtc::target {

using schedule::ComputeDef;
using schedule::Schedule;

namespace {

Schedule host_schedule(const ComputeDef &def) {
  Schedule s(def);
  auto [f, li] = tile_rows(s, row_tile_for(def, 16));
  std::vector<std::string> order = {f};
  for (const auto &iv : def.axes)
    if (iv.reduce) order.push_back(iv.name);
  order.push_back(li);
  s.reorder(order);
  s.parallel(f);
  return s;
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Bytes of the input boxes staged in `s` (the packing buffers a step reads
/// again and again; the output tile is only added into).
int64_t staged_input_bytes(const tir::Stmt &s) {
  if (!s) return 0;
  int64_t n = s->kind == tir::StmtKind::Stage && s->dir == tir::StageDir::In ? s->local->bytes() : 0;
  for (const auto &b : s->body) n += staged_input_bytes(b);
  return n;
}
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

/// Steps of the parallel tile loop wanted for an even split over the
/// threads: a few per thread.
int64_t wanted_steps() {
  const unsigned n = std::thread::hardware_concurrency();
  return 4 * int64_t(n ? n : 2);
}

/// The channel (column) block of the micro-kernel: up to four vectors, fewer
/// when that would compute more padding than blocks of one vector do (the
/// channels rounded up to whole vectors): at most an eighth more.
int64_t channel_block(int64_t channels, int64_t lanes) {
  int64_t best = lanes;
  for (int64_t v = 2; v <= 4; ++v)
    if (round_up(channels, v * lanes) * 8 <= round_up(channels, lanes) * 9) best = v * lanes;
  return best;
}

/// Rows per step of a plane of height H and rows of W (padded) outputs:
/// about 512 outputs, rows dividing the height when one is at least half
/// that many (a partial last tile computes whole rows past the plane),
/// else the rows that make 512.
int64_t plane_rows(int64_t H, int64_t W) {
  const int64_t want = std::min(H, std::max<int64_t>(1, ceil_div(512, W)));
  for (int64_t r = want; 2 * r >= want; --r)
    if (H % r == 0) return r;
  return want;
}

}  // namespace

/// Tiles of a Conv's micro-kernel schedule on the host: {tiles (n, c, h, w),
/// reduce tile}. Output channels per step: channel_block. Rows per step r (a
/// divisor of the height or a power of two, the output tile within L2) and
/// input channels per step rt (all, halved to no fewer than 16 until the
/// boxes the step stages, as lowered, fit half of L2): the least work,
/// counting the rows past the image a partial last step computes, a fixed
/// cost per step (its copies, the tile's start) worth about 32 output
/// pixels, and the vector add of each reduce step's block into the tile
/// (about 3 operations against rt x taps multiply-adds); row counts that
/// leave every thread a few steps first.
std::pair<std::vector<int64_t>, int64_t> host_conv_tiles(const ComputeDef &def,
                                                         const std::string &weight,
                                                         const Target &t) {
  const auto &os = def.output->shape;
  const int64_t N = os[0], M = os[1], H = os[2], W = os[3];
  int64_t red0 = 1;
  for (const auto &iv : def.axes)
    if (iv.reduce) {
      red0 = iv.extent;
      break;
    }
  const int64_t ct = channel_block(M, t.f32_lanes);
  int64_t taps = 1;  // reduction elements per input channel (kernel rows x columns)
  bool first = true;
  for (const auto &iv : def.axes)
    if (iv.reduce) {
      if (!first) taps *= iv.extent;
      first = false;
    }
  const int64_t l2 = std::max<int64_t>(t.l2_bytes, 128 * 1024);
  const int64_t min_rt = std::min<int64_t>(red0, 16);
  std::pair<std::vector<int64_t>, int64_t> best_tiles{{1, ct, 1, W}, min_rt};
  double best = 0;
  for (int64_t r = 1; r <= H; ++r) {
    if (H % r != 0 && (r & (r - 1)) != 0) continue;  // divisors of the height, powers of two
    if (4 * ct * r * W > l2) continue;  // the output tile alone would not stay in L2
    const bool enough = N * ceil_div(M, ct) * ceil_div(H, r) >= wanted_steps();
    const std::vector<int64_t> tiles = {1, ct, r, W};
    for (int64_t rt = red0; rt >= min_rt; rt = rt == min_rt ? 0 : std::max(min_rt, ceil_div(rt, 2))) {
      const tir::PrimFunc f =
          conv_microkernel_schedule(def, weight, tiles, rt, t).lower(/*count_flops=*/false);
      if (staged_input_bytes(f.body) > l2 / 2) continue;
      const double cost = (enough ? 0.0 : 1e30) +
                          double(ceil_div(H, r) * r) * (1.0 + 32.0 / double(r * W)) *
                              (1.0 + 3.0 / double(rt * taps));
      if (best == 0 || cost < best) {
        best = cost;
        best_tiles = {tiles, rt};
      }
      break;
    }
  }
  return best_tiles;
}

/// Tiles of a Conv's micro-kernel schedule with pixel vectors on the host
/// (ConvVectors::Pixels), when it suits the layer: unit stride along w, the
/// row, padded to whole vectors, at least two vectors with at most a sixth
/// of padding (a 7-pixel row would waste most lanes), and less work that
/// way. Per output element, channel vectors cost K x pc / lanes vector
/// multiply-adds (K: reduction length, pc: output channels padded to the
/// channel block over the channels) plus about one for the transposing
/// copy out; pixel vectors K x pw / lanes (pw: the padded row over the
/// row). (Measured on this rule's cases, AVX-512, single thread: 1x1
/// layers of MobileNet-V2 and SqueezeNet with 16 to 144 input channels
/// run 1.3 to 1.8 times faster with pixel vectors; ResNet-18's 3x3 layers
/// on 56-pixel rows and SqueezeNet's squeeze and 3x3 expand layers 1.1 to
/// 1.15 times slower, as the rule predicts.) Output channels per step: all up to 64, else an even split in
/// blocks of at most 64 (a multiple of 8); the whole padded row; rows per
/// step and input channels per step as in host_conv_tiles (fewest steps
/// that keep every thread a few steps, the boxes within half of L2).
std::optional<std::pair<std::vector<int64_t>, int64_t>> host_conv_pixel_tiles(
    const ComputeDef &def, const std::string &weight, const Target &t) {
  if (!conv_unit_stride_w(def, weight)) return std::nullopt;
  const auto &os = def.output->shape;
  const int64_t N = os[0], M = os[1], H = os[2], W = os[3];
  const int64_t lanes = t.f32_lanes, wp = round_up(W, lanes);
  if (wp < 2 * lanes || 6 * (wp - W) > wp) return std::nullopt;
  int64_t red0 = 0, K = 1;
  for (const auto &iv : def.axes)
    if (iv.reduce) {
      if (!red0) red0 = iv.extent;
      K *= iv.extent;
    }
  // One tap only (1x1 kernels): the rule below was only borne out there.
  // With more taps it favours pixel vectors by a few percent at most (the
  // rows' unaligned loads and the taps' loop are not counted), and the
  // layers measured so (ResNet-18's 3x3 layers on 56-pixel rows) ran up to
  // 15% slower; VGG-16 at batch 1 ran the same either way (202 and 203 ms).
  if (K != red0) return std::nullopt;
  const int64_t cb = channel_block(M, lanes);
  const double channels_cost = double(K) * double(round_up(M, cb)) / double(M * lanes) + 1.0;
  const double pixels_cost = double(K) * double(wp) / double(W * lanes);
  if (pixels_cost >= channels_cost) return std::nullopt;
  const int64_t ct = M <= 64 ? M : round_up(ceil_div(M, ceil_div(M, 64)), 8);
  const int64_t l2 = std::max<int64_t>(t.l2_bytes, 128 * 1024);
  const int64_t min_rt = std::min<int64_t>(red0, 16);
  std::optional<std::pair<std::vector<int64_t>, int64_t>> best_tiles;
  double best = 0;
  for (int64_t r = 1; r <= H; ++r) {
    if (H % r != 0 && (r & (r - 1)) != 0) continue;  // divisors of the height, powers of two
    if (4 * ct * r * wp > l2 / 2) continue;
    const bool enough = N * ceil_div(M, ct) * ceil_div(H, r) >= wanted_steps();
    const std::vector<int64_t> tiles = {1, ct, r, wp};
    for (int64_t rt = red0; rt >= min_rt; rt = rt == min_rt ? 0 : std::max(min_rt, ceil_div(rt, 2))) {
      const tir::PrimFunc f = conv_microkernel_schedule(def, weight, tiles, rt, t, ConvVectors::Pixels)
                                  .lower(/*count_flops=*/false);
      if (staged_input_bytes(f.body) > l2 / 2) continue;
      const double cost = (enough ? 0.0 : 1e30) + double(ceil_div(H, r) * r) *
                                                      (1.0 + 32.0 / double(r * W)) *
                                                      (1.0 + 3.0 / double(rt));
      if (!best_tiles || cost < best) {
        best = cost;
        best_tiles = {tiles, rt};
      }
      break;
    }
  }
  return best_tiles;
}

/// Tiles of a MatMul's micro-kernel schedule on the host: one row of the
/// leading axes, rows per step up to 64 in equal blocks (fewer while the steps cannot keep
/// every thread busy), columns per step channel_block, the reduction halved
/// while the weight block does not fit half of L2.
std::pair<std::vector<int64_t>, int64_t> host_matmul_tiles(const ComputeDef &def, const Target &t) {
  const auto &os = def.output->shape;
  const size_t k = os.size();
  const int64_t M = os[k - 2], N = os[k - 1], K = def.axes[k].extent;
  int64_t lead = 1;
  for (size_t d = 0; d + 2 < k; ++d) lead *= os[d];
  const int64_t nt = channel_block(N, t.f32_lanes);
  // Rows per step: up to 64, spread evenly over the blocks (196 rows: 4 x 49,
  // not 4 x 64 with a last block of 4 rows computed whole).
  int64_t mt = ceil_div(M, ceil_div(M, 64));
  while (mt > 8 && lead * ceil_div(M, mt) * ceil_div(N, nt) < wanted_steps()) mt = ceil_div(mt, 2);
  const int64_t budget = std::max<int64_t>(t.l2_bytes / 2, 64 * 1024);
  int64_t rt = K;
  while (rt > 16 && 4 * rt * (nt + mt) > budget) rt = ceil_div(rt, 2);
  std::vector<int64_t> tiles(k, 1);
  tiles[k - 2] = mt;
  tiles[k - 1] = nt;
  return {tiles, rt};
}

/// Reductions with a padding guard that the micro-kernel does not take
/// (depthwise and grouped convolutions, average and max pooling): per thread step a
/// block of rows of one output plane; every input staged (zero past the
/// tensor's bounds) and the guards dropped (Schedule::unguard, pad_tiles),
/// so the innermost loop, along the row (a whole number of vectors), is a
/// plain multiply-add the C compiler vectorises.
std::optional<Schedule> host_staged_schedule(const ComputeDef &def, const Target &t) {
  const size_t k = def.num_spatial();
  if (!def.cond || k < 2 || !schedule::unguardable(def)) return std::nullopt;
  const auto &os = def.output->shape;
  const int64_t H = os[k - 2];
  // A row of more than half a vector and less than two is padded to whole
  // vectors past its end when the outputs past the tensor can be computed
  // harmlessly (Schedule::pad_tiles): a 14-pixel row is one 16-lane vector
  // per tap, not a vector and a scalar rest. (Measured on MobileNet-V2's
  // depthwise layers, AVX-512: rows of 14 and 28 gain a quarter to a third;
  // rows of 56, where the rest is half a vector, and of 7, which would
  // more than double the work, lose.)
  const int64_t lanes = t.f32_lanes, w0 = os[k - 1];
  const int64_t W =
      schedule::paddable(def) && 2 * w0 > lanes && w0 < 2 * lanes ? round_up(w0, lanes) : w0;
  std::vector<int64_t> tiles(k, 1);
  tiles[k - 2] = plane_rows(H, W);
  tiles[k - 1] = W;
  Schedule s(def);
  auto [f, inner] = tile_outputs(s, tiles);
  std::vector<std::string> order = {f};
  order.insert(order.end(), inner.begin(), inner.end() - 1);
  for (const auto &iv : def.axes)
    if (iv.reduce) order.push_back(iv.name);
  order.push_back(inner.back());
  s.reorder(order);
  s.parallel(f);
  s.cache_write(f);
  for (const auto &b : def.inputs) s.cache_read(b->name, f);
  s.unguard();
  if (schedule::paddable(def)) s.pad_tiles();
  return s;
}

/// A sum over products of an input read along the output row at stride 1
/// or 2 (x[..., s w + kx]) and a factor that moves with neither the row nor
/// the column (a depthwise Conv: y[n, c, h, w] = sum x[n, c, h + ky, w + kx]
/// * k[c, ky, kx]) as a row micro-kernel (codegen/microkernel.h with the
/// vectors along the row and a block of rows, accumulating over the taps
/// in registers), for rows of at most eight vectors: per thread step rows of
/// one output plane, the row padded to whole vectors (Schedule::pad_tiles),
/// every input staged (zero past the bounds, so the micro-kernel's dropped
/// guard is exact). Pooling windows likewise: a sum of the row alone
/// (AveragePool) or its max (MaxPool, the boxes filled with the max's
/// initial value). Measured (AVX-512, 2 threads, kernels' minima):
/// SqueezeNet's three MaxPools (3x3 stride 2 on 64 x 111 x 111, 128 x 55 x 55,
/// 256 x 27 x 27) against the staged schedule's plain loops: see
/// docs/performance.md, sixth round.
std::optional<Schedule> host_row_microkernel_schedule(const ComputeDef &def, const Target &t) {
  const size_t k = def.num_spatial();
  if (k < 2 || !def.value || !schedule::paddable(def)) return std::nullopt;
  const tir::Expr &v = def.value;
  // The product of a row and a factor (a depthwise Conv), or a pooling
  // window's row alone: summed (AveragePool) or its max from a constant
  // (MaxPool; the micro-kernel starts there, codegen/microkernel.h).
  const bool product = v->kind == tir::ExprKind::Binary && v->op == tir::BinaryOp::Mul;
  const bool window = v->kind == tir::ExprKind::Load;
  if (def.combiner == schedule::Combiner::Sum) {
    if (!product && !window) return std::nullopt;
  } else if (def.combiner != schedule::Combiner::Max || !window || !def.init ||
             def.init->kind != tir::ExprKind::FloatImm || !schedule::unguardable(def)) {
    return std::nullopt;
  }
  const std::string &hn = def.axes[k - 2].name, &wn = def.axes[k - 1].name;
  std::map<std::string, int64_t> extents;
  for (const auto &iv : def.axes) extents[iv.name] = iv.extent;
  bool row = false, factor = window;
  for (const auto &e : product ? v->args : std::vector<tir::Expr>{v}) {
    if (e->kind != tir::ExprKind::Load || !e->buffer->elem.is_float() || e->args.empty())
      return std::nullopt;
    bool uses_hw = false;
    for (const auto &i : e->args)
      uses_hw = uses_hw || tir::uses_var(i, hn) || tir::uses_var(i, wn);
    if (!uses_hw) {
      factor = true;
      continue;
    }
    const tir::LinearForm lf = tir::linear_form(e->args.back(), extents);
    auto it = lf.coeffs.find(wn);
    // Stride 1, or 2 (read by two vectors and a permute:
    // VectorIsa::load_every_other).
    if (!lf.ok || lf.sym || it == lf.coeffs.end() || (it->second != 1 && it->second != 2))
      return std::nullopt;
    for (size_t d = 0; d + 1 < e->args.size(); ++d)
      if (tir::uses_var(e->args[d], wn)) return std::nullopt;
    row = true;
  }
  if (!row || !factor || k + 1 > def.axes.size()) return std::nullopt;
  const auto &os = def.output->shape;
  const int64_t H = os[k - 2], W = round_up(os[k - 1], t.f32_lanes);
  // Rows of at most eight vectors (measured on MobileNet-V2's depthwise
  // layers, AVX-512: rows of 7, 14 and 28 run 1.3 to 3 times faster than
  // the staged schedule; since staged rows are copied by vectors
  // (codegen's swtc_row_in), rows of 56 and 112 too: 0.19 -> 0.14 ms and
  // 0.15 -> 0.11 ms, kernels' minima over interleaved runs, 2 threads).
  if (W > 8 * t.f32_lanes) return std::nullopt;
  std::vector<int64_t> tiles(k, 1);
  tiles[k - 2] = plane_rows(H, W);
  tiles[k - 1] = W;
  Schedule s(def);
  auto [f, inner] = tile_outputs(s, tiles);
  // The first reduce axis split whole, its outer loop (one step) outside the
  // tile's loops: the init and epilogue nests then run over the whole tile
  // beside the reduction, which is the micro-kernel's nest alone.
  std::vector<std::string> reduce;
  for (const auto &iv : def.axes)
    if (iv.reduce) reduce.push_back(iv.name);
  auto [ro, ri] = s.split(reduce[0], s.axis(reduce[0]).extent);
  std::vector<std::string> order = {f, ro};
  order.insert(order.end(), inner.begin(), inner.end());
  order.push_back(ri);
  order.insert(order.end(), reduce.begin() + 1, reduce.end());
  s.reorder(order);
  s.parallel(f);
  s.cache_write(f);
  for (const auto &b : def.inputs) s.cache_read(b->name, f);
  s.tensorize(inner[k - 2], t.f32_lanes);
  // Every input is staged zero past the bounds: the guards can go, and with
  // them the init nest (the micro-kernel stores its sums).
  if (schedule::unguardable(def)) s.unguard();
  s.pad_tiles();
  return s;
}

/// A sum over products of a factor that does not move with the output
/// channels (axis 1 of a 4-D output) and an input whose last index is the
/// channel itself (y[n, k, h, w] = sum_r f[h, w, r] * m[..., r, ..., k]:
/// the Winograd output transform, lower/winograd.h): per thread step a block
/// of channels over rows of one image, the output tile with the channels
/// innermost so the innermost loop, over channels, is a contiguous
/// multiply-add the C compiler vectorises; the copy out transposes.
std::optional<Schedule> host_channel_vector_schedule(const ComputeDef &def, const Target &t) {
  if (def.num_spatial() != 4 || def.combiner != schedule::Combiner::Sum || def.cond ||
      !def.value || def.value->kind != tir::ExprKind::Binary ||
      def.value->op != tir::BinaryOp::Mul)
    return std::nullopt;
  const std::string &kn = def.axes[1].name;
  bool channel = false, factor = false;
  for (const auto &e : def.value->args) {
    if (e->kind != tir::ExprKind::Load || !e->buffer->elem.is_float() || e->args.empty())
      return std::nullopt;
    const tir::Expr &last = e->args.back();
    if (last->kind == tir::ExprKind::Var && last->name == kn) {
      for (size_t d = 0; d + 1 < e->args.size(); ++d)
        if (tir::uses_var(e->args[d], kn)) return std::nullopt;
      channel = true;
    } else if (!tir::uses_var(e, kn)) {
      factor = true;
    } else {
      return std::nullopt;
    }
  }
  if (!channel || !factor) return std::nullopt;
  const auto &os = def.output->shape;
  const int64_t K = os[1], H = os[2], W = os[3];
  const int64_t kt = K <= 64 ? K : 64;
  std::vector<int64_t> tiles = {1, kt, plane_rows(H, W), W};
  (void)t;
  Schedule s(def);
  auto [f, inner] = tile_outputs(s, tiles);
  std::vector<std::string> order = {f, inner[0], inner[2], inner[3]};
  for (const auto &iv : def.axes)
    if (iv.reduce) order.push_back(iv.name);
  order.push_back(inner[1]);
  s.reorder(order);
  s.parallel(f);
  s.cache_write(f, {0, 2, 3, 1});
  return s;
}

/// Winograd where the product has channels enough for the transforms to be
/// a small part (128 or more in and out: the dense transforms cost about
/// 48/k and 36/c of the product's multiply-adds with F(4x4, 3x3)):
/// F(4x4, 3x3) on 28 x 28 outputs or more; F(2x2, 3x3) from 12 x 12 to
/// 27 x 27 (at batch 1 a 14 x 14 image has 16 tiles of 4 x 4, too few rows
/// for the transformed weight, 4 times the direct one, and a 13 x 13 one
/// computes 16 x 16 with m = 4); none on smaller images (7 x 7: the
/// transformed weight serves 16 tiles of 2 x 2 or 4 of 4 x 4).
/// Measured (AVX-512, 2 threads, kernels' minima over interleaved runs,
/// direct -> transforms + product): VGG-16's 256 -> 256 on 56 x 56 18.9 ->
/// 10.9 ms (F4), 512 -> 512 on 28 x 28 18.6 -> 8.7 ms (F4), 128 -> 128 on
/// 112 x 112 19.7 -> 14.6 ms (F4); ResNet-18's 128 -> 128 on 28 x 28 about
/// 1.1 -> 1.0 ms (F4 0.97, F2 1.02), 256 -> 256 on 14 x 14 1.2 -> 1.0 ms
/// (F2; F4 1.3), 512 -> 512 on 7 x 7 1.17 ms direct against 1.65 (F2) and
/// 2.7 (F4); AlexNet's 13 x 13 layers 1.6 / 2.1 / 1.5 -> 1.2 / 1.3 / 0.9 ms
/// (F2; F4 1.3 / 1.6 / 1.2); but 64 -> 64 on 56 x 56 1.16 -> 1.3 ms (F4;
/// its input transform as costly as the product), hence no Winograd under
/// 128 channels.
int winograd_tile(const Target &t, int64_t c, int64_t k, int64_t h, int64_t w) {
  if (t.kind != Kind::Host || c < 128 || k < 128) return 0;
  if (h * w >= 28 * 28) return 4;
  return h * w >= 12 * 12 ? 2 : 0;
}

Schedule host_default_schedule(const ComputeDef &def, const Target &t,
                               const std::set<std::string> &constants) {
  const std::string w = conv_weight(def, constants);
  if (!w.empty()) {
    if (const auto pt = host_conv_pixel_tiles(def, w, t))
      return conv_microkernel_schedule(def, w, pt->first, pt->second, t, ConvVectors::Pixels);
    const auto [tiles, rt] = host_conv_tiles(def, w, t);
    return conv_microkernel_schedule(def, w, tiles, rt, t);
  }
  const auto [mw, mdim] = matmul_weight(def, constants, /*batched=*/true);
  if (!mw.empty()) {
    const auto [tiles, rt] = host_matmul_tiles(def, t);
    return matmul_microkernel_schedule(def, mw, mdim, tiles, rt, t);
  }
  if (matmul_of_activations(def)) {  // e.g. attention: Q K^T, P V
    const auto [tiles, rt] = host_matmul_tiles(def, t);
    return matmul_microkernel_schedule(def, "", 0, tiles, rt, t);
  }
  if (auto cv = host_channel_vector_schedule(def, t)) return std::move(*cv);
  if (auto rm = host_row_microkernel_schedule(def, t)) return std::move(*rm);
  if (auto st = host_staged_schedule(def, t)) return std::move(*st);
  return host_schedule(def);
}

}  // namespace swtc::target

// Sunway schedules: LDM-aware tilings, the tile searches ranked by the
// performance model's costs, and the swTVM baseline.
#include <algorithm>
#include <optional>
#include <set>

#include "common/error.h"
#include "perf/params.h"
#include "target/target.h"
#include "target/tiling.h"
#include "tir/analysis.h"
#include "tir/functor.h"

namespace swtc::target {

using schedule::ComputeDef;
using schedule::Schedule;

namespace {
/// Splits the first reduce axis by `reduce_tile`; returns its outer part
/// ("" without reduce axes) and the loop order from there: the outer part,
/// `between`, the inner part, the other reduce axes (only `between` without
/// reduce axes).
std::pair<std::string, std::vector<std::string>> split_reduction(
    Schedule &s, const ComputeDef &def, int64_t reduce_tile, const std::vector<std::string> &between) {
  std::string red_outer;
  std::vector<std::string> order;
  for (const auto &iv : def.axes) {
    if (!iv.reduce) continue;
    if (red_outer.empty()) {
      auto [ro, ri] = s.split(iv.name, reduce_tile);
      red_outer = ro;
      order.push_back(ro);
      order.insert(order.end(), between.begin(), between.end());
      order.push_back(ri);
    } else {
      order.push_back(iv.name);
    }
  }
  if (red_outer.empty()) order = between;
  return {red_outer, order};
}
}  // namespace

Schedule sunway_schedule(const ComputeDef &def, int64_t row_tile, int64_t reduce_tile, int cpes) {
  (void)cpes;
  Schedule s(def);
  auto [f, li] = tile_rows(s, row_tile);
  auto [red_outer, rest] = split_reduction(s, def, reduce_tile, {li});
  std::vector<std::string> order = {f};
  order.insert(order.end(), rest.begin(), rest.end());
  s.reorder(order);
  stage_tiles(s, def, f, red_outer, false, Kind::Sunway);
  return s;
}

Schedule sunway_tiled_schedule(const ComputeDef &def, const std::vector<int64_t> &tiles,
                               int64_t reduce_tile, bool double_buffer) {
  const size_t k = def.num_spatial();
  SWTC_CHECK(tiles.size() == k, "one tile per output axis of ", def.name);
  Schedule s(def);
  auto [f, inner] = tile_outputs(s, tiles);
  auto [red_outer, rest] = split_reduction(s, def, reduce_tile, {});
  std::vector<std::string> order = {f};
  order.insert(order.end(), rest.begin(), rest.end());
  // The tile's output axes innermost, the last one (contiguous in LDM) last:
  // the loop the code generator turns into SIMD vectors (codegen/simd.h).
  order.insert(order.end(), inner.begin(), inner.end());
  s.reorder(order);
  stage_tiles(s, def, f, red_outer, double_buffer, Kind::Sunway);
  return s;
}

namespace {
/// The tiles of `f`'s CPE loop (1 if its body is not one) and the most any
/// CPE runs: the block split gives each CPE ceil(T / workers) of them.
std::pair<double, double> cpe_tiles(const tir::PrimFunc &f, const Target &t) {
  if (!f.body || f.body->kind != tir::StmtKind::For || f.body->for_kind != tir::ForKind::Cpe)
    return {1.0, 1.0};
  const int64_t T = f.body->extent, w = std::max(1, t.workers);
  return {double(T), double((T + w - 1) / w)};
}
}  // namespace

double sunway_tile_cost(const tir::PrimFunc &f, const Target &t, double vector_flops,
                        double scalar_flops) {
  // The performance model's DMA cost (src/perf, docs/perf-model.md) applied to
  // the compiler's estimate of the busiest CPE's traffic: the model sums the
  // transfers of the CPEs that move data on the shared engine, so the busiest
  // CPE's traffic counts T / trips times (T tiles, trips of them on the
  // busiest CPE: 64 times when every CPE has as many tiles, fewer when there
  // are fewer tiles than CPEs); contiguous transfers at the bandwidth of their
  // mean size, strided descriptors at that of their mean block, the transfer
  // latency as a floor; scalar compute. With double buffering the reduce-step
  // DMA overlaps it.
  const perf::Params &p = perf::params_for(t.name);
  const tir::DmaEstimate e = tir::dma_estimate(f, t.workers);
  const auto [tiles, trips] = cpe_tiles(f, t);
  const double dma = std::max(
      p.dma_shared_seconds(e.bytes, e.transfers, e.stride_bytes, e.stride_transfers, e.stride_blocks) *
          (tiles / trips),
      e.transfers * p.dma_transfer_latency_s.value);
  const double compute = vector_flops >= 0 ? vector_flops / p.cpe_peak_flops() +
                                                 scalar_flops / p.cpe_scalar_flops()
                                           : e.flops / p.cpe_scalar_flops();
  return tir::has_double_buffer(f) ? std::max(dma, compute) : dma + compute;
}

/// Barriers: one per step and one before the first when double-buffered, two
/// per step otherwise; not overlapped.
double sunway_broadcast_cost(const tir::PrimFunc &f, const Target &t, const tir::BroadcastPlan &b,
                             double vector_flops, double scalar_flops) {
  const perf::Params &p = perf::params_for(t.name);
  const tir::DmaEstimate e = tir::dma_estimate(f, t.workers);
  // The busiest CPE's other transfers: the estimate without the broadcast
  // buffer's stage (its strided part too: a packed weight block that is one
  // run of a larger box is a one-block strided descriptor).
  const tir::DmaEstimate r = tir::dma_estimate(f, t.workers, b.buffer);
  const double trips = double((b.tiles + t.workers - 1) / t.workers);
  const double scale = double(b.rounds()) / trips;
  const double rest_bytes = r.bytes * scale;
  const double rest_n = r.transfers * scale;
  // The other transfers of every CPE with a tile this round, on the shared
  // engine: T tiles' worth in all (idle CPEs of a round move nothing).
  const double pe = rest_n > 0 ? std::max(p.dma_shared_seconds(rest_bytes, rest_n, r.stride_bytes * scale,
                                                               r.stride_transfers * scale,
                                                               r.stride_blocks * scale) *
                                              (double(b.tiles) / double(b.rounds())),
                                          rest_n * p.dma_transfer_latency_s.value)
                               : 0.0;
  const double casts = double(b.groups()) * double(b.rounds()) * double(b.steps);
  const double dma = pe + p.bcast_seconds(casts * double(b.box_bytes), casts);
  const double compute = (vector_flops >= 0 ? vector_flops / p.cpe_peak_flops() +
                                                  scalar_flops / p.cpe_scalar_flops()
                                            : e.flops / p.cpe_peak_flops()) *
                         scale;
  const double barriers = double(b.rounds()) *
                          double(b.double_buffer ? b.steps + 1 : 2 * b.steps) * p.barrier_s.value;
  // Held a quarter pessimistic: on SqueezeNet's layers this estimate was up
  // to a third below the prediction from the emulator's counts (CPEs idle
  // in the lockstep rounds, the small transfers the estimate leaves out),
  // and the search then chose broadcasts that made layers slower.
  constexpr double kBroadcastEstimateMargin = 1.25;
  return kBroadcastEstimateMargin *
         ((b.double_buffer ? std::max(dma, compute) : dma + compute) + barriers);
}

std::optional<tir::BroadcastPlan> sunway_broadcast(const tir::PrimFunc &f, const Target &t,
                                                   const std::set<std::string> &packed) {
  if (t.kind != Kind::Sunway || t.crts || t.workers != 64) return std::nullopt;
  const double flops = tir::dma_estimate(f, t.workers).flops;
  double best = sunway_tile_cost(f, t, flops, 0);
  std::optional<tir::BroadcastPlan> out;
  for (const std::string &buffer : packed)
    for (int group : {64, 8}) {
      auto b = tir::broadcast_plan(f, buffer, group);
      if (!b) continue;
      const double c = sunway_broadcast_cost(f, t, *b, flops, 0);
      if (c < best) {
        best = c;
        out = std::move(b);
      }
    }
  return out;
}

std::set<std::string> sunway_broadcast_inputs(const tir::PrimFunc &f) {
  std::set<std::string> out;
  for (const auto &b : f.params) out.insert(b->name);
  return out;
}

void check_ldm(const tir::PrimFunc &f, const Target &t, const std::string &what) {
  if (t.scratchpad_bytes == 0) return;
  int64_t need = tir::local_bytes(f);
  if (need > t.ldm_budget())
    user_error(what, ": the schedule needs ", need, " bytes of LDM per CPE, but ", t.name,
               " has ", t.ldm_budget(), " (", t.scratchpad_bytes, " bytes of LDM minus ",
               t.scratchpad_reserve, " reserved for stack and arguments)");
}


namespace {
/// The largest reduce tile (halving from the whole axis) with which `tiles`
/// fits the LDM, lowered; nullopt if none does or the tiling is not stageable.
std::optional<std::pair<Schedule, tir::PrimFunc>> fit_reduce_tile(const ComputeDef &def,
                                                                  const std::vector<int64_t> &tiles,
                                                                  const Target &t) {
  int64_t reduce_ext = 1;
  for (const auto &iv : def.axes)
    if (iv.reduce) {
      reduce_ext = iv.extent;
      break;
    }
  for (int64_t red = reduce_ext; red >= 1; red = red == 1 ? 0 : (red + 1) / 2) {
    try {
      Schedule s = sunway_tiled_schedule(def, tiles, red);
      tir::PrimFunc f = s.lower(/*count_flops=*/false);  // counted once it fits
      if (tir::local_bytes(f) <= t.ldm_budget()) {
        f.flops = tir::executed_flops(f);
        return std::make_pair(std::move(s), std::move(f));
      }
    } catch (const UserError &) {
      return std::nullopt;  // e.g. a tile across groups of a grouped Conv is not affine
    }
  }
  return std::nullopt;
}

/// Searches output tiles over the (up to) two output axes before the last one,
/// the last axis whole, for the least modelled time that fits the LDM.
std::optional<Schedule> search_sunway_tiles(const ComputeDef &def, const Target &t) {
  const size_t k = def.num_spatial();
  std::vector<size_t> axes;
  for (size_t d = k - 1; d-- > 0 && axes.size() < 2;)
    if (def.output->shape[d] > 1) axes.push_back(d);
  std::vector<std::vector<int64_t>> candidates = {std::vector<int64_t>(k, 1)};
  candidates[0][k - 1] = row_tile_for(def, t.workers);
  for (size_t a : axes) {
    std::vector<std::vector<int64_t>> next;
    for (const auto &c : candidates)
      for (int64_t tile = 1; tile <= 32 && tile <= def.output->shape[a]; tile *= 2) {
        auto n = c;
        n[a] = tile;
        next.push_back(n);
      }
    // The whole axis too when it is not a power of two (a 14- or 7-pixel
    // image whole: its rows are one contiguous run).
    const int64_t ext = def.output->shape[a];
    if (ext <= 32 && (ext & (ext - 1)) != 0)
      for (const auto &c : candidates) {
        auto n = c;
        n[a] = ext;
        next.push_back(n);
      }
    candidates = std::move(next);
  }
  std::optional<Schedule> best;
  double best_cost = 0;
  for (const auto &c : candidates) {
    auto fit = fit_reduce_tile(def, c, t);
    if (!fit) continue;
    const double cost = sunway_tile_cost(fit->second, t);
    if (!best || cost < best_cost) {
      best = std::move(fit->first);
      best_cost = cost;
    }
  }
  return best;
}

/// For one output tiling: the largest reduce tile (halving from
/// `reduce_extent`) whose schedule `make(rt)` lowers and fits the LDM is
/// ranked by `cost(f, rt)` (nullopt: the tiling is rejected) and kept in
/// `best` if cheaper. A schedule that cannot be lowered ends the tiling.
template <class Make, class Cost>
void keep_best_reduce_tile(int64_t reduce_extent, const Target &t, Make make, Cost cost,
                           std::optional<Schedule> &best, double &best_cost) {
  for (int64_t rt = reduce_extent; rt >= 1; rt = rt == 1 ? 0 : (rt + 1) / 2) {
    try {
      Schedule s = make(rt);
      tir::PrimFunc f = s.lower(/*count_flops=*/false);
      if (tir::local_bytes(f) > t.ldm_budget()) continue;
      f.flops = tir::executed_flops(f);
      const std::optional<double> c = cost(f, rt);
      if (c && (!best || *c < best_cost)) {
        best = std::move(s);
        best_cost = *c;
      }
      return;
    } catch (const UserError &) {
      return;
    }
  }
}

/// Micro-kernel tilings of a MatMul: one row of the leading (batch) axes,
/// rows per step a power of two (or all), columns per step a multiple of the
/// vector lanes; the largest reduce tile that fits; least modelled time with
/// the micro-kernel's flops at the SIMD rate (its write-back, a vector add
/// per reduce step, too). With a constant weight also tilings of a few rows
/// whose row panel is staged whole (all of k) once per tile, the packed
/// weight per reduce step, shared by broadcast where that is cheaper.
/// `weight` empty: a MatMul of two activations, nothing packed.
std::optional<Schedule> search_matmul_tiles(const ComputeDef &def, const std::string &weight,
                                            size_t weight_dim, const Target &t) {
  // Column blocks start at two vectors (the micro-kernel may then hold two
  // vectors of a row in registers).
  const int64_t lanes = 2 * int64_t(t.f32_lanes);
  const auto &os = def.output->shape;
  const size_t k = os.size();
  const int64_t M = os[k - 2], N = os[k - 1], K = def.axes[k].extent;
  int64_t lead = 1;
  for (size_t d = 0; d + 2 < k; ++d) lead *= os[d];
  std::vector<int64_t> rows;
  for (int64_t m = 1; m < M && m <= 256; m *= 2) rows.push_back(m);
  if (M <= 256) rows.push_back(M);
  // Row panels staged whole (all of k, once per tile; only the weight per
  // reduce step): small row blocks, so that many tiles share a weight block
  // (broadcast) and the panel is one contiguous run, not rows of rt elements.
  std::vector<int64_t> whole_rows;
  for (int64_t m = 1; m < M && m <= 16; m *= 2) whole_rows.push_back(m);
  if (M <= 16) whole_rows.push_back(M);
  std::optional<Schedule> best;
  double best_cost = 0;
  for (bool rows_whole : {false, true}) {
    for (int64_t nt = lanes; nt <= 256; nt *= 2) {
      if (nt > lanes && nt / 2 >= N) break;  // a block beyond the columns only pads
      if (rows_whole && weight.empty()) break;  // nothing staged per step but the weight
      for (int64_t mt : rows_whole ? whole_rows : rows) {
        for (bool cols_outer : {false, true}) {  // true: one weight block per run of tiles
          if (cols_outer && (M + mt - 1) / mt == 1) continue;  // the same order
          std::vector<int64_t> tiles(k, 1);
          tiles[k - 2] = mt;
          tiles[k - 1] = nt;
          keep_best_reduce_tile(
              K, t,
              [&](int64_t rt) {
                return matmul_microkernel_schedule(def, weight, weight_dim, tiles, rt, t, cols_outer,
                                                   rows_whole);
              },
              [&](const tir::PrimFunc &f, int64_t rt) -> std::optional<double> {
                const int64_t steps = lead * ((M + mt - 1) / mt) * ((N + nt - 1) / nt);
                const int64_t per_cpe = (steps + t.workers - 1) / t.workers;
                const double outputs = double(per_cpe) * double(mt * nt);
                const double rsteps = double((K + rt - 1) / rt);
                const double flops = 2.0 * outputs * rsteps * double(rt);
                if (flops / double(per_cpe) * double(steps) > 1.25 * double(f.flops))
                  return std::nullopt;
                if (auto b = sunway_broadcast(f, t, sunway_broadcast_inputs(f)))
                  return sunway_broadcast_cost(f, t, *b, flops + outputs * rsteps, 0);
                return sunway_tile_cost(f, t, flops + outputs * rsteps);
              },
              best, best_cost);
        }
      }
    }
  }
  return best;
}

/// Micro-kernel tilings of a Conv: images per step a power of two, output
/// channels per step a multiple of the vector lanes, rows per step a divisor
/// of the height (or a power of two), whole rows; the largest reduce tile that
/// fits; least modelled time with the micro-kernel's flops (padding taps
/// included) at the SIMD rate and its write-back (each reduce step adds the
/// register block into the output tile lane by lane) at the scalar rate.
std::optional<Schedule> search_conv_tiles(const ComputeDef &def, const std::string &weight,
                                          const Target &t) {
  // Channel blocks start at two vectors (see search_matmul_tiles).
  const int64_t lanes = 2 * int64_t(t.f32_lanes);
  const auto &os = def.output->shape;
  const int64_t N = os[0], M = os[1], H = os[2], W = os[3];
  std::vector<int64_t> red;
  for (const auto &iv : def.axes)
    if (iv.reduce) red.push_back(iv.extent);
  std::vector<int64_t> rows;
  for (int64_t h = 1; h <= H; ++h)
    if (H % h == 0 || (h & (h - 1)) == 0) rows.push_back(h);
  std::optional<Schedule> best;
  double best_cost = 0;
  for (int64_t nt = 1; nt <= N; nt *= 2)
    for (int64_t ct = lanes; ct <= 256; ct *= 2) {
      if (ct > lanes && ct / 2 >= M) break;  // a block beyond the channels only pads
      for (int64_t ht : rows) {
        if (nt > 1 && ht < H) continue;  // several images only with whole images
        const std::vector<int64_t> tiles = {nt, ct, ht, W};
        keep_best_reduce_tile(
            red[0], t, [&](int64_t rt) { return conv_microkernel_schedule(def, weight, tiles, rt, t); },
            [&](const tir::PrimFunc &f, int64_t rt) -> std::optional<double> {
              const int64_t steps =
                  ((N + nt - 1) / nt) * ((M + ct - 1) / ct) * ((H + ht - 1) / ht);
              const int64_t per_cpe = (steps + t.workers - 1) / t.workers;
              const double outputs = double(per_cpe) * double(nt * ct * ht * W);
              const double rsteps = double((red[0] + rt - 1) / rt);
              const double flops =
                  2.0 * outputs * rsteps * double(rt) * double(red[1] * red[2]);
              // Padding work (channels past the last, taps in the halo, rows
              // past the end) is executed but useless: at most a quarter more.
              if (flops / double(per_cpe) * double(steps) > 1.25 * double(f.flops))
                return std::nullopt;
              if (auto b = sunway_broadcast(f, t, sunway_broadcast_inputs(f)))
                return sunway_broadcast_cost(f, t, *b, flops, outputs * rsteps);
              return sunway_tile_cost(f, t, flops, outputs * rsteps);
            },
            best, best_cost);
      }
    }
  return best;
}
}  // namespace

Schedule sunway_default_schedule(const ComputeDef &def, const Target &t, ScheduleMode mode,
                                 const std::set<std::string> &constants) {
  if (mode == ScheduleMode::Default) {
    const std::string w = conv_weight(def, constants);
    if (!w.empty())
      if (auto s = search_conv_tiles(def, w, t)) return std::move(*s);
    const auto [mw, mdim] = matmul_weight(def, constants);
    if (!mw.empty())
      if (auto s = search_matmul_tiles(def, mw, mdim, t)) return std::move(*s);
    // Both factors activations (attention: Q K^T, P V): the same
    // micro-kernel over the staged boxes, unpacked.
    if (mw.empty() && matmul_of_activations(def))
      if (auto s = search_matmul_tiles(def, "", 0, t)) return std::move(*s);
    if (auto s = search_sunway_tiles(def, t)) return std::move(*s);
  }
  // Greedy LDM-aware tiling: the largest reduce tile, then the largest row
  // tile, that fits the budget (halving on overflow).
  int64_t reduce_ext = 1;
  for (const auto &iv : def.axes)
    if (iv.reduce) {
      reduce_ext = iv.extent;
      break;
    }
  int64_t need = 0;
  for (int64_t row = row_tile_for(def, t.workers); row >= 1; row = row == 1 ? 0 : (row + 1) / 2) {
    for (int64_t red = reduce_ext; red >= 1; red = red == 1 ? 0 : (red + 1) / 2) {
      Schedule s = sunway_schedule(def, row, red, t.workers);
      need = tir::local_bytes(s.lower(/*count_flops=*/false));
      if (need <= t.ldm_budget()) return s;
    }
  }
  user_error("kernel '", def.name, "': no tiling fits the LDM of ", t.name, " (smallest needs ",
             need, " bytes, budget ", t.ldm_budget(), ")");
}


}  // namespace swtc::target

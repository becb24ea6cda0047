// The tile-choice interface (target/tuning.h): kernel signatures, candidate
// lists and the hook that applies a chosen candidate.
#include "target/tuning.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "common/error.h"
#include "target/tiling.h"
#include "tir/analysis.h"

namespace swtc::target {

using schedule::ComputeDef;
using schedule::Schedule;

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

/// Canonical text of an expression: names of the kernel's buffers and axes
/// by position, everything else spelled out.
struct Canon {
  std::map<const tir::BufferNode *, std::string> buffers;
  std::map<std::string, std::string> vars;
  std::ostringstream os;

  void expr(const tir::Expr &e) {
    if (!e) {
      os << "_";
      return;
    }
    os << "(" << int(e->kind) << ":" << int(e->type);
    switch (e->kind) {
      case tir::ExprKind::IntImm: os << " " << e->int_value; break;
      case tir::ExprKind::FloatImm: {
        char b[64];
        std::snprintf(b, sizeof b, " %a", e->float_value);
        os << b;
        break;
      }
      default: break;
    }
    if (!e->name.empty()) {
      auto it = vars.find(e->name);
      os << " " << (it != vars.end() ? it->second : e->name);
    }
    if (e->kind == tir::ExprKind::Binary) os << " " << int(e->op);
    if (e->buffer) {
      auto it = buffers.find(e->buffer.get());
      os << " @" << (it != buffers.end() ? it->second : "?" + e->buffer->name);
    }
    for (const auto &a : e->args) {
      os << " ";
      expr(a);
    }
    os << ")";
  }
};

std::string shape_text(const std::vector<int64_t> &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out.empty() ? "scalar" : out;
}

std::string ints_text(const std::vector<int64_t> &v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out;
}

/// What a candidate spells (tuning.h).
struct Spec {
  enum Kind { Conv, MatMul } kind = Conv;
  bool pixels = false;       // conv: pixel vectors
  bool cols_outer = false;   // mm: column blocks outermost
  std::vector<int64_t> tiles;
  int64_t reduce_tile = 1;

  std::string text() const {
    std::string s = kind == Conv ? std::string("conv/") + (pixels ? "px/" : "ch/") : "mm/";
    s += ints_text(tiles) + "/r" + std::to_string(reduce_tile);
    if (cols_outer) s += "/cols";
    return s;
  }
};

[[noreturn]] void bad_candidate(const std::string &c, const std::string &why) {
  user_error("tile candidate '", c, "': ", why);
}

bool parse_int(const std::string &s, int64_t &v) {
  if (s.empty() || s.size() > 12) return false;
  for (char ch : s)
    if (ch < '0' || ch > '9') return false;
  v = std::stoll(s);
  return v > 0;
}

Spec parse_spec(const std::string &c) {
  std::vector<std::string> parts;
  for (size_t at = 0;;) {
    const size_t slash = c.find('/', at);
    parts.push_back(c.substr(at, slash == std::string::npos ? std::string::npos : slash - at));
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  Spec s;
  size_t i = 0;
  if (parts[0] == "conv") {
    s.kind = Spec::Conv;
    if (parts.size() != 4 || (parts[1] != "ch" && parts[1] != "px"))
      bad_candidate(c, "expected conv/ch|px/N,C,H,W/rR");
    s.pixels = parts[1] == "px";
    i = 2;
  } else if (parts[0] == "mm") {
    s.kind = Spec::MatMul;
    if (parts.size() != 3 && !(parts.size() == 4 && parts[3] == "cols"))
      bad_candidate(c, "expected mm/T0,...,Tk/rR[/cols]");
    s.cols_outer = parts.size() == 4;
    i = 1;
  } else {
    bad_candidate(c, "unknown kind '" + parts[0] + "' (known: default, conv, mm)");
  }
  std::string tiles = parts[i];
  for (size_t at = 0;;) {
    const size_t comma = tiles.find(',', at);
    int64_t v = 0;
    if (!parse_int(tiles.substr(at, comma == std::string::npos ? std::string::npos : comma - at), v))
      bad_candidate(c, "tile sizes must be positive integers");
    s.tiles.push_back(v);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  const std::string &r = parts[i + 1];
  if (r.size() < 2 || r[0] != 'r' || !parse_int(r.substr(1), s.reduce_tile))
    bad_candidate(c, "expected the reduce tile as rR (R a positive integer)");
  return s;
}

int64_t first_reduce_extent(const ComputeDef &def) {
  for (const auto &iv : def.axes)
    if (iv.reduce) return iv.extent;
  return 1;
}

/// The schedule a spec makes for `def`; user_error when it does not fit.
Schedule spec_schedule(const ComputeDef &def, const Target &t, const std::set<std::string> &constants,
                       const Spec &s, const std::string &text) {
  const size_t k = def.num_spatial();
  if (s.tiles.size() != k)
    bad_candidate(text, "has " + std::to_string(s.tiles.size()) + " tile sizes, the kernel " +
                            std::to_string(k) + " output axes");
  for (size_t d = 0; d < k; ++d)  // a vector block may round the axis up to whole vectors
    if (s.tiles[d] > round_up(def.output->shape[d], std::max(1, t.f32_lanes)))
      bad_candidate(text, "tile " + std::to_string(s.tiles[d]) + " exceeds output axis " +
                              std::to_string(d) + " (" + std::to_string(def.output->shape[d]) + ")");
  if (s.reduce_tile > first_reduce_extent(def))
    bad_candidate(text, "reduce tile exceeds the reduction (" +
                            std::to_string(first_reduce_extent(def)) + ")");
  if (s.kind == Spec::Conv) {
    const std::string w = conv_weight(def, constants);
    if (w.empty()) bad_candidate(text, "kernel '" + def.name + "' is not a Conv with a constant weight");
    if (s.pixels && (t.kind != Kind::Host || !conv_unit_stride_w(def, w) ||
                     s.tiles[3] % t.f32_lanes != 0 || !schedule::paddable(def)))
      bad_candidate(text, "pixel vectors need a host target, a unit-stride row, a row tile of whole "
                          "vectors and a kernel whose padding is harmless");
    if (!s.pixels && s.tiles[1] % t.f32_lanes != 0)
      bad_candidate(text, "the channel block must be a multiple of the " +
                              std::to_string(t.f32_lanes) + " vector lanes");
    return conv_microkernel_schedule(def, w, s.tiles, s.reduce_tile, t,
                                     s.pixels ? ConvVectors::Pixels : ConvVectors::Channels);
  }
  const auto [mw, mdim] = matmul_weight(def, constants, /*batched=*/t.kind == Kind::Host);
  if (mw.empty() && !(t.kind == Kind::Host && matmul_of_activations(def)))
    bad_candidate(text, "kernel '" + def.name + "' is not a MatMul micro-kernel");
  if (s.tiles.back() % t.f32_lanes != 0)
    bad_candidate(text, "the column block must be a multiple of the " +
                            std::to_string(t.f32_lanes) + " vector lanes");
  return matmul_microkernel_schedule(def, mw, mdim, s.tiles, s.reduce_tile, t, s.cols_outer);
}

std::string trace_text(const Schedule &s) {
  std::string out;
  for (const auto &l : s.trace()) out += l + "\n";
  return out;
}

/// Collects candidates in order, each once, dropping those that fail to
/// lower, overflow the LDM, or schedule exactly like one already listed.
struct Collector {
  const ComputeDef &def;
  const Target &t;
  const std::set<std::string> &constants;
  size_t limit;
  std::vector<std::string> out;
  std::set<std::string> traces, texts;

  bool full() const { return out.size() >= limit; }
  void add(const Spec &s) {
    if (full()) return;
    const std::string text = s.text();
    if (!texts.insert(text).second) return;
    for (size_t d = 0; d < s.tiles.size(); ++d)
      if (s.tiles[d] < 1) return;
    try {
      Schedule sc = spec_schedule(def, t, constants, s, text);
      const tir::PrimFunc f = sc.lower(/*count_flops=*/false);
      if (t.scratchpad_bytes && tir::local_bytes(f) > t.ldm_budget()) return;
      if (!traces.insert(trace_text(sc)).second) return;
      out.push_back(text);
    } catch (const UserError &) {
      // not a schedule of this kernel (e.g. a tile across groups is not affine)
    }
  }
};

std::vector<int64_t> around(int64_t centre, int64_t lo, int64_t hi) {
  std::vector<int64_t> v;
  for (int64_t x : {centre * 2, centre / 2, centre * 4, centre / 4})
    if (x >= lo && x <= hi && x != centre) v.push_back(x);
  return v;
}

void host_conv_candidates(Collector &c, const std::string &w) {
  const ComputeDef &def = c.def;
  const Target &t = c.t;
  const auto &os = def.output->shape;
  const int64_t M = os[1], H = os[2], W = os[3], lanes = t.f32_lanes;
  const int64_t red0 = first_reduce_extent(def);
  const auto [tiles, rt] = host_conv_tiles(def, w, t);
  auto ch = [&](int64_t ct, int64_t r, int64_t red) {
    Spec s;
    s.tiles = {1, ct, std::min(r, H), W};
    s.reduce_tile = std::min(red, red0);
    c.add(s);
  };
  // The channel-vector default's own spelling first: when the default is
  // the pixel schedule, this is the other family.
  ch(tiles[1], tiles[2], rt);
  for (int64_t r : around(tiles[2], 1, H)) ch(tiles[1], r, rt);
  for (int64_t v = 1; v <= 4; ++v)
    if (v * lanes != tiles[1] && v * lanes < round_up(M, lanes) + lanes) ch(v * lanes, tiles[2], rt);
  for (int64_t red : {red0, rt / 2, rt * 2}) ch(tiles[1], tiles[2], red);
  // Pixel vectors: along the output row, padded to whole vectors.
  if (t.kind == Kind::Host && conv_unit_stride_w(def, w) && schedule::paddable(def)) {
    const int64_t wp = round_up(W, lanes);
    std::vector<int64_t> pt = {1, M <= 64 ? M : 64, std::min<int64_t>(H, std::max<int64_t>(1, 512 / wp)), wp};
    int64_t prt = std::min<int64_t>(red0, 64);
    if (const auto p = host_conv_pixel_tiles(def, w, t)) {
      pt = p->first;
      prt = p->second;
    }
    auto px = [&](int64_t ct, int64_t r, int64_t red) {
      Spec s;
      s.pixels = true;
      s.tiles = {1, std::min(ct, M), std::min(r, H), wp};
      s.reduce_tile = std::min(red, red0);
      c.add(s);
    };
    px(pt[1], pt[2], prt);
    for (int64_t r : around(pt[2], 1, H)) px(pt[1], r, prt);
    for (int64_t ct : {int64_t(16), int64_t(32), int64_t(64)})
      if (ct != pt[1]) px(ct, pt[2], prt);
  }
  // Two changes at once.
  for (int64_t r : around(tiles[2], 1, H))
    for (int64_t v = 1; v <= 4; ++v) ch(v * lanes, r, rt);
}

void host_matmul_candidates(Collector &c) {
  const ComputeDef &def = c.def;
  const Target &t = c.t;
  const auto &os = def.output->shape;
  const size_t k = os.size();
  const int64_t M = os[k - 2], N = os[k - 1], K = def.axes[k].extent, lanes = t.f32_lanes;
  const auto tiles_rt = host_matmul_tiles(def, t);  // (clang 14: no lambda capture of a structured binding)
  const std::vector<int64_t> &tiles = tiles_rt.first;
  const int64_t rt = tiles_rt.second;
  auto mm = [&](int64_t mt, int64_t nt, int64_t red, bool cols) {
    Spec s;
    s.kind = Spec::MatMul;
    s.tiles = tiles;
    s.tiles[k - 2] = std::min(mt, M);
    s.tiles[k - 1] = nt;
    s.reduce_tile = std::min(red, K);
    s.cols_outer = cols;
    c.add(s);
  };
  const int64_t mt = tiles[k - 2], nt = tiles[k - 1];
  mm(mt, nt, rt, false);
  for (int64_t m : around(mt, 1, M)) mm(m, nt, rt, false);
  for (int64_t v = 1; v <= 4; ++v)
    if (v * lanes != nt && v * lanes < round_up(N, lanes) + lanes) mm(mt, v * lanes, rt, false);
  for (int64_t red : {K, rt / 2, rt * 2}) mm(mt, nt, red, false);
  mm(mt, nt, rt, true);
  for (int64_t m : around(mt, 1, M))
    for (int64_t v = 1; v <= 4; ++v) mm(m, v * lanes, rt, false);
}

/// Sunway: the default search's tilings (sunway_schedules.cpp) with the
/// largest reduce tile that fits, ranked by the same modelled cost.
void sunway_candidates(Collector &c, const std::string &w, const std::string &mw) {
  const ComputeDef &def = c.def;
  const Target &t = c.t;
  const int64_t lanes = 2 * int64_t(t.f32_lanes);
  const auto &os = def.output->shape;
  std::vector<std::pair<double, Spec>> ranked;
  auto consider = [&](Spec s, const std::function<std::optional<double>(const tir::PrimFunc &, int64_t)> &cost) {
    const int64_t red0 = first_reduce_extent(def);
    for (int64_t rt = red0; rt >= 1; rt = rt == 1 ? 0 : (rt + 1) / 2) {
      s.reduce_tile = rt;
      try {
        Schedule sc = spec_schedule(def, t, c.constants, s, s.text());
        tir::PrimFunc f = sc.lower(/*count_flops=*/false);
        if (tir::local_bytes(f) > t.ldm_budget()) continue;
        f.flops = tir::executed_flops(f);
        if (auto cc = cost(f, rt)) ranked.push_back({*cc, s});
        return;
      } catch (const UserError &) {
        return;
      }
    }
  };
  if (!w.empty()) {
    const int64_t N = os[0], M = os[1], H = os[2], W = os[3];
    std::vector<int64_t> red;
    for (const auto &iv : def.axes)
      if (iv.reduce) red.push_back(iv.extent);
    for (int64_t nt = 1; nt <= N; nt *= 2)
      for (int64_t ct = lanes; ct <= 256; ct *= 2) {
        if (ct > lanes && ct / 2 >= M) break;
        for (int64_t ht = 1; ht <= H; ++ht) {
          if (H % ht != 0 && (ht & (ht - 1)) != 0) continue;
          if (nt > 1 && ht < H) continue;
          Spec s;
          s.tiles = {nt, ct, ht, W};
          consider(s, [&](const tir::PrimFunc &f, int64_t rt) -> std::optional<double> {
            const int64_t steps = ceil_div(N, nt) * ceil_div(M, ct) * ceil_div(H, ht);
            const int64_t per_cpe = ceil_div(steps, t.workers);
            const double outputs = double(per_cpe) * double(nt * ct * ht * W);
            const double rsteps = double(ceil_div(red[0], rt));
            const double flops = 2.0 * outputs * rsteps * double(rt) * double(red[1] * red[2]);
            if (flops / double(per_cpe) * double(steps) > 1.25 * double(f.flops)) return std::nullopt;
            if (auto b = sunway_broadcast(f, t, {w}))
              return sunway_broadcast_cost(f, t, *b, flops, outputs * rsteps);
            return sunway_tile_cost(f, t, flops, outputs * rsteps);
          });
        }
      }
  } else {
    const size_t k = os.size();
    const int64_t M = os[k - 2], N = os[k - 1], K = def.axes[k].extent;
    int64_t lead = 1;
    for (size_t d = 0; d + 2 < k; ++d) lead *= os[d];
    std::vector<int64_t> rows;
    for (int64_t m = 1; m < M && m <= 256; m *= 2) rows.push_back(m);
    if (M <= 256) rows.push_back(M);
    for (int64_t nt = lanes; nt <= 256; nt *= 2) {
      if (nt > lanes && nt / 2 >= N) break;
      for (int64_t mt : rows)
        for (bool cols : {false, true}) {
          if (cols && ceil_div(M, mt) == 1) continue;
          Spec s;
          s.kind = Spec::MatMul;
          s.tiles.assign(k, 1);
          s.tiles[k - 2] = mt;
          s.tiles[k - 1] = nt;
          s.cols_outer = cols;
          consider(s, [&](const tir::PrimFunc &f, int64_t rt) -> std::optional<double> {
            const int64_t steps = lead * ceil_div(M, mt) * ceil_div(N, nt);
            const int64_t per_cpe = ceil_div(steps, t.workers);
            const double outputs = double(per_cpe) * double(mt * nt);
            const double rsteps = double(ceil_div(K, rt));
            const double flops = 2.0 * outputs * rsteps * double(rt);
            if (flops / double(per_cpe) * double(steps) > 1.25 * double(f.flops)) return std::nullopt;
            if (auto b = sunway_broadcast(f, t, {mw}))
              return sunway_broadcast_cost(f, t, *b, flops + outputs * rsteps, 0);
            return sunway_tile_cost(f, t, flops + outputs * rsteps);
          });
        }
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto &a, const auto &b) { return a.first < b.first; });
  for (const auto &[cost, s] : ranked) c.add(s);
}

}  // namespace

std::string tuning_target_name(const Target &t) {
  if (t.kind == Kind::Host) return std::string("host-") + simd_name(t.simd);
  return t.name;
}

namespace {
/// kernel_signature's hash, `salt` first in the hashed text ("" for kernels).
std::string signature(const ComputeDef &def, const Target &t, ScheduleMode mode,
                      const std::set<std::string> &constants, const char *salt) {
  Canon c;
  c.os << salt;
  c.buffers[def.output.get()] = "out";
  for (size_t i = 0; i < def.inputs.size(); ++i) c.buffers[def.inputs[i].get()] = "in" + std::to_string(i);
  for (size_t i = 0; i < def.axes.size(); ++i) c.vars[def.axes[i].name] = "a" + std::to_string(i);
  c.vars[ComputeDef::kAcc] = "acc";
  c.os << tuning_target_name(t) << ";" << schedule_mode_name(mode) << ";";
  auto buf = [&](const tir::Buffer &b) {
    c.os << shape_text(b->shape) << ":" << b->elem.c_type << b->elem.bytes << ";";
  };
  buf(def.output);
  for (const auto &b : def.inputs) {
    buf(b);
    c.os << (constants.count(b->name) ? "const;" : "var;");
  }
  for (const auto &iv : def.axes) c.os << iv.extent << (iv.reduce ? "r;" : "s;");
  c.os << int(def.combiner) << ";";
  for (const tir::Expr &e : {def.init, def.cond, def.value, def.epilogue}) {
    c.expr(e);
    c.os << ";";
  }
  const std::string text = c.os.str();
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  char out[24];
  std::snprintf(out, sizeof out, "k%016" PRIx64, h);
  return out;
}
}  // namespace

std::string kernel_signature(const ComputeDef &def, const Target &t, ScheduleMode mode,
                             const std::set<std::string> &constants) {
  return signature(def, t, mode, constants, "");
}

std::string conv_algorithm_signature(const ComputeDef &direct, const Target &t, ScheduleMode mode,
                                     const std::set<std::string> &constants) {
  return signature(direct, t, mode, constants, "conv-algorithm;");
}

namespace {
const char *algorithm_text(int m) { return m == 0 ? "direct" : m == 2 ? "winograd/2" : "winograd/4"; }
}  // namespace

std::vector<std::string> conv_algorithm_candidates(const Target &t, ScheduleMode mode,
                                                   int default_tile, size_t limit) {
  std::vector<std::string> out = {kDefaultCandidate};
  if (t.kind != Kind::Host || mode != ScheduleMode::Default) return out;
  for (int m : {0, 2, 4})
    if (m != default_tile && out.size() < std::max<size_t>(limit, 1)) out.push_back(algorithm_text(m));
  return out;
}

int conv_algorithm_tile(const std::string &candidate, int default_tile) {
  if (candidate == kDefaultCandidate) return default_tile;
  for (int m : {0, 2, 4})
    if (candidate == algorithm_text(m)) return m;
  user_error("conv algorithm candidate '", candidate,
             "': expected default, direct, winograd/2 or winograd/4");
}

std::string kernel_shape_text(const ComputeDef &def, const std::set<std::string> &constants) {
  std::string s = shape_text(def.output->shape) + " <-";
  for (size_t i = 0; i < def.inputs.size(); ++i)
    s += std::string(i ? "," : " ") + (constants.count(def.inputs[i]->name) ? "c" : "") +
         shape_text(def.inputs[i]->shape);
  return s;
}

std::vector<std::string> tile_candidates(const ComputeDef &def, const Target &t, ScheduleMode mode,
                                         const std::set<std::string> &constants, size_t limit) {
  Collector c{def, t, constants, std::max<size_t>(limit, 1), {}, {}, {}};
  c.out.push_back(kDefaultCandidate);
  c.texts.insert(kDefaultCandidate);
  c.traces.insert(trace_text(default_schedule(def, t, mode, constants)));
  if (mode != ScheduleMode::Default || c.full()) return c.out;
  const std::string w = conv_weight(def, constants);
  const std::string mw = matmul_weight(def, constants, /*batched=*/t.kind == Kind::Host).first;
  if (t.kind == Kind::Host) {
    if (!w.empty())
      host_conv_candidates(c, w);
    else if (!mw.empty() || matmul_of_activations(def))
      host_matmul_candidates(c);
  } else if (!w.empty() || !mw.empty()) {
    sunway_candidates(c, w, mw);
  }
  return c.out;
}

Schedule candidate_schedule(const ComputeDef &def, const Target &t, ScheduleMode mode,
                            const std::set<std::string> &constants, const std::string &candidate) {
  if (candidate == kDefaultCandidate) return default_schedule(def, t, mode, constants);
  if (mode != ScheduleMode::Default)
    bad_candidate(candidate, std::string("only the default schedule family is tuned, not ") +
                                 schedule_mode_name(mode));
  return spec_schedule(def, t, constants, parse_spec(candidate), candidate);
}

Schedule choose_schedule(const ComputeDef &def, const Target &t, ScheduleMode mode,
                         const std::set<std::string> &constants, const TileChoices *choices,
                         std::string *chosen) {
  if (chosen) chosen->clear();
  if (choices) {
    auto it = choices->find(kernel_signature(def, t, mode, constants));
    if (it != choices->end()) {
      if (chosen) *chosen = it->second;
      return candidate_schedule(def, t, mode, constants, it->second);
    }
  }
  return default_schedule(def, t, mode, constants);
}

}  // namespace swtc::target

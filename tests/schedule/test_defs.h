// Test helper: small ComputeDefs (conv-like with padding guard and bias
// epilogue, max-pool-like, elementwise) with C++ reference implementations and
// seeded data, shared by tests/schedule and tests/target.
#pragma once

#include <cfloat>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schedule/compute.h"
#include "tir/printer.h"
#include "tir_eval.h"

namespace swtc::test {

inline std::vector<float> seeded(int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto &x : v) {
    x = d(rng);
    if (std::fabs(x) < 0.05f) x += x < 0 ? -0.05f : 0.05f;
  }
  return v;
}

/// y[co, oh, ow] = b[co] + sum_{rc, ry, rx} x[rc, ih, iw] * w[co, rc, ry, rx]
/// with ih = oh*stride + ry - pad, iw = ow*stride + rx - pad, zero padding.
struct ConvCase {
  int64_t co, ci, h, w, k, stride, pad;
  int64_t oh() const { return (h + 2 * pad - k) / stride + 1; }
  int64_t ow() const { return (w + 2 * pad - k) / stride + 1; }

  schedule::ComputeDef def(const std::string &name = "kconv") const {
    using namespace tir;
    schedule::ComputeDef d;
    d.name = name;
    Buffer x = make_buffer("x", {ci, h, w}), wt = make_buffer("w", {co, ci, k, k}),
           b = make_buffer("b", {co});
    d.output = make_buffer("y", {co, oh(), ow()});
    d.inputs = {x, wt, b};
    d.axes = {{"co", co, false}, {"oh", oh(), false}, {"ow", ow(), false},
              {"rc", ci, true},  {"ry", k, true},     {"rx", k, true}};
    Expr ih = var("oh") * int_imm(stride) + var("ry") + int_imm(-pad);
    Expr iw = var("ow") * int_imm(stride) + var("rx") + int_imm(-pad);
    d.combiner = schedule::Combiner::Sum;
    d.init = float_imm(0);
    if (pad > 0)
      d.cond = logical_and(logical_and(le(int_imm(0), ih), lt(ih, int_imm(h))),
                           logical_and(le(int_imm(0), iw), lt(iw, int_imm(w))));
    d.value = load(x, {var("rc"), ih, iw}) * load(wt, {var("co"), var("rc"), var("ry"), var("rx")});
    d.epilogue = var(schedule::ComputeDef::kAcc) + load(b, {var("co")});
    d.flops_per_point = 2;
    return d;
  }

  std::vector<std::vector<float>> data(unsigned seed = 1) const {
    return {seeded(ci * h * w, seed), seeded(co * ci * k * k, seed + 1), seeded(co, seed + 2),
            std::vector<float>(co * oh() * ow(), std::nanf(""))};
  }

  std::vector<float> reference(const std::vector<std::vector<float>> &in) const {
    const auto &x = in[0], &wt = in[1], &b = in[2];
    std::vector<float> y(co * oh() * ow());
    for (int64_t o = 0; o < co; ++o)
      for (int64_t i = 0; i < oh(); ++i)
        for (int64_t j = 0; j < ow(); ++j) {
          double s = 0;
          for (int64_t c = 0; c < ci; ++c)
            for (int64_t ry = 0; ry < k; ++ry)
              for (int64_t rx = 0; rx < k; ++rx) {
                int64_t ih = i * stride + ry - pad, iw = j * stride + rx - pad;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                s += double(x[(c * h + ih) * w + iw]) * wt[((o * ci + c) * k + ry) * k + rx];
              }
          y[(o * oh() + i) * ow() + j] = float(s + b[o]);
        }
    return y;
  }
};

/// y[c, oh, ow] = max over the k x k window (stride, pad; padding ignored).
struct PoolCase {
  int64_t c, h, w, k, stride, pad;
  int64_t oh() const { return (h + 2 * pad - k) / stride + 1; }
  int64_t ow() const { return (w + 2 * pad - k) / stride + 1; }

  schedule::ComputeDef def(const std::string &name = "kpool") const {
    using namespace tir;
    schedule::ComputeDef d;
    d.name = name;
    Buffer x = make_buffer("x", {c, h, w});
    d.output = make_buffer("y", {c, oh(), ow()});
    d.inputs = {x};
    d.axes = {{"co", c, false}, {"oh", oh(), false}, {"ow", ow(), false},
              {"ry", k, true}, {"rx", k, true}};
    Expr ih = var("oh") * int_imm(stride) + var("ry") + int_imm(-pad);
    Expr iw = var("ow") * int_imm(stride) + var("rx") + int_imm(-pad);
    d.combiner = schedule::Combiner::Max;
    d.init = float_imm(-FLT_MAX);
    d.cond = logical_and(logical_and(le(int_imm(0), ih), lt(ih, int_imm(h))),
                         logical_and(le(int_imm(0), iw), lt(iw, int_imm(w))));
    d.value = load(x, {var("co"), ih, iw});
    return d;
  }

  std::vector<std::vector<float>> data(unsigned seed = 7) const {
    return {seeded(c * h * w, seed), std::vector<float>(c * oh() * ow(), std::nanf(""))};
  }

  std::vector<float> reference(const std::vector<std::vector<float>> &in) const {
    std::vector<float> y(c * oh() * ow(), -FLT_MAX);
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < oh(); ++i)
        for (int64_t j = 0; j < ow(); ++j)
          for (int64_t ry = 0; ry < k; ++ry)
            for (int64_t rx = 0; rx < k; ++rx) {
              int64_t ih = i * stride + ry - pad, iw = j * stride + rx - pad;
              if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
              float &o = y[(ch * oh() + i) * ow() + j];
              o = std::max(o, in[0][(ch * h + ih) * w + iw]);
            }
    return y;
  }
};

/// Expects two float vectors to agree to a relative 1e-5.
inline void expect_close(const std::vector<float> &got, const std::vector<float> &want) {
  ASSERT_EQ(got.size(), want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i) {
    float tol = 1e-5f * std::max(1.0f, std::fabs(want[i]));
    if (!(std::fabs(got[i] - want[i]) <= tol)) {
      ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want " << want[i];
      ++bad;
    }
  }
}

/// Runs f on `data` (f.params order) and returns the output (last parameter).
inline std::vector<float> run_output(const tir::PrimFunc &f,
                                     const std::vector<std::vector<float>> &data,
                                     int *stages = nullptr) {
  Memory mem = run_func(f, data, stages);
  return mem.at(f.params.back().get());
}

}  // namespace swtc::test

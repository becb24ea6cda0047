// Tensor-IR analyses: linear_form, uses_var, verify, local_bytes / local_layout.
#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <memory>
#include <random>

#include "common/error.h"
#include "tir/analysis.h"
#include "tir/functor.h"
#include "tir/printer.h"
#include "tir/tir.h"

namespace swtc::tir {
namespace {

const std::map<std::string, int64_t> kInner = {{"i", 4}, {"j", 8}};

TEST(LinearForm, AffineCoefficientsAndConstant) {
  Expr e = var("i") * int_imm(3) + var("j") * int_imm(-2) + int_imm(7);
  LinearForm f = linear_form(e, kInner);
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.coeffs.at("i"), 3);
  EXPECT_EQ(f.coeffs.at("j"), -2);
  EXPECT_EQ(f.constant, 7);
  EXPECT_EQ(f.sym, nullptr);
}

TEST(LinearForm, ScalingAndSubtractionDistribute) {
  // ((i + 2) * 3 - (j - 1)) * 2 = 6i - 2j + 14
  Expr e = ((var("i") + int_imm(2)) * int_imm(3) - (var("j") - int_imm(1))) * int_imm(2);
  LinearForm f = linear_form(e, kInner);
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.coeffs.at("i"), 6);
  EXPECT_EQ(f.coeffs.at("j"), -2);
  EXPECT_EQ(f.constant, 14);
  // Constant on the left of a product.
  LinearForm g = linear_form(int_imm(5) * var("j"), kInner);
  ASSERT_TRUE(g.ok);
  EXPECT_EQ(g.coeffs.at("j"), 5);
  // The same variable twice adds up.
  LinearForm h = linear_form(var("i") + var("i") * int_imm(2), kInner);
  ASSERT_TRUE(h.ok);
  EXPECT_EQ(h.coeffs.at("i"), 3);
}

TEST(LinearForm, SymbolicPartHoldsOuterTerms) {
  // o*4 + i - 1 with o outer: sym = o*4, coeff(i) = 1, constant -1.
  Expr o4 = var("o") * int_imm(4);
  LinearForm f = linear_form(o4 + var("i") + int_imm(-1), kInner);
  ASSERT_TRUE(f.ok);
  ASSERT_NE(f.sym, nullptr);
  EXPECT_TRUE(equal(f.sym, o4)) << to_text(f.sym);
  EXPECT_EQ(f.coeffs.at("i"), 1);
  EXPECT_EQ(f.constant, -1);
  // A non-affine outer term is fine: it is symbolic.
  Expr fd = floordiv(var("o"), int_imm(3));
  LinearForm g = linear_form(fd * int_imm(2) + var("j"), kInner);
  ASSERT_TRUE(g.ok);
  ASSERT_NE(g.sym, nullptr);
  EXPECT_TRUE(equal(g.sym, fd * int_imm(2))) << to_text(g.sym);
  // Subtracting a symbolic term: evaluates to -o.
  LinearForm h = linear_form(var("i") - var("o"), kInner);
  ASSERT_TRUE(h.ok);
  ASSERT_NE(h.sym, nullptr);
  int64_t v = 0;
  ASSERT_TRUE(is_const_int(substitute(h.sym, {{"o", int_imm(5)}}), &v)) << to_text(h.sym);
  EXPECT_EQ(v, -5);
  EXPECT_EQ(h.coeffs.at("i"), 1);
}

TEST(LinearForm, NonAffineIsNotOk) {
  EXPECT_FALSE(linear_form(var("i") * var("j"), kInner).ok);
  EXPECT_FALSE(linear_form(floordiv(var("i"), int_imm(2)), kInner).ok);
  EXPECT_FALSE(linear_form(floormod(var("j"), int_imm(3)) + int_imm(1), kInner).ok);
  EXPECT_FALSE(linear_form(var("i") * var("o"), kInner).ok);
  EXPECT_FALSE(linear_form(min(var("i"), int_imm(2)), kInner).ok);
  EXPECT_FALSE(linear_form(var("o") + floordiv(var("i"), int_imm(2)), kInner).ok);
}

TEST(UsesVar, FindsNestedOccurrences) {
  Buffer b = make_buffer("b", {4});
  Expr e = load(b, {var("i") + int_imm(1)}) * float_imm(2);
  EXPECT_TRUE(uses_var(e, "i"));
  EXPECT_FALSE(uses_var(e, "j"));
  EXPECT_FALSE(uses_var(nullptr, "i"));
}

// --- verify ---------------------------------------------------------------

PrimFunc func(std::vector<Buffer> params, Stmt body) {
  PrimFunc f;
  f.name = "kverify";
  f.params = std::move(params);
  f.body = std::move(body);
  return f;
}

void expect_verify_error(const PrimFunc &f, const std::string &what) {
  try {
    verify(f);
    FAIL() << "verify accepted:\n" << to_text(f);
  } catch (const swtc::InternalError &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("kverify"), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
  }
}

TEST(Verify, AcceptsAWellFormedFunction) {
  Buffer x = make_buffer("x", {4, 4}), y = make_buffer("y", {4});
  Buffer xl = make_buffer("x_l", {1, 4}, Scope::Local);
  Stmt s = for_loop(
      "i", 4, ForKind::Serial,
      stage(x, xl, {var("i"), int_imm(0)}, StageDir::In,
            for_loop("j", 4, ForKind::Serial,
                     store(y, {var("i")}, load(xl, {int_imm(0), var("j")})))));
  EXPECT_NO_THROW(verify(func({x, y}, s)));
}

TEST(Verify, RejectsVariableOutsideItsLoop) {
  Buffer y = make_buffer("y", {4});
  Stmt s = seq({for_loop("i", 4, ForKind::Serial, store(y, {var("i")}, float_imm(0))),
                store(y, {var("i")}, float_imm(1))});
  expect_verify_error(func({y}, s), "'i' is used outside its loop");
}

TEST(Verify, RejectsBufferNotInScope) {
  Buffer y = make_buffer("y", {4}), z = make_buffer("z", {4});
  Stmt s = for_loop("i", 4, ForKind::Serial, store(y, {var("i")}, load(z, {var("i")})));
  expect_verify_error(func({y}, s), "'z' is not in scope");
  // A staged local used after its stage ended.
  Buffer x = make_buffer("x", {4});
  Buffer xl = make_buffer("x_l", {4}, Scope::Local);
  Stmt t = seq({stage(x, xl, {int_imm(0)}, StageDir::In,
                      store(y, {int_imm(0)}, load(xl, {int_imm(0)}))),
                store(y, {int_imm(1)}, load(xl, {int_imm(1)}))});
  expect_verify_error(func({x, y}, t), "'x_l' is not in scope");
}

TEST(Verify, RejectsWrongIndexCount) {
  // The factories refuse this, so build the node by hand.
  Buffer y = make_buffer("y", {4, 4});
  auto st = std::make_shared<StmtNode>();
  st->kind = StmtKind::Store;
  st->buffer = y;
  st->indices = {int_imm(0)};
  st->value = float_imm(1);
  expect_verify_error(func({y}, st), "has rank 2 but 1 indices");

  auto ld = std::make_shared<ExprNode>();
  ld->kind = ExprKind::Load;
  ld->type = Type::Float;
  ld->buffer = y;
  ld->args = {int_imm(0), int_imm(0), int_imm(0)};
  expect_verify_error(func({y}, store(y, {int_imm(0), int_imm(0)}, ld)), "but 3 indices");
}

TEST(Verify, RejectsShadowedLoopVariable) {
  Buffer y = make_buffer("y", {4});
  Stmt s = for_loop("i", 4, ForKind::Serial,
                    for_loop("i", 2, ForKind::Serial, store(y, {var("i")}, float_imm(0))));
  expect_verify_error(func({y}, s), "'i' is shadowed");
  // The same name in sibling loops is fine.
  Stmt t = seq({for_loop("i", 4, ForKind::Serial, store(y, {var("i")}, float_imm(0))),
                for_loop("i", 4, ForKind::Serial, store(y, {var("i")}, float_imm(1)))});
  EXPECT_NO_THROW(verify(func({y}, t)));
}

TEST(Verify, RejectsBadStages) {
  Buffer x = make_buffer("x", {4}), y = make_buffer("y", {4});
  Buffer not_ldm = make_buffer("x_g", {4});
  Stmt s = stage(x, not_ldm, {int_imm(0)}, StageDir::In, store(y, {int_imm(0)}, float_imm(0)));
  expect_verify_error(func({x, y}, s), "is not a local buffer");
  Buffer xl = make_buffer("x_l", {2}, Scope::Local);
  Stmt inner = stage(x, xl, {int_imm(0)}, StageDir::In, store(y, {int_imm(0)}, float_imm(0)));
  Stmt twice = stage(x, xl, {int_imm(0)}, StageDir::In, inner);
  expect_verify_error(func({x, y}, twice), "staged twice");
  // Parameters must be global.
  expect_verify_error(func({xl}, store(xl, {int_imm(0)}, float_imm(0))), "not a global buffer");
}

// --- LDM accounting ---------------------------------------------------------

Stmt leaf(const Buffer &y) { return store(y, {int_imm(0)}, float_imm(0)); }

TEST(LdmBytes, NestedStagesAddSiblingsReuse) {
  Buffer g = make_buffer("g", {1000}), y = make_buffer("y", {1});
  // Each buffer starts 32-byte aligned; the figure ends at the last one's
  // last element (no trailing padding).
  Buffer a = make_buffer("a", {10}, Scope::Local);   // 40 B (next starts at 64)
  Buffer b = make_buffer("b", {8}, Scope::Local);    // 32 B (32)
  Buffer c = make_buffer("c", {20}, Scope::Local);   // 80 B (96)
  Buffer o = make_buffer("o", {1}, Scope::Local);    // 4 B (32)
  auto st = [&](const Buffer &l, Stmt body) {
    return stage(g, l, {int_imm(0)}, StageDir::In, std::move(body));
  };
  EXPECT_EQ(local_bytes(func({g, y}, leaf(y))), 0);
  EXPECT_EQ(local_bytes(func({g, y}, st(o, leaf(y)))), 4);
  EXPECT_EQ(local_bytes(func({g, y}, st(a, leaf(y)))), 40);
  EXPECT_EQ(local_bytes(func({g, y}, st(a, st(b, leaf(y))))), 64 + 32);
  EXPECT_EQ(local_bytes(func({g, y}, st(b, st(a, leaf(y))))), 32 + 40);
  EXPECT_EQ(local_bytes(func({g, y}, seq({st(a, leaf(y)), st(c, leaf(y))}))), 80);
  // Double-buffered a: the second copy starts at 64 and ends at 104.
  EXPECT_EQ(local_bytes(func({g, y}, for_loop("i", 2, ForKind::Serial,
                                            stage(g, a, {int_imm(0)}, StageDir::In, leaf(y),
                                                  true)))),
            64 + 40);
  // o { a {}; c { b {} } }: 32 + max(40, 96 + 32) = 160; inside a loop.
  Stmt tree = for_loop("i", 3, ForKind::Serial,
                       st(o, seq({st(a, leaf(y)), st(c, st(b, leaf(y)))})));
  PrimFunc f = func({g, y}, tree);
  EXPECT_EQ(local_bytes(f), 160);
  int64_t total = -1;
  auto lay = local_layout(f, &total);
  EXPECT_EQ(total, 160);
  EXPECT_EQ(lay.at(o.get()), 0);
  EXPECT_EQ(lay.at(a.get()), 32);
  EXPECT_EQ(lay.at(c.get()), 32);   // reuses a's bytes
  EXPECT_EQ(lay.at(b.get()), 128);  // stacked on c
}


TEST(Bounds, IntervalsOfIndexExpressions) {
  const std::map<std::string, int64_t> ext = {{"f", 64}, {"r", 4}};
  auto b = [&](const Expr &e) { return bounds(e, ext); };
  EXPECT_EQ(b(var("f")), std::make_pair(int64_t(0), int64_t(63)));
  EXPECT_EQ(b(floordiv(var("f"), int_imm(16)) * int_imm(2)), std::make_pair(int64_t(0), int64_t(6)));
  EXPECT_EQ(b(floormod(var("f"), int_imm(16)) + int_imm(-1)), std::make_pair(int64_t(-1), int64_t(14)));
  EXPECT_EQ(b(var("r") * int_imm(8) - var("f")), std::make_pair(int64_t(-63), int64_t(24)));
  EXPECT_EQ(b(min(var("r"), int_imm(2))), std::make_pair(int64_t(0), int64_t(2)));
  EXPECT_FALSE(b(var("unknown")));
  EXPECT_FALSE(b(floordiv(var("f"), var("r"))));  // division by a variable
}

TEST(StageStrided, OnlyBoxesNeverClippedInTheirLastPartialDim) {
  // x[8][16][4]: box [2][8][4], the last dim whole (t = 2); rows of dim 0
  // strided when the dim-1 corner stays in [0, 8].
  Buffer x = make_buffer("x", {8, 16, 4});
  Buffer xl = make_buffer("x_l", {2, 8, 4}, Scope::Local);
  Buffer y = make_buffer("y", {1});
  auto st = [&](Expr lo1) {
    return stage(x, xl, {var("i") * int_imm(2), lo1, int_imm(0)}, StageDir::In,
                 store(y, {int_imm(0)}, float_imm(0)));
  };
  const std::map<std::string, int64_t> ext = {{"i", 4}, {"j", 2}};
  EXPECT_EQ(stage_whole_from(st(var("j") * int_imm(8))), 2u);
  EXPECT_TRUE(stage_strided(st(var("j") * int_imm(8)), ext));
  EXPECT_FALSE(stage_strided(st(var("j") * int_imm(8) + int_imm(-1)), ext));  // clipped at 0
  EXPECT_FALSE(stage_strided(st(var("j") * int_imm(9)), ext));                // clipped at 16
  EXPECT_FALSE(stage_strided(st(var("j") * int_imm(8)), {}));                // j unknown

  // The estimate: one descriptor per box when strided (2 rows of 32 floats),
  // one transfer per row otherwise.
  PrimFunc f;
  f.name = "k";
  f.params = {x, y};
  f.body = for_loop("i", 4, ForKind::Serial, for_loop("j", 2, ForKind::Serial, st(var("j") * int_imm(8))));
  DmaEstimate e = dma_estimate(f, 64);
  EXPECT_EQ(e.transfers, 8);
  EXPECT_EQ(e.stride_transfers, 8);
  EXPECT_EQ(e.stride_blocks, 16);
  EXPECT_EQ(e.bytes, 8 * 2 * 8 * 4 * 4);
  EXPECT_EQ(e.stride_bytes, e.bytes);
  f.body = for_loop("i", 4, ForKind::Serial,
                    for_loop("j", 2, ForKind::Serial, st(var("j") * int_imm(8) + int_imm(-1))));
  e = dma_estimate(f, 64);
  EXPECT_EQ(e.transfers, 16);
  EXPECT_EQ(e.stride_transfers, 0);
}

// --- Executed flops (what the emulator counts) -------------------------------

TEST(ExecutedFlops, GuardedStoresCountOnlyTheIterationsThatRun) {
  Buffer x = make_buffer("x", {8}), y = make_buffer("y", {8});
  Expr i = var("i"), r = var("r"), ix = i + r + -1;
  // y[i] += x[i + r - 1] * 2 for 0 <= i + r - 1 < 8: i = 0 and 7 have two
  // valid r, i = 1..6 three: 22 iterations, 2 flops each.
  Stmt mac = if_then(logical_and(le(int_imm(0), ix), lt(ix, int_imm(8))),
                     store(y, {i}, load(y, {i}) + load(x, {ix}) * float_imm(2)));
  // Then y[i] = max(y[i], 0): 8 x 1 flop; an index-only store counts nothing.
  Stmt relu = store(y, {i}, max(load(y, {i}), float_imm(0)));
  Stmt body = for_loop("i", 8, ForKind::Serial,
                       seq({for_loop("r", 3, ForKind::Serial, mac), relu,
                            store(y, {i}, load(x, {i}))}));
  EXPECT_EQ(executed_flops(func({x, y}, body)), 22 * 2 + 8);
  EXPECT_EQ(float_ops(load(y, {i}) + load(x, {ix}) * float_imm(2)), 2);
  EXPECT_EQ(float_ops(call("expf", {load(x, {i})})), 1);
  EXPECT_EQ(float_ops(i * 3 + 1), 0);
}

// Affine guards are counted by solving for the widest variable; the count must
// equal a point-by-point count, for <, <= and == with any signs.
TEST(ExecutedFlops, AffineGuardsCountExactlyLikeEnumeration) {
  std::mt19937 rng(11);
  Buffer y = make_buffer("y", {1});
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t ei = 1 + rng() % 9, ej = 1 + rng() % 17, ek = 1 + rng() % 5;
    const int ncond = 1 + int(rng() % 3);
    std::vector<std::array<int64_t, 5>> cs;  // a, b, c, d, op: a*i + b*j + c*k + d (op) 0
    Expr cond;
    for (int q = 0; q < ncond; ++q) {
      std::array<int64_t, 5> c{int64_t(rng() % 7) - 3, int64_t(rng() % 7) - 3,
                               int64_t(rng() % 5) - 2, int64_t(rng() % 21) - 10,
                               int64_t(rng() % 3)};
      cs.push_back(c);
      Expr lhs = var("i") * int_imm(c[0]) + var("j") * int_imm(c[1]) + var("k") * int_imm(c[2]) +
                 int_imm(c[3]);
      const BinaryOp op = c[4] == 0 ? BinaryOp::LT : c[4] == 1 ? BinaryOp::LE : BinaryOp::EQ;
      // Sometimes the constant on the other side: lhs - d (op) -d.
      Expr e = rng() % 2 ? binary(op, lhs, int_imm(0))
                         : binary(op, lhs - int_imm(c[3]), int_imm(-c[3]));
      cond = logical_and(cond, e);
    }
    int64_t expect = 0;
    for (int64_t i = 0; i < ei; ++i)
      for (int64_t j = 0; j < ej; ++j)
        for (int64_t k = 0; k < ek; ++k) {
          bool all = true;
          for (const auto &c : cs) {
            const int64_t v = c[0] * i + c[1] * j + c[2] * k + c[3];
            all = all && (c[4] == 0 ? v < 0 : c[4] == 1 ? v <= 0 : v == 0);
          }
          expect += all;
        }
    Stmt body = for_loop(
        "i", ei, ForKind::Serial,
        for_loop("j", ej, ForKind::Serial,
                 for_loop("k", ek, ForKind::Serial,
                          if_then(cond, store(y, {int_imm(0)}, load(y, {int_imm(0)}) +
                                                                   float_imm(1))))));
    ASSERT_EQ(executed_flops(func({y}, body)), expect) << "trial " << trial;
  }
}

// Huge guarded domains (a tail guard over 2^40 iterations, a window of 2^16
// by 2^16 points) are counted exactly and at once, not point by point; a
// count beyond int64 saturates.
TEST(ExecutedFlops, HugeGuardedDomainsAreCountedAnalytically) {
  Buffer y = make_buffer("y", {1});
  auto one = [&] { return store(y, {int_imm(0)}, load(y, {int_imm(0)}) + float_imm(1)); };
  Expr o = var("o"), t = var("t");
  // o * 1024 + t < 1000000007 over o < 2^30, t < 1024.
  Stmt tail = for_loop("o", int64_t(1) << 30, ForKind::Serial,
                       for_loop("t", 1024, ForKind::Serial,
                                if_then(lt(o * int_imm(1024) + t, int_imm(1000000007)), one())));
  EXPECT_EQ(executed_flops(func({y}, tail)), 1000000007);
  // A pool window: 0 <= h * 3 + kh - 30000 < 9 over h < 4, kh < 65536.
  Expr h = var("h"), kh = var("kh"), ih = h * int_imm(3) + kh - int_imm(30000);
  Stmt win = for_loop("h", 4, ForKind::Serial,
                      for_loop("kh", 65536, ForKind::Serial,
                               if_then(logical_and(le(int_imm(0), ih), lt(ih, int_imm(9))), one())));
  EXPECT_EQ(executed_flops(func({y}, win)), 4 * 9);
  // A fused index used through % and // (a fused loop's components): the
  // guards repeat every 6 iterations of f; f < 2^20 * 6 + 4.
  Expr f = var("f"), hi = var("hi");
  Expr row = floormod(f, int_imm(3)) * int_imm(4) + hi, ch = floormod(floordiv(f, int_imm(3)), int_imm(2));
  Stmt fused = for_loop(
      "f", (int64_t(1) << 20) * 6 + 4, ForKind::Serial,
      for_loop("hi", 4, ForKind::Serial,
               if_then(logical_and(lt(row, int_imm(10)), lt(ch * int_imm(2) + hi, int_imm(3))),
                       one())));
  int64_t per = 0, part = 0;  // count one period (f < 6) and the first 4 by hand
  for (int64_t fv = 0; fv < 6; ++fv)
    for (int64_t h = 0; h < 4; ++h) {
      const bool ok = (fv % 3) * 4 + h < 10 && ((fv / 3) % 2) * 2 + h < 3;
      per += ok;
      part += ok && fv < 4;
    }
  EXPECT_EQ(executed_flops(func({y}, fused)), (int64_t(1) << 20) * per + part);
  // A fused index taken apart by // and % of one constant (no period: the
  // quotient is used alone): g < 5 * 65534 + 7, g // 65534 * 2 + c < 9 and
  // 0 <= g % 65534 + 2 * r - 1 < 65535.
  Expr g = var("g"), c = var("c"), r2 = var("r2");
  Expr wrow = floormod(g, int_imm(65534)) + r2 * int_imm(2) - int_imm(1);
  Stmt split = for_loop(
      "g", 5 * 65534 + 7, ForKind::Serial,
      for_loop("c", 2, ForKind::Serial,
               for_loop("r2", 2, ForKind::Serial,
                        if_then(logical_and(lt(floordiv(g, int_imm(65534)) * int_imm(2) + c,
                                               int_imm(9)),
                                            logical_and(le(int_imm(0), wrow),
                                                        lt(wrow, int_imm(65535)))),
                                one()))));
  int64_t want = 0;
  for (int64_t gv = 0; gv < 5 * 65534 + 7; ++gv)
    for (int64_t cv = 0; cv < 2; ++cv)
      for (int64_t rv = 0; rv < 2; ++rv) {
        const int64_t w = gv % 65534 + 2 * rv - 1;
        want += (gv / 65534) * 2 + cv < 9 && 0 <= w && w < 65535;
      }
  EXPECT_EQ(executed_flops(func({y}, split)), want);
  // A guard without variables (a constant condition) holds or not.
  Stmt never = for_loop("h", 4, ForKind::Serial, if_then(lt(int_imm(3), int_imm(2)), one()));
  Stmt always = for_loop("h", 4, ForKind::Serial, if_then(lt(int_imm(2), int_imm(3)), one()));
  EXPECT_EQ(executed_flops(func({y}, never)), 0);
  EXPECT_EQ(executed_flops(func({y}, always)), 4);
  Stmt big = for_loop("a", int64_t(1) << 40, ForKind::Serial,
                      for_loop("b", int64_t(1) << 40, ForKind::Serial, one()));
  EXPECT_EQ(executed_flops(func({y}, big)), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace swtc::tir

// The Sunway rule: CPE code reaches main memory only through DMA.
TEST(VerifyDmaOnly, AcceptsStagedAccessAndRejectsDirectAccess) {
  using namespace swtc::tir;
  Buffer x = make_buffer("x", {64}), y = make_buffer("y", {64});
  Buffer xl = make_buffer("x_l", {64}, Scope::Local), yl = make_buffer("y_l", {64}, Scope::Local);
  PrimFunc staged{"staged", {x, y},
                  stage(x, xl, {int_imm(0)}, StageDir::In,
                        stage(y, yl, {int_imm(0)}, StageDir::Out,
                              for_loop("i", 64, ForKind::Serial,
                                       store(yl, {var("i")}, load(xl, {var("i")}))))),
                  0};
  EXPECT_NO_THROW(verify_dma_only(staged));
  PrimFunc direct{"direct", {x, y},
                  stage(y, yl, {int_imm(0)}, StageDir::Out,
                        for_loop("i", 64, ForKind::Cpe, store(yl, {var("i")}, load(x, {var("i")})))),
                  0};
  try {
    verify_dma_only(direct);
    FAIL() << "a direct main-memory load was accepted";
  } catch (const swtc::InternalError &e) {
    EXPECT_NE(std::string(e.what()).find("reads main-memory buffer 'x' directly"), std::string::npos)
        << e.what();
  }
  PrimFunc direct_store{"direct_store", {x, y},
                        for_loop("i", 64, ForKind::Cpe, store(y, {var("i")}, float_imm(1))), 0};
  EXPECT_THROW(verify_dma_only(direct_store), swtc::InternalError);
}

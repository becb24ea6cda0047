// The CPE loop vectoriser (codegen/simd.h): which loops become vectors and
// what they turn into. The numbers are checked end to end by the e2e tests
// (every model on sw26010 / sw26010pro against the reference interpreter).
#include <gtest/gtest.h>

#include <string>

#include "codegen/c_printer.h"
#include "codegen/simd.h"
#include "tir/tir.h"
#include "joined.h"

namespace swtc::codegen {
namespace {

using namespace tir;

struct Bufs {
  Buffer y = make_buffer("y_l", {2, 8}, Scope::Local);
  Buffer x = make_buffer("x_l", {2, 10}, Scope::Local);
  Buffer w = make_buffer("w_l", {2}, Scope::Local);
};

TEST(Simd, AccumulationBecomesMultiplyAdd) {
  Bufs b;
  CPrinter p;
  Expr c = var("c"), v = var("v");
  // y[c][v] += x[c][v] * w[c]: x aligned (row 10 is not a multiple of 4 -> gathered).
  Stmt body = store(b.y, {c, v}, load(b.y, {c, v}) + load(b.x, {c, v}) * load(b.w, {c}));
  auto out = vectorize_loop(for_loop("v", 8, ForKind::Serial, body), vector_isa(target::get_target("sw26010")), {{"c", 2}}, p);
  ASSERT_TRUE(out);
  const std::string s = joined(*out);
  EXPECT_NE(s.find("simd_vmas("), std::string::npos) << s;
  EXPECT_NE(s.find("simd_load(swtc_v"), std::string::npos) << s;  // aligned accumulator
  EXPECT_NE(s.find(", &y_l[((c * 8) + v)]);"), std::string::npos) << s;
  EXPECT_NE(s.find("simd_set_floatv4(x_l["), std::string::npos) << s;      // gathered: unaligned rows
  EXPECT_NE(s.find("const float swtc_s"), std::string::npos) << s;           // w broadcast
  EXPECT_NE(s.find("simd_store(swtc_r, &y_l["), std::string::npos) << s;
}

TEST(Simd, Floatv8OnTheProTarget) {
  Bufs b;
  CPrinter p;
  Expr c = var("c"), v = var("v");
  Stmt body = store(b.y, {c, v}, load(b.y, {c, v}) + load(b.w, {c}));
  auto out = vectorize_loop(for_loop("v", 8, ForKind::Serial, body), vector_isa(target::get_target("sw26010pro")), {{"c", 2}}, p);
  ASSERT_TRUE(out);
  EXPECT_NE(joined(*out).find("floatv8 swtc_r = simd_vadds("), std::string::npos) << joined(*out);
}

TEST(Simd, GuardedAccumulationZeroesTheGuardedLanes) {
  Bufs b;
  CPrinter p;
  Expr c = var("c"), v = var("v");
  Expr iw = v + int_imm(-1);
  Stmt body = if_then(logical_and(le(int_imm(0), c), le(int_imm(0), iw)),
                      store(b.y, {c, v}, load(b.y, {c, v}) + load(b.x, {c, v}) * load(b.w, {c})));
  auto out = vectorize_loop(for_loop("v", 8, ForKind::Serial, body), vector_isa(target::get_target("sw26010")), {{"c", 2}}, p);
  ASSERT_TRUE(out);
  const std::string s = joined(*out);
  EXPECT_EQ(s.rfind("if (0 <= c) {", 0), 0u) << s;  // the loop-invariant part stays an if
  EXPECT_NE(s.find(" ? x_l["), std::string::npos) << s;
  EXPECT_NE(s.find(" : 0.0f)"), std::string::npos) << s;
  EXPECT_NE(s.find("simd_vmas("), std::string::npos) << s;
}

TEST(Simd, RejectsWhatItCannotDo) {
  Bufs b;
  CPrinter p;
  Expr c = var("c"), v = var("v");
  auto acc = [&](Expr idx_c, Expr idx_v) {
    return store(b.y, {idx_c, idx_v}, load(b.y, {idx_c, idx_v}) + load(b.w, {c}));
  };
  const VectorIsa s4 = vector_isa(target::get_target("sw26010"));
  // Shorter than a vector.
  EXPECT_FALSE(vectorize_loop(for_loop("v", 3, ForKind::Serial, acc(c, v)), s4, {{"c", 2}}, p));
  // Store address not vector-aligned (offset 1) or not moving by one element.
  EXPECT_FALSE(vectorize_loop(for_loop("v", 4, ForKind::Serial, acc(c, v + int_imm(1))), s4, {{"c", 2}}, p));
  EXPECT_FALSE(vectorize_loop(for_loop("v", 2, ForKind::Serial, acc(v, c)), s4, {{"c", 4}}, p));
  // A main-memory store (CPE code never does that) and a store with no arithmetic.
  Buffer g = make_buffer("g", {8});
  EXPECT_FALSE(vectorize_loop(for_loop("v", 8, ForKind::Serial, store(g, {v}, float_imm(0))), s4, {}, p));
  EXPECT_FALSE(vectorize_loop(for_loop("v", 8, ForKind::Serial, store(b.y, {c, v}, float_imm(0))), s4,
                              {{"c", 2}}, p));
  // A guarded update that is not an accumulation by a product of something
  // that depends on the loop variable (zeroing it would not skip the update).
  for (Expr add : {float_imm(1), load(b.w, {c}) * float_imm(2), load(b.x, {c, v}) + float_imm(1)}) {
    Stmt guarded = if_then(le(int_imm(1), v), store(b.y, {c, v}, load(b.y, {c, v}) + add));
    EXPECT_FALSE(vectorize_loop(for_loop("v", 8, ForKind::Serial, guarded), s4, {{"c", 2}}, p));
  }
  // A CPE-bound loop is distributed, not vectorised.
  EXPECT_FALSE(vectorize_loop(for_loop("v", 8, ForKind::Cpe, acc(c, v)), s4, {{"c", 2}}, p));
}

}  // namespace
}  // namespace swtc::codegen

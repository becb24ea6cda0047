// Tensor-IR expression factories (constant folding, identities), structural
// equality, substitution and the text printer.
#include <gtest/gtest.h>

#include "common/error.h"
#include "tir/functor.h"
#include "tir/printer.h"
#include "tir/tir.h"

namespace swtc::tir {
namespace {

int64_t folded(const Expr &e) {
  int64_t v = -999999;
  EXPECT_TRUE(is_const_int(e, &v)) << to_text(e);
  return v;
}

TEST(TirFold, ConstantArithmetic) {
  EXPECT_EQ(folded(int_imm(2) * int_imm(3)), 6);
  EXPECT_EQ(folded(int_imm(2) + int_imm(3)), 5);
  EXPECT_EQ(folded(int_imm(2) - int_imm(7)), -5);
  EXPECT_EQ(folded(min(int_imm(4), int_imm(-2))), -2);
  EXPECT_EQ(folded(max(int_imm(4), int_imm(-2))), 4);
  // Nested constants fold all the way.
  EXPECT_EQ(folded((int_imm(2) + int_imm(3)) * int_imm(4) + int_imm(-1)), 19);
}

TEST(TirFold, FloorDivModUseFloorSemantics) {
  EXPECT_EQ(folded(floordiv(int_imm(7), int_imm(2))), 3);
  EXPECT_EQ(folded(floordiv(int_imm(-7), int_imm(2))), -4);  // C gives -3
  EXPECT_EQ(folded(floormod(int_imm(-7), int_imm(2))), 1);   // C gives -1
  EXPECT_EQ(folded(floordiv(int_imm(7), int_imm(-2))), -4);
  EXPECT_EQ(folded(floormod(int_imm(7), int_imm(-2))), -1);
  EXPECT_EQ(folded(floordiv(int_imm(-6), int_imm(3))), -2);
  EXPECT_EQ(folded(floormod(int_imm(-6), int_imm(3))), 0);
  EXPECT_EQ(folded(floordiv(int_imm(-1), int_imm(4))), -1);
  EXPECT_EQ(folded(floormod(int_imm(-1), int_imm(4))), 3);
}

TEST(TirFold, DivisionByZeroIsNotFolded) {
  Expr e = floordiv(int_imm(5), int_imm(0));
  EXPECT_EQ(e->kind, ExprKind::Binary);
  EXPECT_EQ(floormod(int_imm(5), int_imm(0))->kind, ExprKind::Binary);
}

TEST(TirFold, IntegerIdentitiesReturnTheOperand) {
  Expr x = var("x");
  EXPECT_EQ(x + int_imm(0), x);
  EXPECT_EQ(int_imm(0) + x, x);
  EXPECT_EQ(x - int_imm(0), x);
  EXPECT_EQ(x * int_imm(1), x);
  EXPECT_EQ(int_imm(1) * x, x);
  EXPECT_EQ(floordiv(x, int_imm(1)), x);
  EXPECT_EQ(folded(floormod(x, int_imm(1))), 0);
  EXPECT_EQ(folded(x * int_imm(0)), 0);
  EXPECT_EQ(folded(int_imm(0) * x), 0);
  // (x + 2) + 3 -> x + 5
  Expr e = (x + int_imm(2)) + int_imm(3);
  ASSERT_EQ(e->kind, ExprKind::Binary);
  EXPECT_EQ(e->args[0], x);
  EXPECT_EQ(folded(e->args[1]), 5);
  EXPECT_EQ(to_text(e), "(x + 5)");
  // x + 2 - 2 is not simplified to x (no such rule), but x + (2 + -2) is.
  EXPECT_EQ(x + (int_imm(2) + int_imm(-2)), x);
}

TEST(TirFold, FloatOperandsAreNotRewritten) {
  // x*1 with a float x must stay a float expression (no int identity on floats).
  Buffer b = make_buffer("b", {4});
  Expr l = load(b, {int_imm(0)});
  Expr e = l * float_imm(1.0);
  EXPECT_EQ(e->kind, ExprKind::Binary);
  EXPECT_EQ(e->type, Type::Float);
  EXPECT_EQ((l + int_imm(0))->type, Type::Float);
}

TEST(TirFold, ResultTypes) {
  Expr x = var("x");
  EXPECT_EQ((x + int_imm(1))->type, Type::Int);
  EXPECT_EQ(lt(x, int_imm(3))->type, Type::Bool);
  EXPECT_EQ(le(x, int_imm(3))->type, Type::Bool);
  EXPECT_EQ(logical_and(lt(x, int_imm(3)), le(int_imm(0), x))->type, Type::Bool);
  EXPECT_EQ((float_imm(2) * x)->type, Type::Float);
  // logical_and with a null operand returns the other one.
  Expr c = lt(x, int_imm(3));
  EXPECT_EQ(logical_and(nullptr, c), c);
  EXPECT_EQ(logical_and(c, nullptr), c);
}

TEST(TirEqual, Structural) {
  Buffer b = make_buffer("b", {4, 4});
  Buffer b2 = make_buffer("b", {4, 4});  // same name, different buffer
  auto mk = [](const Buffer &buf) {
    return load(buf, {var("i") + int_imm(1), floordiv(var("j"), int_imm(2))}) * float_imm(2.5);
  };
  EXPECT_TRUE(equal(mk(b), mk(b)));
  EXPECT_FALSE(equal(mk(b), mk(b2)));
  EXPECT_TRUE(equal(var("i") * int_imm(3), var("i") * int_imm(3)));
  EXPECT_FALSE(equal(var("i") * int_imm(3), var("i") * int_imm(4)));
  EXPECT_FALSE(equal(var("i") * int_imm(3), var("j") * int_imm(3)));
  EXPECT_FALSE(equal(var("i") + var("j"), var("i") - var("j")));
  EXPECT_FALSE(equal(min(var("i"), var("j")), max(var("i"), var("j"))));
  EXPECT_FALSE(equal(int_imm(1), float_imm(1)));
  EXPECT_FALSE(equal(call("sqrtf", {float_imm(2)}), call("expf", {float_imm(2)})));
  EXPECT_TRUE(equal(nullptr, nullptr));
  EXPECT_FALSE(equal(var("i"), nullptr));
}

TEST(TirSubstitute, ReplacesVariablesAndRefolds) {
  Expr e = var("i") * int_imm(4) + var("j");
  Expr r = substitute(e, {{"i", int_imm(2)}, {"j", int_imm(3)}});
  EXPECT_EQ(folded(r), 11);
  Expr r2 = substitute(e, {{"i", var("k")}});
  EXPECT_EQ(to_text(r2), "((k * 4) + j)");
  // No change: the very same node comes back.
  EXPECT_EQ(substitute(e, {{"z", int_imm(0)}}), e);
}

TEST(TirSubstitute, InStatementsKeepsUnchangedSubtrees) {
  Buffer y = make_buffer("y", {8});
  Stmt inner = store(y, {var("i")}, float_imm(1));
  Stmt s = for_loop("i", 8, ForKind::Serial, inner);
  EXPECT_EQ(substitute(s, {{"q", int_imm(1)}}), s);
  Stmt t = substitute(inner, {{"i", var("k") + int_imm(1)}});
  EXPECT_EQ(to_text(t), "y[(k + 1)] = 1f\n");
}

TEST(TirSeq, FlattensAndUnwraps) {
  Buffer y = make_buffer("y", {2});
  Stmt a = store(y, {int_imm(0)}, float_imm(1)), b = store(y, {int_imm(1)}, float_imm(2));
  EXPECT_EQ(seq({a}), a);
  Stmt s = seq({seq({a, b}), nullptr, a});
  ASSERT_EQ(s->kind, StmtKind::Seq);
  EXPECT_EQ(s->body.size(), 3u);
  EXPECT_EQ(if_then(nullptr, a), a);
}

TEST(TirPrinter, LoopNest) {
  Buffer x = make_buffer("x", {4, 6});
  Buffer y = make_buffer("y", {4});
  Expr i = var("i"), j = var("j");
  Stmt body = seq({
      store(y, {i}, float_imm(0)),
      for_loop("j", 6, ForKind::Serial,
               if_then(lt(j, int_imm(5)),
                       store(y, {i}, max(load(y, {i}), load(x, {i, j}) * float_imm(0.5))))),
  });
  PrimFunc f;
  f.name = "k";
  f.params = {x, y};
  f.body = for_loop("i", 4, ForKind::Parallel, body);
  EXPECT_EQ(to_text(f),
            "func k(x: f32[4,6], y: f32[4]) {\n"
            "  for i in 0..4 parallel {\n"
            "    y[i] = 0f\n"
            "    for j in 0..6 {\n"
            "      if (j < 5) {\n"
            "        y[i] = max(y[i], (x[i, j] * 0.5f))\n"
            "      }\n"
            "    }\n"
            "  }\n"
            "}\n");
}

TEST(TirPrinter, Stage) {
  Buffer x = make_buffer("x", {16});
  Buffer xl = make_buffer("x_l", {4}, Scope::Local);
  Buffer y = make_buffer("y", {16});
  Stmt s = for_loop("o", 4, ForKind::Cpe,
                    stage(x, xl, {var("o") * int_imm(4)}, StageDir::In,
                          for_loop("i", 4, ForKind::Serial,
                                   store(y, {var("o") * int_imm(4) + var("i")},
                                         load(xl, {var("i")})))));
  EXPECT_EQ(to_text(s),
            "for o in 0..4 cpe {\n"
            "  stage x_l[4] = x[(o * 4)] in {\n"
            "    for i in 0..4 {\n"
            "      y[((o * 4) + i)] = x_l[i]\n"
            "    }\n"
            "  }\n"
            "}\n");
}

TEST(TirFactories, BadArgumentsAreInternalErrors) {
  Buffer b = make_buffer("b", {2, 2});
  EXPECT_THROW(load(b, {int_imm(0)}), swtc::InternalError);
  EXPECT_THROW(store(b, {int_imm(0)}, float_imm(0)), swtc::InternalError);
  EXPECT_THROW(for_loop("i", 0, ForKind::Serial, store(b, {int_imm(0), int_imm(0)}, float_imm(0))),
               swtc::InternalError);
  EXPECT_EQ(b->elements(), 4);
}

}  // namespace
}  // namespace swtc::tir

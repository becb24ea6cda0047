// Schedule primitives: precondition errors, the trace, and the loop structure
// Schedule::lower() produces.
#include <gtest/gtest.h>

#include <functional>

#include "common/error.h"
#include "schedule/schedule.h"
#include "test_defs.h"
#include "tir/analysis.h"
#include "tir/printer.h"

namespace swtc::schedule {
namespace {

using test::ConvCase;

const ConvCase kConv{4, 3, 5, 6, 3, 1, 1};  // y[4,5,6], reduce rc 3, ry 3, rx 3

/// Expects `f` to throw UserError naming the kernel and containing `what`.
void expect_user_error(const std::function<void()> &f, const std::string &what,
                       const std::string &kernel = "kconv") {
  try {
    f();
    FAIL() << "no error; expected: " << what;
  } catch (const swtc::UserError &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("'" + kernel + "'"), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
  }
}

TEST(SchedulePre, SplitFactorMustBePositive) {
  Schedule s(kConv.def());
  expect_user_error([&] { s.split("ow", 0); }, "split: factor 0 < 1");
  expect_user_error([&] { s.split("ow", -3); }, "factor -3");
  EXPECT_EQ(s.leaves().size(), 6u);  // nothing changed
  EXPECT_TRUE(s.trace().empty());
}

TEST(SchedulePre, UnknownLoopName) {
  Schedule s(kConv.def());
  expect_user_error([&] { s.split("zz", 2); }, "no loop named 'zz'");
  expect_user_error([&] { s.fuse("co", "zz"); }, "no loop named 'zz'");
  expect_user_error([&] { s.reorder({"oh", "zz"}); }, "no loop named 'zz'");
  expect_user_error([&] { s.parallel("zz"); }, "no loop named 'zz'");
  expect_user_error([&] { s.bind_cpe("zz"); }, "no loop named 'zz'");
  expect_user_error([&] { s.cache_read("x", "zz"); }, "no loop named 'zz'");
  expect_user_error([&] { s.cache_write("zz"); }, "no loop named 'zz'");
  expect_user_error([&] { s.axis("zz"); }, "no loop named 'zz'");
  // A split loop no longer exists under its old name.
  s.split("ow", 2);
  expect_user_error([&] { s.split("ow", 2); }, "no loop named 'ow'");
}

TEST(SchedulePre, FuseNeedsAdjacentLoopsOfOneKind) {
  Schedule s(kConv.def());
  expect_user_error([&] { s.fuse("co", "ow"); }, "'co' does not directly enclose 'ow'");
  expect_user_error([&] { s.fuse("oh", "co"); }, "'oh' does not directly enclose 'co'");
  expect_user_error([&] { s.fuse("ow", "rc"); }, "cannot fuse a reduce loop with a spatial loop");
  s.parallel("co");
  expect_user_error([&] { s.fuse("co", "oh"); }, "cannot fuse annotated loops");
  EXPECT_EQ(s.fuse("ry", "rx"), "ry_rx");
  EXPECT_EQ(s.axis("ry_rx").extent, 9);
  EXPECT_TRUE(s.axis("ry_rx").reduce);
}

TEST(SchedulePre, ReorderNamesDistinct) {
  Schedule s(kConv.def());
  expect_user_error([&] { s.reorder({"oh", "oh"}); }, "loop 'oh' named twice");
}

TEST(SchedulePre, ParallelOnlyOnOuterSpatialLoops) {
  Schedule s(kConv.def());
  expect_user_error([&] { s.parallel("rc"); }, "parallel: 'rc' is a reduce loop");
  // Move a reduce loop outermost: spatial loops are now inside it.
  Schedule t(kConv.def());
  t.reorder({"rc", "co"});
  EXPECT_EQ(t.leaves()[0].name, "rc");
  EXPECT_EQ(t.leaves()[3].name, "co");
  expect_user_error([&] { t.parallel("oh"); }, "'oh' is inside a reduce loop");
  s.parallel("oh");
  expect_user_error([&] { s.parallel("co"); }, "loop 'oh' is annotated already");
  EXPECT_EQ(s.axis("oh").kind, tir::ForKind::Parallel);
}

TEST(SchedulePre, BindCpeOnlyOnTheOutermostLoop) {
  Schedule s(kConv.def());
  expect_user_error([&] { s.bind_cpe("oh"); }, "bind_cpe: 'oh' is not the outermost loop");
  Schedule t(kConv.def());
  t.reorder({"rc", "co"});
  expect_user_error([&] { t.bind_cpe("rc"); }, "'rc' is a reduce loop");
  s.parallel("ow");
  expect_user_error([&] { s.bind_cpe("co"); }, "loop 'ow' is annotated already");
  Schedule u(kConv.def());
  u.bind_cpe("co");
  EXPECT_EQ(u.axis("co").kind, tir::ForKind::Cpe);
}

TEST(SchedulePre, CacheWriteOutsideReduceLoops) {
  Schedule s(kConv.def());
  expect_user_error([&] { s.cache_write("rc"); }, "cache_write: 'rc' is not outside the reduce");
  expect_user_error([&] { s.cache_write("rx"); }, "'rx' is not outside the reduce loops");
  // A spatial loop moved inside a reduce loop is not allowed either.
  Schedule t(kConv.def());
  t.reorder({"rc", "ow"});  // co, oh, rc, ow, ry, rx
  expect_user_error([&] { t.cache_write("ow"); }, "'ow' is not outside the reduce loops");
  s.cache_write("oh");
  expect_user_error([&] { s.cache_write("co"); }, "the output is staged already");
}

TEST(SchedulePre, CacheReadOnlyOfInputsOnce) {
  Schedule s(kConv.def());
  expect_user_error([&] { s.cache_read("y", "co"); }, "cache_read: 'y' is not an input");
  expect_user_error([&] { s.cache_read("nope", "co"); }, "'nope' is not an input of the kernel");
  s.cache_read("x", "oh");
  expect_user_error([&] { s.cache_read("x", "ow"); }, "'x' is staged already");
}

TEST(SchedulePre, NonAffineStagedRegionFailsAtLower) {
  // The fused loop oh_ow lies inside the stage: x's index is floordiv/floormod of it.
  Schedule s(kConv.def());
  s.fuse("oh", "ow");
  s.cache_read("x", "co");
  expect_user_error([&] { s.lower(); }, "is not affine in the loops inside 'co'");
  // Staged outside the fused loop's parent it is symbolic and fine.
  Schedule t(kConv.def());
  t.fuse("oh", "ow");
  t.cache_read("x", "oh_ow");
  EXPECT_NO_THROW(t.lower());
}

TEST(ScheduleTrace, RecordsEveryPrimitiveInOrder) {
  Schedule s(kConv.def());
  auto [o, i] = s.split("ow", 4);
  EXPECT_EQ(o, "ow_o");
  EXPECT_EQ(i, "ow_i");
  EXPECT_EQ(s.axis("ow_o").extent, 2);  // ceil(6 / 4)
  EXPECT_EQ(s.axis("ow_i").extent, 4);
  std::string f = s.fuse("co", "oh");
  EXPECT_EQ(f, "co_oh");
  EXPECT_EQ(s.axis(f).extent, 20);
  s.reorder({"rc", "ow_i"});
  s.parallel("co_oh");
  s.cache_read("w", "ow_o");
  s.cache_write("co_oh");
  std::vector<std::string> want = {"split(ow, 4)",          "fuse(co, oh)",
                                   "reorder(rc, ow_i)",     "parallel(co_oh)",
                                   "cache_read(w, ow_o)",   "cache_write(co_oh)"};
  EXPECT_EQ(s.trace(), want);
  std::vector<std::string> names;
  for (const auto &l : s.leaves()) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"co_oh", "ow_o", "rc", "ow_i", "ry", "rx"}));
  // A failed primitive is not recorded.
  EXPECT_THROW(s.split("rc", 0), swtc::UserError);
  EXPECT_EQ(s.trace().size(), want.size());
}

TEST(ScheduleLower, ElementwiseLoopNest) {
  using namespace tir;
  ComputeDef d;
  d.name = "kadd";
  Buffer x = make_buffer("x", {4, 6}), b = make_buffer("b", {6});
  d.output = make_buffer("y", {4, 6});
  d.inputs = {x, b};
  d.axes = {{"i", 4, false}, {"j", 6, false}};
  d.value = load(x, {var("i"), var("j")}) + load(b, {var("j")});
  Schedule s(d);
  PrimFunc f = s.lower();
  EXPECT_EQ(f.name, "kadd");
  ASSERT_EQ(f.params.size(), 3u);
  EXPECT_EQ(f.params[2]->name, "y");  // output last
  EXPECT_EQ(f.flops, 24);
  EXPECT_EQ(to_text(f.body),
            "for i in 0..4 {\n"
            "  for j in 0..6 {\n"
            "    y[i, j] = (x[i, j] + b[j])\n"
            "  }\n"
            "}\n");
  // Split by 4 (does not divide 6): outer/inner loops and a bound guard.
  Schedule t(d);
  t.split("j", 4);
  t.parallel("i");
  EXPECT_EQ(to_text(t.lower().body),
            "for i in 0..4 parallel {\n"
            "  for j_o in 0..2 {\n"
            "    for j_i in 0..4 {\n"
            "      if (((j_o * 4) + j_i) < 6) {\n"
            "        y[i, ((j_o * 4) + j_i)] = (x[i, ((j_o * 4) + j_i)] + b[((j_o * 4) + j_i)])\n"
            "      }\n"
            "    }\n"
            "  }\n"
            "}\n");
}

TEST(ScheduleLower, ReductionInitMainEpilogueOrder) {
  Schedule s(kConv.def());
  tir::PrimFunc f = s.lower();
  // Executed flops: the multiply-adds inside the padding (rows: 2 + 3 * 3 + 2
  // valid ry of 5 oh; columns 2 + 3 * 4 + 2 valid rx of 6 ow), plus the bias add.
  EXPECT_EQ(f.flops, 4 * 3 * (2 + 3 * 3 + 2) * (2 + 3 * 4 + 2) * 2 + 4 * 5 * 6);
  std::string t = tir::to_text(f.body);
  size_t init = t.find("y[co, oh, ow] = 0f");
  size_t loop_rc = t.find("for rc in 0..3 {");
  size_t update = t.find("y[co, oh, ow] = (y[co, oh, ow] + (x[rc, ");
  size_t epi = t.find("y[co, oh, ow] = (y[co, oh, ow] + b[co])");
  ASSERT_NE(init, std::string::npos) << t;
  ASSERT_NE(loop_rc, std::string::npos) << t;
  ASSERT_NE(update, std::string::npos) << t;
  ASSERT_NE(epi, std::string::npos) << t;
  EXPECT_LT(init, loop_rc);
  EXPECT_LT(loop_rc, update);
  EXPECT_LT(update, epi);
  EXPECT_EQ(t.find("for co in 0..4 {\n  for oh in 0..5 {\n    for ow in 0..6 {\n"), 0u) << t;
  EXPECT_NE(t.find("for ry in 0..3 {"), std::string::npos);
  EXPECT_NE(t.find("if (((0 <= ((oh + ry) + -1)) && "), std::string::npos) << t;  // the padding guard
  // Only one init and one epilogue.
  EXPECT_EQ(t.find("= 0f", init + 20), std::string::npos);
}

TEST(ScheduleLower, SpatialLoopInsideReduceGetsItsOwnInitNest) {
  // co, oh, rc, ow, ry, rx: init and epilogue loop over ow alone, outside rc.
  Schedule s(kConv.def());
  s.reorder({"rc", "ow"});
  std::string t = tir::to_text(s.lower().body);
  EXPECT_EQ(t,
            "for co in 0..4 {\n"
            "  for oh in 0..5 {\n"
            "    for ow in 0..6 {\n"
            "      y[co, oh, ow] = 0f\n"
            "    }\n"
            "    for rc in 0..3 {\n"
            "      for ow in 0..6 {\n"
            "        for ry in 0..3 {\n"
            "          for rx in 0..3 {\n"
            "            if (((0 <= ((oh + ry) + -1)) && (((oh + ry) + -1) < 5)) && ((0 <= ((ow + rx) + "
            "-1)) && (((ow + rx) + -1) < 6))) {\n"
            "              y[co, oh, ow] = (y[co, oh, ow] + (x[rc, ((oh + ry) + -1), ((ow + rx) + -1)] "
            "* w[co, rc, ry, rx]))\n"
            "            }\n"
            "          }\n"
            "        }\n"
            "      }\n"
            "    }\n"
            "    for ow in 0..6 {\n"
            "      y[co, oh, ow] = (y[co, oh, ow] + b[co])\n"
            "    }\n"
            "  }\n"
            "}\n");
}

TEST(ScheduleLower, StagesAppearInsideTheirLoop) {
  Schedule s(kConv.def());
  s.cache_write("co");
  s.cache_read("w", "co");
  s.cache_read("x", "rc");
  tir::PrimFunc f = s.lower();
  std::string t = tir::to_text(f.body);
  // Output tile of one co: [1,5,6] at (co,0,0); w box [1,3,3,3]; x box per rc: [1,3,3].
  EXPECT_NE(t.find("stage y_l[1,5,6] = y[co, 0, 0] out {"), std::string::npos) << t;
  EXPECT_NE(t.find("stage w_l[1,3,3,3] = w[co, 0, 0, 0] in {"), std::string::npos) << t;
  EXPECT_NE(t.find("stage x_l[1,3,3] = x[rc, (oh + -1), (ow + -1)] in {"), std::string::npos) << t;
  EXPECT_LT(t.find("for co in"), t.find("stage y_l"));
  EXPECT_LT(t.find("for rc in"), t.find("stage x_l"));
  // Accesses inside the stages are rebased onto the local buffers.
  EXPECT_NE(t.find("y_l[0, oh, ow] = 0f"), std::string::npos) << t;
  EXPECT_NE(t.find("(x_l[0, ry, rx] * w_l[0, rc, ry, rx])"), std::string::npos) << t;
  EXPECT_EQ(t.find(" y[co, oh, ow]"), std::string::npos) << t;
  EXPECT_EQ(t.find("b_l"), std::string::npos);  // b is not staged
  // LDM, all nested: y_l 120 B -> 128, w_l 108 B -> 128, then x_l's 36 B.
  EXPECT_EQ(tir::local_bytes(f), 128 + 128 + 36);
}

}  // namespace
}  // namespace swtc::schedule

// tir::pack_layout: the blocked layout of a staged constant (Schedule::pack),
// and tir::stage_compact: which halo boxes move compactly.
#include <gtest/gtest.h>

#include "common/error.h"
#include "tir/analysis.h"
#include "tir/pack_layout.h"
#include "tir/printer.h"

namespace swtc::tir {
namespace {

TEST(PackLayout, ShapeAndSourceIndexPadTheLastBlock) {
  // [5][2] packed at dim 0 by 4: [2][2][4], channels 5..7 are padding.
  EXPECT_EQ(packed_shape({5, 2}, 0, 4), (std::vector<int64_t>{2, 2, 4}));
  const std::vector<int64_t> src = pack_source_index({5, 2}, 0, 4);
  ASSERT_EQ(src.size(), 16u);
  // packed[b][j][i] = data[b*4 + i][j]
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t j = 0; j < 2; ++j)
      for (int64_t i = 0; i < 4; ++i) {
        const int64_t m = b * 4 + i;
        EXPECT_EQ(src[static_cast<size_t>((b * 2 + j) * 4 + i)], m < 5 ? m * 2 + j : -1);
      }
}

TEST(PackLayout, AnInnerDimensionsBlockIndexGoesOutermost) {
  // [3][5] packed at dim 1 by 2: [3][3][2] as [block][row][lane]; column 5 pads.
  EXPECT_EQ(packed_shape({3, 5}, 1, 2), (std::vector<int64_t>{3, 3, 2}));
  const std::vector<int64_t> src = pack_source_index({3, 5}, 1, 2);
  ASSERT_EQ(src.size(), 18u);
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t r = 0; r < 3; ++r)
      for (int64_t i = 0; i < 2; ++i) {
        const int64_t col = b * 2 + i;
        EXPECT_EQ(src[static_cast<size_t>((b * 3 + r) * 2 + i)], col < 5 ? r * 5 + col : -1);
      }
}

/// for co in 0..2: stage w[co*4 .. +4][0..3) as w_l; for ci, r: y[...] += w_l[ci][r]
PrimFunc staged_kernel(Expr corner) {
  Buffer w = make_buffer("w", {8, 3});
  Buffer y = make_buffer("y", {8});
  Buffer wl = make_buffer("w_l", {4, 3}, Scope::Local);
  Expr ci = var("ci"), r = var("r"), co = var("co");
  Stmt upd = store(y, {co * 4 + ci}, load(y, {co * 4 + ci}) + load(wl, {ci, r}));
  Stmt inner = for_loop("ci", 4, ForKind::Serial, for_loop("r", 3, ForKind::Serial, upd));
  PrimFunc f;
  f.name = "k";
  f.params = {w, y};
  f.body = for_loop("co", 2, ForKind::Serial, stage(w, wl, {corner, int_imm(0)}, StageDir::In, inner));
  return f;
}

TEST(PackLayout, StagedBoxBecomesOneBlockWithTheChannelInnermost) {
  PrimFunc f = pack_layout(staged_kernel(var("co") * 4), "w", 0, 4);
  EXPECT_EQ(f.params[0]->shape, (std::vector<int64_t>{2, 3, 4}));
  const std::string t = to_text(f);
  EXPECT_NE(t.find("w_l[0, r, ci]"), std::string::npos) << t;
  // One block: the box covers dims 1.. whole, so it is one contiguous run.
  const Stmt &st = f.body->inner();
  ASSERT_EQ(st->kind, StmtKind::Stage);
  EXPECT_EQ(st->local->shape, (std::vector<int64_t>{1, 3, 4}));
  EXPECT_EQ(stage_whole_from(st), 1u);
}

TEST(PackLayout, RefusesABoxNotAlignedToTheBlock) {
  EXPECT_THROW(pack_layout(staged_kernel(var("co") * 4 + int_imm(1)), "w", 0, 4), UserError);
  EXPECT_THROW(pack_layout(staged_kernel(var("co") * 4), "w", 0, 2), UserError);  // box spans 4
  EXPECT_THROW(pack_layout(staged_kernel(var("co") * 4), "nope", 0, 4), UserError);
}

Stmt halo_stage(Expr row_corner, int64_t rows, int64_t cols_lo, int64_t cols) {
  // x[4 channels][6 rows][6 cols], box [2][rows][cols] at (c*2, row_corner, cols_lo)
  Buffer x = make_buffer("x", {4, 6, 6});
  Buffer xl = make_buffer("x_l", {2, rows, cols}, Scope::Local);
  return stage(x, xl, {var("c") * 2, row_corner, int_imm(cols_lo)}, StageDir::In,
               store(make_buffer("y", {1}), {int_imm(0)}, load(xl, {int_imm(0), int_imm(0), int_imm(0)})));
}

TEST(StageCompact, PaddedRowsAreFetchedCompactlyAndChannelsStrided) {
  const std::map<std::string, int64_t> loops = {{"c", 2}, {"h", 2}};
  // Columns -1..6 cover the width with a halo; rows h*3-1 .. +5 clipped at both ends.
  auto c = stage_compact(halo_stage(var("h") * 3 + int_imm(-1), 5, -1, 8), loops);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->row, 1u);
  EXPECT_TRUE(c->strided);  // channels c*2 .. +2 never clipped
}

TEST(StageCompact, NoHaloOrPartialColumnsMoveRowByRow) {
  const std::map<std::string, int64_t> loops = {{"c", 2}, {"h", 2}};
  // Columns 0..3 of 6: the row is not covered, so no compact run.
  EXPECT_FALSE(stage_compact(halo_stage(var("h") * 3, 3, 0, 4), loops));
  // Exactly the whole width and no halo anywhere: the ordinary path.
  EXPECT_FALSE(stage_compact(halo_stage(var("h") * 3, 3, 0, 6), loops));
}

}  // namespace
}  // namespace swtc::tir

// The Conv / MatMul micro-kernel (codegen/microkernel.h): which nests it takes and the
// register block it picks. Numbers: every Conv of the e2e models on sw26010 /
// sw26010pro runs through it and is checked against the reference interpreter.
#include <gtest/gtest.h>

#include <string>

#include "codegen/c_printer.h"
#include "codegen/microkernel.h"
#include "tir/tir.h"
#include "joined.h"

namespace swtc::codegen {
namespace {

using namespace tir;

size_t count(const std::string &s, const std::string &what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// for w (7) { for c (8) { for r (3) { y_l[c][w] += x_l[r][w + 1] * w_l[r][c] } } }
Stmt nest(bool weight_last_is_c = true, int64_t c_extent = 8) {
  Buffer y = make_buffer("y_l", {c_extent, 7}, Scope::Local);
  Buffer x = make_buffer("x_l", {3, 9}, Scope::Local);
  Buffer w = make_buffer("w_l", {3, c_extent}, Scope::Local);
  Expr wv = var("w"), c = var("c"), r = var("r");
  Expr wt = weight_last_is_c ? load(w, {r, c}) : load(w, {c, r});
  Stmt upd = store(y, {c, wv}, load(y, {c, wv}) + load(x, {r, wv + int_imm(1)}) * wt);
  return for_loop("w", 7, ForKind::Serial,
                  for_loop("c", c_extent, ForKind::Serial, for_loop("r", 3, ForKind::Serial, upd)));
}

TEST(MicroKernel, BlockPrefersMoreMultiplyAddsPerAccess) {
  EXPECT_EQ(microkernel_block(7, 2), std::make_pair(int64_t(7), int64_t(2)));
  EXPECT_EQ(microkernel_block(56, 8), std::make_pair(int64_t(4), int64_t(4)));
  EXPECT_EQ(microkernel_block(1, 16), std::make_pair(int64_t(1), int64_t(16)));
  const auto [wb, vb] = microkernel_block(14, 16);
  EXPECT_LE(wb * vb, 24);
  EXPECT_EQ(14 % wb, 0);
  EXPECT_EQ(16 % vb, 0);
}

TEST(MicroKernel, ConvNestBecomesRegisterBlockedMultiplyAdds) {
  CPrinter p;
  auto out = conv_microkernel(nest(), vector_isa(target::get_target("sw26010")), {}, p);
  ASSERT_TRUE(out);
  const std::string s = joined(*out);
  // 7 columns x 2 vectors of 4 channels: 14 accumulators, 14 vmas per tap,
  // 2 aligned weight loads and 7 broadcasts per tap.
  EXPECT_NE(s.find("7 x 2 floatv4 accumulators"), std::string::npos) << s;
  EXPECT_EQ(count(s, "simd_vmas("), 14u) << s;
  EXPECT_EQ(count(s, "simd_load("), 2u) << s;
  EXPECT_NE(s.find("&w_l[((r * 8) + (c + 4))]"), std::string::npos) << s;
  EXPECT_NE(s.find("x_l[((r * 9) + (w + 7))]"), std::string::npos) << s;
  EXPECT_EQ(count(s, "simd_store("), 14u) << s;  // the block added into y_l lane by lane
}

TEST(MicroKernel, MatMulOutputRowsTakeTheBlockByVectors) {
  // for m (4) { for n (8) { for k (5) { y_l[m][n] += a_l[m][k] * b_l[0][k][n] } } }
  // (b_l: one packed block of 8 columns): y_l is contiguous along n, so the
  // block is added into it with aligned vector loads, adds and stores.
  Buffer y = make_buffer("y_l", {4, 8}, Scope::Local);
  Buffer a = make_buffer("a_l", {4, 5}, Scope::Local);
  Buffer b = make_buffer("b_l", {1, 5, 8}, Scope::Local);
  Expr m = var("m"), n = var("n"), k = var("k");
  Stmt upd = store(y, {m, n}, load(y, {m, n}) + load(a, {m, k}) * load(b, {int_imm(0), k, n}));
  Stmt s = for_loop("m", 4, ForKind::Serial,
                    for_loop("n", 8, ForKind::Serial, for_loop("k", 5, ForKind::Serial, upd)));
  CPrinter p;
  auto out = conv_microkernel(s, vector_isa(target::get_target("sw26010")), {}, p);
  ASSERT_TRUE(out);
  const std::string t = joined(*out);
  EXPECT_NE(t.find("4 x 2 floatv4 accumulators"), std::string::npos) << t;
  EXPECT_EQ(count(t, "simd_vadds("), 8u) << t;
  EXPECT_NE(t.find("simd_load(swtc_y, &y_l[(((m + 3) * 8) + (n + 4))])"), std::string::npos) << t;
  EXPECT_EQ(count(t, "swtc_t["), 0u) << t;  // no lane-by-lane write-back
}

TEST(MicroKernel, Floatv8OnThePro) {
  CPrinter p;
  auto out = conv_microkernel(nest(true, 16), vector_isa(target::get_target("sw26010pro")), {}, p);
  ASSERT_TRUE(out);
  EXPECT_NE(joined(*out).find("floatv8 accumulators"), std::string::npos);
}

TEST(MicroKernel, OtherNestsAreLeftAlone) {
  CPrinter p;
  // The weight's contiguous index is not the channel loop: no aligned vectors.
  EXPECT_FALSE(conv_microkernel(nest(false), vector_isa(target::get_target("sw26010")), {}, p));
  // Channels not a multiple of the lanes.
  EXPECT_FALSE(conv_microkernel(nest(true, 6), vector_isa(target::get_target("sw26010")), {}, p));
  // No reduction loop inside: an init or epilogue nest.
  Buffer y = make_buffer("y_l", {8, 7}, Scope::Local);
  Stmt init = for_loop("w", 7, ForKind::Serial,
                       for_loop("c", 8, ForKind::Serial, store(y, {var("c"), var("w")}, float_imm(0))));
  EXPECT_FALSE(conv_microkernel(init, vector_isa(target::get_target("sw26010")), {}, p));
}

}  // namespace
}  // namespace swtc::codegen

namespace swtc::codegen {
namespace {

// The same nest spelled for each host ISA: unaligned loads, FMAs, and a tail
// block when the register block does not divide the columns.
TEST(MicroKernel, HostSpellingsAndTail) {
  struct Row {
    const char *target, *fma, *load;
    int64_t channels;
  };
  for (const Row &r : {Row{"host-avx512", "_mm512_fmadd_ps(", "_mm512_loadu_ps(", 32},
                       Row{"host-avx2", "_mm256_fmadd_ps(", "_mm256_loadu_ps(", 16},
                       Row{"host-portable", " * swtc_w", "__builtin_memcpy(", 8}}) {
    SCOPED_TRACE(r.target);
    CPrinter p;
    // 7 columns, at most 4 accumulators: blocks of 2 or 3 columns leave a tail.
    auto out = conv_microkernel(nest(true, r.channels), vector_isa(target::get_target(r.target)), {},
                                p, 4, true);
    ASSERT_TRUE(out);
    const std::string s = joined(*out);
    EXPECT_NE(s.find(r.fma), std::string::npos) << s;
    EXPECT_NE(s.find(r.load), std::string::npos) << s;
    EXPECT_NE(s.find("micro-kernel tail"), std::string::npos) << s;
    EXPECT_EQ(s.find("simd_"), std::string::npos) << s;        // no Sunway spelling
    EXPECT_EQ(s.find("SWEMU_"), std::string::npos) << s;       // no emulator counters
  }
  // Without a tail the block divides the columns (the Sunway choice).
  CPrinter p;
  auto out = conv_microkernel(nest(), vector_isa(target::get_target("sw26010")), {}, p, 4, false);
  ASSERT_TRUE(out);
  EXPECT_EQ(joined(*out).find("micro-kernel tail"), std::string::npos);
}

TEST(MicroKernel, TailBlockCoversTheExtent) {
  // 7 columns: 6 + 1 with up to 12 accumulators and 2 vectors.
  EXPECT_EQ(microkernel_block_tail(7, 2, 12), std::make_pair(int64_t(6), int64_t(2)));
  // 64 rows, 4 vectors, 28 accumulators: 7 x 4 (9 blocks and a tail of 1).
  EXPECT_EQ(microkernel_block_tail(64, 4, 28), std::make_pair(int64_t(7), int64_t(4)));
}

}  // namespace
}  // namespace swtc::codegen

namespace swtc::codegen {
namespace {

// Pixel vectors (target::ConvVectors::Pixels): the vector axis runs along
// an output row, the input's row is read at w + kx (unaligned on the host),
// and the weight is the broadcast operand.
// for c (5) { for w (32) { for r (3) { for k (3) { y_l[c][w] += x_l[r][w + k] * w_l[r][k][c] } } } }
Stmt pixel_nest() {
  Buffer y = make_buffer("y_l", {5, 32}, Scope::Local);
  Buffer x = make_buffer("x_l", {3, 34}, Scope::Local);
  Buffer w = make_buffer("w_l", {3, 3, 5}, Scope::Local);
  Expr wv = var("w"), c = var("c"), r = var("r"), k = var("k");
  Stmt upd = store(y, {c, wv}, load(y, {c, wv}) + load(x, {r, wv + k}) * load(w, {r, k, c}));
  return for_loop("c", 5, ForKind::Serial,
                  for_loop("w", 32, ForKind::Serial,
                           for_loop("r", 3, ForKind::Serial, for_loop("k", 3, ForKind::Serial, upd))));
}

TEST(MicroKernel, PixelVectorsReadInputRowsAndBroadcastTheWeight) {
  CPrinter p;
  auto out = conv_microkernel(pixel_nest(), vector_isa(target::get_target("host-avx512")), {}, p, 28,
                              true);
  ASSERT_TRUE(out);
  const std::string s = joined(*out);
  EXPECT_NE(s.find("_mm512_loadu_ps(&x_l[((r * 34) + (w + k))])"), std::string::npos) << s;
  EXPECT_NE(s.find("(w + 16) + k"), std::string::npos) << s;  // the second vector of the row
  EXPECT_NE(s.find("w_l[((((r * 3) + k) * 5) + c)]"), std::string::npos) << s;  // broadcast
  EXPECT_NE(s.find("_mm512_storeu_ps(&y_l[((c * 32) + w)]"), std::string::npos) << s;  // by vectors
  // Sunway's loads must be aligned: a row read at w + k is not.
  EXPECT_FALSE(conv_microkernel(pixel_nest(), vector_isa(target::get_target("sw26010")), {}, p));
}

}  // namespace
}  // namespace swtc::codegen

namespace swtc::codegen {
namespace {

// A depthwise row micro-kernel: the input row moves with the block's rows
// (a = h) too, so its vectors are loaded per row; the tap is broadcast.
// for h (4) { for w (16) { for ky (3) { for kx (3) { y_l[h][w] += x_l[h + ky][w + kx] * k_l[ky][kx] } } } }
TEST(MicroKernel, DepthwiseRowsLoadTheInputPerRow) {
  Buffer y = make_buffer("y_l", {4, 16}, Scope::Local);
  Buffer x = make_buffer("x_l", {6, 18}, Scope::Local);
  Buffer k = make_buffer("k_l", {3, 3}, Scope::Local);
  Expr h = var("h"), w = var("w"), ky = var("ky"), kx = var("kx");
  Stmt upd = store(y, {h, w}, load(y, {h, w}) + load(x, {h + ky, w + kx}) * load(k, {ky, kx}));
  Stmt n = for_loop("h", 4, ForKind::Serial,
                    for_loop("w", 16, ForKind::Serial,
                             for_loop("ky", 3, ForKind::Serial, for_loop("kx", 3, ForKind::Serial, upd))));
  CPrinter p;
  auto out = conv_microkernel(n, vector_isa(target::get_target("host-avx512")), {}, p, 28, true);
  ASSERT_TRUE(out);
  const std::string s = joined(*out);
  EXPECT_NE(s.find("4 x 1 __m512 accumulators"), std::string::npos) << s;
  EXPECT_EQ(count(s, "_mm512_loadu_ps(&x_l"), 4u) << s;  // one row vector per accumulator
  EXPECT_NE(s.find("&x_l[((((h + 3) + ky) * 18) + (w + kx))]"), std::string::npos) << s;
  EXPECT_EQ(count(s, "_mm512_fmadd_ps("), 4u) << s;
}

}  // namespace
}  // namespace swtc::codegen

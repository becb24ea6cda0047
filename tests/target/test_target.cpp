// Targets: lookup, capabilities, the LDM-aware Sunway schedule and the LDM
// refusal.
#include <gtest/gtest.h>

#include "common/error.h"
#include "schedule/schedule.h"
#include "target/target.h"
#include "test_defs.h"
#include "tir/analysis.h"
#include "tir/printer.h"

namespace swtc::target {
namespace {

using schedule::ComputeDef;

TEST(Target, UnknownNameListsKnownTargets) {
  try {
    get_target("nope");
    FAIL() << "accepted an unknown target";
  } catch (const swtc::UserError &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("'nope'"), std::string::npos) << m;
    for (const auto &n : target_names()) EXPECT_NE(m.find(n), std::string::npos) << n << ": " << m;
  }
  EXPECT_EQ(target_names(), (std::vector<std::string>{"host", "host-avx512", "host-avx2",
                                                      "host-portable", "sw26010", "sw26010pro"}));
}

TEST(Target, Sw26010Capabilities) {
  Target t = get_target("sw26010");
  EXPECT_EQ(t.name, "sw26010");
  EXPECT_EQ(t.kind, Kind::Sunway);
  EXPECT_EQ(t.workers, 64);
  EXPECT_EQ(t.scratchpad_bytes, 65536);
  EXPECT_EQ(t.scratchpad_reserve, 4096);
  EXPECT_EQ(t.ldm_budget(), 65536 - 4096);
  EXPECT_TRUE(t.needs_dma);
  EXPECT_EQ(t.vector_bits, 256);
}

TEST(Target, HostTargetsHaveNoScratchpad) {
  for (const char *n : {"host", "host-avx512", "host-avx2", "host-portable"}) {
    Target t = get_target(n);
    EXPECT_EQ(t.kind, Kind::Host) << n;
    EXPECT_EQ(t.scratchpad_bytes, 0) << n;
    EXPECT_FALSE(t.needs_dma) << n;
  }
  EXPECT_TRUE(get_target("host-portable").cflags.empty());
}

// One lane count per target, and the ISA each host name stands for.
TEST(Target, LanesAndSimdDialects) {
  struct Row {
    const char *name;
    Simd simd;
    int lanes;
  };
  for (const Row &r : {Row{"host-avx512", Simd::Avx512, 16}, Row{"host-avx2", Simd::Avx2, 8},
                       Row{"host-portable", Simd::Portable, 4}, Row{"sw26010", Simd::SunwayV4, 4},
                       Row{"sw26010pro", Simd::SunwayV8, 8}}) {
    const Target t = get_target(r.name);
    EXPECT_EQ(t.simd, r.simd) << r.name;
    EXPECT_EQ(t.f32_lanes, r.lanes) << r.name;
    EXPECT_GT(t.vector_registers, 0) << r.name;
  }
  EXPECT_TRUE(runs_here(get_target("host-portable")));
  EXPECT_TRUE(runs_here(get_target("sw26010")));  // through the emulator
  // "host" is the best ISA this machine runs.
  const Target h = get_target("host");
  EXPECT_TRUE(runs_here(h));
  if (runs_here(get_target("host-avx512")))
    EXPECT_EQ(h.simd, Simd::Avx512);
  else if (runs_here(get_target("host-avx2")))
    EXPECT_EQ(h.simd, Simd::Avx2);
  else
    EXPECT_EQ(h.simd, Simd::Portable);
  EXPECT_GT(h.l1_bytes, 0);
  EXPECT_GT(h.l2_bytes, h.l1_bytes);
}

// The last conv block of ResNet-18/34: input [512,7,7], weights [512,512,3,3], pad 1.
const test::ConvCase kBig{512, 512, 7, 7, 3, 1, 1};

TEST(TargetSchedule, DefaultSunwayScheduleOfABigConvFitsLdm) {
  Target t = get_target("sw26010");
  schedule::Schedule s = default_schedule(kBig.def("layer4_conv"), t);
  tir::PrimFunc f = s.lower();
  int64_t need = tir::local_bytes(f);
  EXPECT_GT(need, 0);
  EXPECT_LE(need, t.ldm_budget());
  EXPECT_NO_THROW(check_ldm(f, t, "kernel 'layer4_conv'"));
  // The schedule distributes over CPEs and stages the output and both big inputs.
  EXPECT_EQ(s.leaves().front().kind, tir::ForKind::Cpe);
  std::string text = tir::to_text(f);
  EXPECT_NE(text.find("stage y_l"), std::string::npos);
  EXPECT_NE(text.find("stage x_l"), std::string::npos);
  EXPECT_NE(text.find("stage w_l"), std::string::npos);
  // The output is tiled into at least as many pieces as there are CPEs.
  EXPECT_GE(s.leaves().front().extent, t.workers);
}

TEST(TargetSchedule, LdmRefusal) {
  Target t = get_target("sw26010");
  // Whole rows of 7 and all 512 input channels: x box 512*3*9 floats, w box
  // 512*3*3 floats -> about 72 KB, more than the 60 KB budget.
  tir::PrimFunc f = sunway_schedule(kBig.def("layer4_conv"), 7, 512, 64).lower();
  int64_t need = tir::local_bytes(f);
  EXPECT_GT(need, t.ldm_budget());
  try {
    check_ldm(f, t, "kernel 'layer4_conv'");
    FAIL() << "a " << need << "-byte schedule was accepted";
  } catch (const swtc::UserError &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("kernel 'layer4_conv'"), std::string::npos) << m;
    EXPECT_NE(m.find(std::to_string(need) + " bytes"), std::string::npos) << m;
    EXPECT_NE(m.find("LDM"), std::string::npos) << m;
    EXPECT_NE(m.find(std::to_string(t.ldm_budget())), std::string::npos) << m;
  }
  // Host targets never refuse.
  EXPECT_NO_THROW(check_ldm(f, get_target("host-portable"), "k"));
}

TEST(TargetSchedule, LdmBytesOfSunwayScheduleMatchTheTiles) {
  // row 7, reduce 16: y 1x1x7, x 16x3x9, w 1x16x3x3 floats (each rounded to
  // 32 B); b (1 float) is read by the epilogue only, so it is staged after the
  // reduction in the LDM that x and w used.
  tir::PrimFunc f = sunway_schedule(kBig.def(), 7, 16, 64).lower();
  auto r32 = [](int64_t floats) { return (floats * 4 + 31) / 32 * 32; };
  EXPECT_EQ(tir::local_bytes(f), r32(7) + r32(16 * 3 * 9) + r32(16 * 9)) << tir::to_text(f);
  const std::string text = tir::to_text(f);
  EXPECT_LT(text.find("stage x_l"), text.find("stage b_l")) << text;
}

/// y[i] = sum_{r, q} x[r, q] with `q` huge: even one element of `r` per step
/// needs a 20000-float box.
ComputeDef huge_reduce(int64_t r_extent) {
  using namespace tir;
  ComputeDef d;
  d.name = "khuge";
  Buffer x = make_buffer("x", {r_extent, 20000});
  d.output = make_buffer("y", {4});
  d.inputs = {x};
  d.axes = {{"i", 4, false}, {"r", r_extent, true}, {"q", 20000, true}};
  d.combiner = schedule::Combiner::Sum;
  d.init = float_imm(0);
  d.value = load(x, {var("r"), var("q")});
  return d;
}

TEST(TargetSchedule, NothingFitsIsAUserError) {
  try {
    default_schedule(huge_reduce(4), get_target("sw26010"));
    FAIL() << "a schedule was found";
  } catch (const swtc::UserError &e) {
    std::string m = e.what();
    EXPECT_NE(m.find("kernel 'khuge'"), std::string::npos) << m;
    EXPECT_NE(m.find("no tiling fits the LDM of sw26010"), std::string::npos) << m;
    EXPECT_NE(m.find("80"), std::string::npos) << m;  // smallest: 20000 floats = 80000 B + ...
  }
  // On the host the same kernel is fine.
  EXPECT_NO_THROW(default_schedule(huge_reduce(4), get_target("host-portable")).lower());
}

// Regression test (was a bug found by this suite, fixed in Schedule::lower).
TEST(TargetSchedule, NothingFitsWithAnOddReduceAxisIsAUserError) {
  EXPECT_THROW(default_schedule(huge_reduce(3), get_target("sw26010")), swtc::UserError);
}

TEST(TargetSchedule, HostDefaultScheduleIsParallelAndCorrect) {
  test::ConvCase c{6, 3, 5, 6, 3, 1, 1};
  schedule::Schedule s = default_schedule(c.def(), get_target("host-portable"));
  EXPECT_EQ(s.leaves().front().kind, tir::ForKind::Parallel);
  auto data = c.data();
  test::expect_close(test::run_output(s.lower(), data), c.reference(data));
}

}  // namespace
}  // namespace swtc::target

namespace swtc::target {
namespace {
// The host's cache sizes can be given (the tile choice blocks for them).
TEST(Target, CacheSizesFromTheEnvironment) {
  ::setenv("SWTC_L2_BYTES", "262144", 1);
  EXPECT_EQ(get_target("host-portable").l2_bytes, 262144);
  ::setenv("SWTC_L2_BYTES", "lots", 1);
  EXPECT_THROW(get_target("host-portable"), swtc::UserError);
  ::unsetenv("SWTC_L2_BYTES");
  EXPECT_GT(get_target("host-portable").l2_bytes, 0);
}
}  // namespace
}  // namespace swtc::target

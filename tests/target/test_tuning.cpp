// The tile-choice interface (target/tuning.h): signatures shared by kernels
// of the same shapes, candidate lists that start with the default and only
// hold schedules that lower, and the hook that applies a choice.
#include <gtest/gtest.h>

#include "common/error.h"
#include "schedule/schedule.h"
#include "target/target.h"
#include "target/tuning.h"
#include "test_defs.h"
#include "tir/analysis.h"

namespace swtc::target {
namespace {

using schedule::ComputeDef;

/// y[n, co, oh, ow] = sum x[n, ci, oh + ry - 1, ow + rx - 1] * w[co, ci, ry, rx]
/// (3x3, pad 1, stride 1), buffer names from `prefix`.
ComputeDef conv4(const std::string &name, const std::string &prefix, int64_t co, int64_t ci,
                 int64_t h, int64_t w) {
  using namespace tir;
  ComputeDef d;
  d.name = name;
  Buffer x = make_buffer(prefix + "x", {1, ci, h, w}), wt = make_buffer(prefix + "w", {co, ci, 3, 3});
  d.output = make_buffer(prefix + "y", {1, co, h, w});
  d.inputs = {x, wt};
  d.axes = {{prefix + "n", 1, false},  {prefix + "c", co, false}, {prefix + "h", h, false},
            {prefix + "w", w, false},  {prefix + "rc", ci, true}, {prefix + "ry", 3, true},
            {prefix + "rx", 3, true}};
  Expr ih = var(prefix + "h") + var(prefix + "ry") + int_imm(-1);
  Expr iw = var(prefix + "w") + var(prefix + "rx") + int_imm(-1);
  d.combiner = schedule::Combiner::Sum;
  d.init = float_imm(0);
  d.cond = logical_and(logical_and(le(int_imm(0), ih), lt(ih, int_imm(h))),
                       logical_and(le(int_imm(0), iw), lt(iw, int_imm(w))));
  d.value = load(x, {var(prefix + "n"), var(prefix + "rc"), ih, iw}) *
            load(wt, {var(prefix + "c"), var(prefix + "rc"), var(prefix + "ry"), var(prefix + "rx")});
  d.flops_per_point = 2;
  return d;
}

std::string trace_of(const schedule::Schedule &s) {
  std::string t;
  for (const auto &l : s.trace()) t += l + "\n";
  return t;
}

TEST(Tuning, SameShapesShareASignatureWhateverTheNames) {
  const Target t = get_target("host-avx2");
  const ComputeDef a = conv4("conv_1", "a_", 32, 16, 14, 14), b = conv4("conv_9", "b_", 32, 16, 14, 14);
  const std::string sa = kernel_signature(a, t, ScheduleMode::Default, {"a_w"});
  EXPECT_EQ(sa, kernel_signature(b, t, ScheduleMode::Default, {"b_w"}));
  EXPECT_EQ(sa.size(), 17u);
  EXPECT_EQ(sa[0], 'k');
  // Another shape, another target, the weight not constant, another schedule family: another.
  EXPECT_NE(sa, kernel_signature(conv4("c", "a_", 32, 16, 14, 28), t, ScheduleMode::Default, {"a_w"}));
  EXPECT_NE(sa, kernel_signature(a, get_target("host-portable"), ScheduleMode::Default, {"a_w"}));
  EXPECT_NE(sa, kernel_signature(a, t, ScheduleMode::Default, {}));
  EXPECT_NE(sa, kernel_signature(a, t, ScheduleMode::SwtvmV1, {"a_w"}));
  EXPECT_EQ(kernel_shape_text(a, {"a_w"}), "1x32x14x14 <- 1x16x14x14,c32x16x3x3");
  EXPECT_EQ(tuning_target_name(get_target("host-avx2")), "host-avx2");
  EXPECT_EQ(tuning_target_name(get_target("sw26010")), "sw26010");
}

TEST(Tuning, CandidatesStartWithTheDefaultAndAllSchedule) {
  const ComputeDef d = conv4("conv", "", 32, 16, 14, 14);
  for (const char *tn : {"host-avx2", "host-portable", "sw26010", "sw26010pro"}) {
    const Target t = get_target(tn);
    const auto c = tile_candidates(d, t, ScheduleMode::Default, {"w"}, 8);
    ASSERT_FALSE(c.empty()) << tn;
    EXPECT_EQ(c[0], kDefaultCandidate) << tn;
    EXPECT_GE(c.size(), 3u) << tn;
    EXPECT_LE(c.size(), 8u) << tn;
    EXPECT_EQ(c, tile_candidates(d, t, ScheduleMode::Default, {"w"}, 8)) << tn;  // deterministic
    std::set<std::string> traces;
    for (const auto &cand : c) {
      const schedule::Schedule s = candidate_schedule(d, t, ScheduleMode::Default, {"w"}, cand);
      const tir::PrimFunc f = s.lower();
      if (t.scratchpad_bytes) {
        EXPECT_LE(tir::local_bytes(f), t.ldm_budget()) << tn << " " << cand;
      }
      EXPECT_TRUE(traces.insert(trace_of(s)).second) << tn << ": " << cand << " repeats a schedule";
    }
    EXPECT_EQ(trace_of(candidate_schedule(d, t, ScheduleMode::Default, {"w"}, c[0])),
              trace_of(default_schedule(d, t, ScheduleMode::Default, {"w"})));
    // A limit of one: the default only.
    EXPECT_EQ(tile_candidates(d, t, ScheduleMode::Default, {"w"}, 1),
              std::vector<std::string>{kDefaultCandidate});
  }
  // Kernels the tuner does not search (no constant weight): the default only.
  EXPECT_EQ(tile_candidates(d, get_target("host-avx2"), ScheduleMode::Default, {}, 8),
            std::vector<std::string>{kDefaultCandidate});
}

TEST(Tuning, TheHookAppliesAChoiceByTheKernelsSignature) {
  const Target t = get_target("host-avx2");
  const ComputeDef d = conv4("conv", "", 32, 16, 14, 14);
  const auto c = tile_candidates(d, t, ScheduleMode::Default, {"w"}, 4);
  ASSERT_GE(c.size(), 2u);
  TileChoices choices{{kernel_signature(d, t, ScheduleMode::Default, {"w"}), c[1]}};
  std::string used;
  const auto s = choose_schedule(d, t, ScheduleMode::Default, {"w"}, &choices, &used);
  EXPECT_EQ(used, c[1]);
  EXPECT_EQ(trace_of(s), trace_of(candidate_schedule(d, t, ScheduleMode::Default, {"w"}, c[1])));
  EXPECT_NE(trace_of(s), trace_of(default_schedule(d, t, ScheduleMode::Default, {"w"})));
  // Another kernel: untouched.
  const ComputeDef other = conv4("conv", "", 32, 16, 7, 7);
  choose_schedule(other, t, ScheduleMode::Default, {"w"}, &choices, &used);
  EXPECT_EQ(used, "");
  EXPECT_EQ(trace_of(choose_schedule(other, t, ScheduleMode::Default, {"w"}, nullptr)),
            trace_of(default_schedule(other, t, ScheduleMode::Default, {"w"})));
}

TEST(Tuning, MalformedOrMisfittingCandidatesAreNamed) {
  const Target t = get_target("host-avx2");
  const ComputeDef d = conv4("conv", "", 32, 16, 14, 14);
  for (const char *bad : {"nope", "conv/ch/1,8,2/r4", "conv/xx/1,8,2,14/r4", "conv/ch/1,8,2,14/x4",
                          "conv/ch/1,8,2,14/r0", "conv/ch/1,-8,2,14/r4", "conv/ch/1,12,2,14/r4",
                          "conv/ch/1,8,2,14/r99", "mm/1,8/r4"}) {
    try {
      candidate_schedule(d, t, ScheduleMode::Default, {"w"}, bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const swtc::UserError &e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(Tuning, ConvAlgorithmsAreAChoiceOfTheirOwn) {
  const Target t = get_target("host-avx2");
  const ComputeDef a = conv4("conv_1", "a_", 128, 128, 28, 28), b = conv4("conv_9", "b_", 128, 128, 28, 28);
  const std::string sa = conv_algorithm_signature(a, t, ScheduleMode::Default, {"a_w"});
  // Shared by Convs of the same shapes, never a kernel's signature.
  EXPECT_EQ(sa, conv_algorithm_signature(b, t, ScheduleMode::Default, {"b_w"}));
  EXPECT_EQ(sa.size(), 17u);
  EXPECT_NE(sa, kernel_signature(a, t, ScheduleMode::Default, {"a_w"}));
  EXPECT_NE(sa, conv_algorithm_signature(conv4("c", "a_", 128, 128, 14, 14), t, ScheduleMode::Default,
                                         {"a_w"}));
  // The default (the rule's m) first, then the other two.
  using V = std::vector<std::string>;
  EXPECT_EQ(conv_algorithm_candidates(t, ScheduleMode::Default, 0, 8), (V{"default", "winograd/2", "winograd/4"}));
  EXPECT_EQ(conv_algorithm_candidates(t, ScheduleMode::Default, 4, 8), (V{"default", "direct", "winograd/2"}));
  EXPECT_EQ(conv_algorithm_candidates(t, ScheduleMode::Default, 2, 2), (V{"default", "direct"}));
  EXPECT_EQ(conv_algorithm_candidates(get_target("sw26010"), ScheduleMode::Default, 0, 8), V{"default"});
  EXPECT_EQ(conv_algorithm_tile("default", 4), 4);
  EXPECT_EQ(conv_algorithm_tile("direct", 4), 0);
  EXPECT_EQ(conv_algorithm_tile("winograd/2", 0), 2);
  EXPECT_EQ(conv_algorithm_tile("winograd/4", 0), 4);
  for (const char *bad : {"winograd/3", "winograd", "conv/ch/1,8,2,14/r4", ""}) {
    try {
      conv_algorithm_tile(bad, 0);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const swtc::UserError &e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace swtc::target

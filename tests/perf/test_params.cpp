// The model's parameters: the DMA curve interpolation, the derived peaks, the
// sources, and docs/perf-model.md agreeing with the code.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "perf/params.h"

namespace swtc::perf {
namespace {

TEST(PerfParams, InterpolationHitsTablePointsExactly) {
  for (const auto *table : {&dma_table_copy(), &dma_table_triad()}) {
    Params p = sw26010();
    p.dma_table = *table;
    for (const DmaPoint &d : *table) EXPECT_EQ(p.dma_bandwidth(d.bytes), d.gbps * 1e9) << d.bytes;
  }
  // The model's default is the copy row: 8 KB -> 19.1 GB/s.
  EXPECT_EQ(sw26010().dma_bandwidth(8192), 19.1e9);
  EXPECT_EQ(sw26010().dma_bandwidth(24576), 20.4e9);
  EXPECT_EQ(sw26010().dma_bandwidth(8), 0.47e9);
}

TEST(PerfParams, InterpolationIsMonotonicAndLogLinearBetweenPoints) {
  const Params &p = sw26010();
  const auto &t = p.dma_table;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    double prev = p.dma_bandwidth(t[i].bytes);
    for (int k = 1; k < 64; ++k) {
      const double s = t[i].bytes * std::pow(t[i + 1].bytes / t[i].bytes, k / 64.0);
      const double bw = p.dma_bandwidth(s);
      EXPECT_GT(bw, prev) << s;
      EXPECT_LT(bw, t[i + 1].gbps * 1e9) << s;
      prev = bw;
    }
  }
  // Linear in log2(size): the geometric mean of 1 KB and 2 KB is halfway.
  EXPECT_NEAR(p.dma_bandwidth(std::sqrt(1024.0 * 2048.0)), (12.5e9 + 15.3e9) / 2, 1);
  // Whole range, including outside the table: never decreasing.
  double prev = 0;
  for (double s = 0.5; s < 4e6; s *= 1.07) {
    const double bw = p.dma_bandwidth(s);
    EXPECT_GE(bw, prev) << s;
    prev = bw;
  }
}

TEST(PerfParams, OutsideTheTable) {
  const Params &p = sw26010();
  // Below 8 B: latency-bound, a 64-CPE wave costs as long as one of 8 B.
  const double wave8 = 64 * 8 / p.dma_bandwidth(8);
  EXPECT_NEAR(64 * 4 / p.dma_bandwidth(4), wave8, 1e-18);
  EXPECT_NEAR(64 * 1 / p.dma_bandwidth(1), wave8, 1e-18);
  EXPECT_NEAR(wave8, 1.09e-6, 0.01e-6);  // SUNWAY.md's fit: ~1.1 us at 8-16 B
  // Above 24 KB: SUNWAY.md's fit, t(wave) = 2.8 us + 64 S / BW_inf through
  // the last point: continuous there, still rising, below BW_inf.
  const double bw_inf = 64 * 24576 / (64 * 24576 / 20.4e9 - 2.8e-6);
  EXPECT_NEAR(bw_inf, 21.17e9, 0.01e9);  // inside the fit's 21-23 GB/s
  EXPECT_NEAR(p.dma_bandwidth(24576 * (1 + 1e-9)), 20.4e9, 1e3);
  EXPECT_GT(p.dma_bandwidth(65536), 20.4e9);
  EXPECT_GT(p.dma_bandwidth(1 << 20), p.dma_bandwidth(65536));
  EXPECT_LT(p.dma_bandwidth(1 << 30), bw_inf);
  EXPECT_NEAR(64.0 * 65536 / p.dma_bandwidth(65536), 2.8e-6 + 64.0 * 65536 / bw_inf, 1e-12);
  EXPECT_THROW(p.dma_bandwidth(0), UserError);
  EXPECT_THROW(p.dma_bandwidth(-3), UserError);
  EXPECT_THROW(p.dma_bandwidth(NAN), UserError);
}

TEST(PerfParams, PeaksMatchSunwayMd) {
  const Params &a = sw26010();
  EXPECT_DOUBLE_EQ(a.cpe_peak_flops(), 11.6e9);
  EXPECT_DOUBLE_EQ(a.cg_peak_flops(), 64 * 11.6e9);
  EXPECT_DOUBLE_EQ(a.cpe_scalar_flops(), 1.45e9);
  const Params &b = sw26010_pro();
  EXPECT_NEAR(b.cg_peak_flops(), 2.3e12, 0.05e12);  // "about 2.3 TFLOPS fp64 per CG"
  EXPECT_EQ(b.ldm_bytes.value, 262144);
  EXPECT_EQ(b.simd_bits.value, 512);
  EXPECT_EQ(b.core_groups.value, 6);
  // Pro DMA: SW26010's curve at the same efficiency of 51.2 GB/s; the 65%
  // peak maps to 51.2 * 0.65.
  EXPECT_NEAR(b.dma_table_scale.value * 22.2, 51.2 * 0.65, 0.1);
  EXPECT_NEAR(b.dma_bandwidth(8192), 19.1e9 * 51.2 / 34.1, 1);
}

TEST(PerfParams, EveryParameterHasUnitAndSource) {
  for (const Params *p : {&sw26010(), &sw26010_pro()}) {
    for (const Param *q : p->all()) {
      EXPECT_FALSE(q->name.empty());
      EXPECT_FALSE(q->unit.empty()) << q->name;
      const std::string &s = q->source;
      const bool labelled = s.find("[V]") != std::string::npos || s.find("[M]") != std::string::npos ||
                            s.find("[D]") != std::string::npos ||
                            s.find("assumption") != std::string::npos ||
                            s.find("measured") != std::string::npos;
      EXPECT_TRUE(labelled) << p->target << " " << q->name << ": " << s;
    }
    EXPECT_NE(p->dma_table_source.find("[M]"), std::string::npos);
  }
  // The launch cost is derived from swCandle's measured spawn + join bound.
  EXPECT_NE(sw26010().launch_overhead_s.source.find("[D]"), std::string::npos);
  EXPECT_EQ(sw26010().launch_overhead_s.value, 25e-6);
  EXPECT_NE(sw26010().bcast_gbps.source.find("[D]"), std::string::npos);
  EXPECT_NE(sw26010().barrier_s.source.find("assumption"), std::string::npos);
  EXPECT_NE(sw26010().scalar_flops_per_cycle.source.find("assumption"), std::string::npos);
  EXPECT_NE(sw26010_pro().dma_table_scale.source.find("assumption"), std::string::npos);
}

TEST(PerfParams, LookupByTargetName) {
  EXPECT_EQ(&params_for("sw26010"), &sw26010());
  EXPECT_EQ(&params_for("sw26010-pro"), &sw26010_pro());
  try {
    params_for("host");
    FAIL();
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find("sw26010-pro"), std::string::npos);
  }
}

// docs/perf-model.md embeds params_markdown() between markers. Run with
// SWTC_UPDATE_PERF_DOC=1 to rewrite those sections from the code.
TEST(PerfParams, DocTablesMatchTheCode) {
  std::ifstream in(SWTC_PERF_DOC);
  ASSERT_TRUE(in) << SWTC_PERF_DOC;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  const bool update = std::getenv("SWTC_UPDATE_PERF_DOC") != nullptr;
  for (const Params *p : {&sw26010(), &sw26010_pro()}) {
    const std::string begin = "<!-- BEGIN GENERATED params " + p->target + " -->\n";
    const std::string end = "<!-- END GENERATED params " + p->target + " -->";
    const size_t b = doc.find(begin);
    ASSERT_NE(b, std::string::npos) << "missing marker: " << begin;
    const size_t e = doc.find(end, b);
    ASSERT_NE(e, std::string::npos) << "missing marker: " << end;
    const std::string have = doc.substr(b + begin.size(), e - b - begin.size());
    const std::string want = params_markdown(*p);
    if (update)
      doc.replace(b + begin.size(), have.size(), want);
    else
      EXPECT_EQ(have, want) << "docs/perf-model.md is stale for " << p->target
                            << "; rerun with SWTC_UPDATE_PERF_DOC=1";
  }
  if (update) std::ofstream(SWTC_PERF_DOC) << doc;
}

}  // namespace
}  // namespace swtc::perf

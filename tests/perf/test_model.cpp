// The emulator-report parser and the launch time model.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"
#include "perf/model.h"

namespace swtc::perf {
namespace {

std::string read_text(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Produced by: swtc compile build-scripts/models/conv_relu_add.onnx --target
// sw26010 -o D && make -C D emulate && SWEMU_REPORT_JSON=r.json D/conv_relu_add_emu
const std::string kFixture = std::string(SWTC_PERF_DATA_DIR) + "/conv_relu_add_emu_report.json";

// `n` CPEs (of 64) each doing `count` gets of `bytes` in total and `flops`.
Launch uniform(int n, int64_t bytes, int64_t count, int64_t flops = 0, int64_t vector_flops = 0) {
  Launch l;
  l.kernel = "k";
  l.cpes.resize(64);
  for (int i = 0; i < n; ++i) l.cpes[i] = {bytes, count, 0, 0, flops, vector_flops};
  return l;
}

TEST(PerfReport, ParsesARealEmulatorReport) {
  const std::string text = read_text(kFixture);
  ASSERT_FALSE(text.empty()) << kFixture;
  const EmulatorReport r = parse_report(text);
  const nlohmann::json j = nlohmann::json::parse(text);  // independent reading
  EXPECT_EQ(r.ldm_static_bytes, j["ldm_static_bytes"].get<int64_t>());
  EXPECT_EQ(r.ldm_budget_bytes, 61440);
  EXPECT_EQ(r.launches_dropped, 0);
  ASSERT_EQ(r.launches.size(), 2u);
  EXPECT_EQ(r.launches[0].kernel, "k000_conv_relu");
  EXPECT_EQ(r.launches[1].kernel, "k002_conv_add");
  for (size_t i = 0; i < r.launches.size(); ++i) {
    const auto &jl = j["launches"][i];
    ASSERT_EQ(r.launches[i].cpes.size(), 64u);
    EXPECT_DOUBLE_EQ(r.launches[i].host_seconds, jl["seconds"].get<double>());
    for (size_t c = 0; c < 64; ++c) {
      const CpeCounters &k = r.launches[i].cpes[c];
      EXPECT_EQ(k.get_bytes, jl["cpes"][c]["get_bytes"].get<int64_t>());
      EXPECT_EQ(k.get_count, jl["cpes"][c]["get_count"].get<int64_t>());
      EXPECT_EQ(k.put_bytes, jl["cpes"][c]["put_bytes"].get<int64_t>());
      EXPECT_EQ(k.put_count, jl["cpes"][c]["put_count"].get<int64_t>());
      EXPECT_EQ(k.flops, jl["cpes"][c]["flops"].get<int64_t>());
      EXPECT_EQ(k.vector_flops, 0);
      EXPECT_GT(k.get_count, 0);  // every CPE at least fetches its arguments
    }
  }
}

TEST(PerfReport, RoundTripIsByteIdentical) {
  const std::string text = read_text(kFixture);
  const EmulatorReport r = parse_report(text);
  EXPECT_EQ(report_to_json(r), text);
  EXPECT_EQ(parse_report(report_to_json(r)), r);
}

TEST(PerfReport, RoundTripOfHandMadeReport) {
  EmulatorReport r;
  r.ldm_static_bytes = 896;
  r.ldm_budget_bytes = 61440;
  r.launches_dropped = 3;
  Launch l = uniform(64, 4096, 4, 100, 64);
  l.kernel = "odd \"name\"\\ with\ttab";
  l.host_seconds = 1.25e-4;
  l.ldm_used_bytes = 1060;  // observed LDM use; absent (-1) in the second launch
  r.launches = {l, uniform(3, 8, 1)};
  const std::string text = report_to_json(r);
  EXPECT_NE(text.find("\"vector_flops\":64"), std::string::npos);
  EXPECT_NE(text.find("\"ldm_used_bytes\":1060,"), std::string::npos);
  EXPECT_EQ(text.find("\"ldm_used_bytes\":-1"), std::string::npos);
  EXPECT_EQ(predict(l, sw26010()).ldm_used_bytes, 1060);
  EXPECT_NE(text.find("\\u0009"), std::string::npos);
  EXPECT_EQ(parse_report(text), r);
  EXPECT_EQ(read_report_file(kFixture), parse_report(read_text(kFixture)));
  EXPECT_THROW(read_report_file("/nonexistent/r.json"), UserError);
}

TEST(PerfReport, BadJsonIsUserError) {
  const std::string cpe = R"({"get_bytes":8,"get_count":1,"put_bytes":0,"put_count":0,"flops":0})";
  auto with_cpe = [](const std::string &c) {
    return R"({"ldm_static_bytes":0,"launches":[{"kernel":"k","seconds":0,"cpes":[)" + c + "]}]}";
  };
  ASSERT_NO_THROW(parse_report(with_cpe(cpe)));
  const std::vector<std::string> bad = {
      "",
      "not json",
      "{\"ldm_static_bytes\":0,\"launches\":[",  // truncated
      "[]",
      "{\"launches\":[]}",                                   // no ldm_static_bytes
      "{\"ldm_static_bytes\":0}",                            // no launches
      "{\"ldm_static_bytes\":0,\"launches\":{}}",            // launches not an array
      "{\"ldm_static_bytes\":-1,\"launches\":[]}",           // negative
      "{\"ldm_static_bytes\":1.5,\"launches\":[]}",          // not an integer
      R"({"ldm_static_bytes":0,"launches":[{"kernel":"k","seconds":0,"cpes":[]}]})",
      R"({"ldm_static_bytes":0,"launches":[{"kernel":7,"seconds":0,"cpes":[)" + cpe + "]}]}",
      R"({"ldm_static_bytes":0,"launches":[{"kernel":"k","seconds":"x","cpes":[)" + cpe + "]}]}",
      R"({"ldm_static_bytes":0,"launches":[{"kernel":"k","cpes":[)" + cpe + "]}]}",
      with_cpe("7"),
      with_cpe(R"({"get_bytes":8,"get_count":1,"put_bytes":0,"put_count":0})"),
      with_cpe(R"({"get_bytes":"8","get_count":1,"put_bytes":0,"put_count":0,"flops":0})"),
      with_cpe(R"({"get_bytes":8,"get_count":0,"put_bytes":0,"put_count":0,"flops":0})"),
      with_cpe(R"({"get_bytes":0,"get_count":0,"put_bytes":0,"put_count":2,"flops":0})"),
      with_cpe(R"({"get_bytes":8,"get_count":1,"put_bytes":0,"put_count":0,"flops":-4})"),
      with_cpe(R"({"get_bytes":8,"get_count":1,"put_bytes":0,"put_count":0,"flops":4,"vector_flops":8})"),
  };
  for (const std::string &b : bad) EXPECT_THROW(parse_report(b), UserError) << b;
  try {
    parse_report(with_cpe(R"({"get_bytes":8,"get_count":1,"put_bytes":0,"put_count":0})"));
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find("\"flops\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CPE 0"), std::string::npos) << e.what();
  }
}

TEST(PerfPredict, BroadcastsReadMainMemoryOnceAndBarriersAdd) {
  const Params &p = sw26010();
  // CPE 0 broadcasts 16 blocks of 8 KB to all; every CPE passes 32 barriers.
  Launch l = uniform(64, 0, 0);
  l.cpes[0].bcast_count = 16;
  l.cpes[0].bcast_bytes = 16 * 8192;
  for (auto &c : l.cpes) c.syn_count = 32;
  const KernelPrediction k = predict(l, p);
  const double bcast = 16 * 0.3e-6 + 16 * 8192 / 7.5e9;  // SUNWAY.md [D] figures
  EXPECT_NEAR(k.bcast_s, bcast, 1e-15);
  EXPECT_NEAR(k.dma_s, bcast, 1e-15);
  EXPECT_EQ(k.dma_bytes, 0);  // broadcasts are counted apart from gets and puts
  EXPECT_EQ(k.bcast_bytes, 16 * 8192);
  EXPECT_EQ(k.bcast_count, 16);
  EXPECT_NEAR(k.barrier_s, 32 * p.barrier_s.value, 1e-15);
  EXPECT_NEAR(k.seconds_overlap, bcast + k.barrier_s + 25e-6, 1e-15);
  // The same bytes fetched by all 64 CPEs in PE_MODE cost far more.
  const KernelPrediction pe = predict(uniform(64, 16 * 8192, 16), p);
  EXPECT_GT(pe.dma_s, 10 * k.dma_s);
  // Round trip through the JSON form.
  EmulatorReport r;
  r.launches = {l};
  EXPECT_EQ(parse_report(report_to_json(r)), r);
  EXPECT_NE(report_to_json(r).find("\"bcast_count\":16,\"bcast_bytes\":131072,\"syn_count\":32"),
            std::string::npos);
}

TEST(PerfPredict, SixtyFourCpesOneTransferOf8KB) {
  const Params &p = sw26010();
  const KernelPrediction k = predict(uniform(64, 8192, 1), p);
  const double want = 64 * 8192 / 19.1e9;  // SUNWAY.md copy row at 8 K
  EXPECT_NEAR(k.dma_s, want, want * 1e-12);
  EXPECT_EQ(k.dma_s, k.dma_shared_s);
  EXPECT_EQ(k.compute_s, 0);
  EXPECT_EQ(k.dma_bytes, 64 * 8192);
  EXPECT_EQ(k.dma_transfers, 64);
  EXPECT_NEAR(k.seconds_overlap, want + 25e-6, 1e-15);  // launch: SUNWAY.md's ~25 us
  EXPECT_NEAR(k.seconds_no_overlap, want + 25e-6, 1e-15);
  EXPECT_TRUE(k.dma_bound);
  EXPECT_EQ(k.busy_cpes, 64);
  // The same with puts instead of gets, or split between them.
  Launch l = uniform(64, 0, 0);
  for (auto &c : l.cpes) c = {4096, 1, 4096, 1, 0, 0};  // two transfers of 4 KB
  EXPECT_NEAR(predict(l, p).dma_s, 64 * 8192 / 18.4e9, 1e-15);
}

TEST(PerfPredict, StridedDescriptorsCostByBlockSize) {
  const Params &p = sw26010();
  // One strided descriptor of 32 blocks of 256 B per CPE: SUNWAY.md's strided
  // figure at 256 B (7.9 GB/s, lower end), not the contiguous curve at 8 KB.
  Launch l = uniform(64, 0, 0);
  for (auto &c : l.cpes) {
    c = {8192, 1, 0, 0, 0, 0};
    c.stride_count = 1;
    c.stride_blocks = 32;
    c.stride_bytes = 8192;
  }
  const double want = 64 * 8192 / 7.9e9;
  EXPECT_NEAR(predict(l, p).dma_s, want, want * 1e-12);
  // Better than 32 contiguous transfers of 256 B (5.99 GB/s), worse than one of 8 KB.
  EXPECT_LT(predict(l, p).dma_s, predict(uniform(64, 8192, 32), p).dma_s);
  EXPECT_GT(predict(l, p).dma_s, predict(uniform(64, 8192, 1), p).dma_s);
  // Mixed: the contiguous rest at its own mean size.
  for (auto &c : l.cpes) {
    c.get_bytes += 4096;
    c.get_count += 2;
  }
  const double mixed = want + 64 * 4096 / 15.3e9;  // two transfers of 2 KB
  EXPECT_NEAR(predict(l, p).dma_s, mixed, mixed * 1e-12);
  // The counters survive the JSON round trip; inconsistent ones are refused.
  EmulatorReport r;
  r.launches = {l};
  r.launches[0].kernel = "k";
  EXPECT_EQ(parse_report(report_to_json(r)), r);
  std::string bad = report_to_json(r);
  bad.replace(bad.find("\"stride_blocks\":32"), 18, "\"stride_blocks\":0");
  EXPECT_THROW(parse_report(bad), UserError);
  EXPECT_GT(p.dma_stride_bandwidth(8192), p.dma_stride_bandwidth(1024));
  EXPECT_THROW(p.dma_stride_bandwidth(0), UserError);
}

TEST(PerfPredict, TransferSizeHistogramChargesEachBinAtItsOwnSize) {
  const Params &p = sw26010();
  // Every CPE: one get of 8 B and one of 24 KB. The mean charges both at the
  // bandwidth of 12292 B; the histogram each at its own size's.
  Launch l = uniform(64, 8 + 24576, 2);
  const double mean_s = predict(l, p).dma_s;
  EXPECT_NEAR(mean_s, 64 * 24584 / p.dma_bandwidth(12292), mean_s * 1e-12);
  for (auto &c : l.cpes) c.size_hist = {{3, 1, 8}, {14, 1, 24576}};
  const double want = 64 * (8 / 0.47e9 + 24576 / 20.4e9);  // SUNWAY.md copy row at 8 B, 24 K
  EXPECT_NEAR(predict(l, p).dma_s, want, want * 1e-12);
  EXPECT_NEAR(cpe_dma_seconds(l.cpes[0], p) * 64, want, want * 1e-12);
  // At these sizes a transfer's cost (latency + bytes) is concave in its
  // size: charging the mix at its mean size overcharges it.
  EXPECT_LT(predict(l, p).dma_s, mean_s);
  // 100 tiny transfers beside one large: the mean (251 B) charged the large
  // one at the small transfers' bandwidth; the bins do not.
  Launch m = uniform(64, 800 + 24576, 101);
  const double m_mean = predict(m, p).dma_s;
  for (auto &c : m.cpes) c.size_hist = {{3, 100, 800}, {14, 1, 24576}};
  const double m_hist = 64 * (800 / 0.47e9 + 24576 / 20.4e9);
  EXPECT_NEAR(predict(m, p).dma_shared_s, m_hist, m_hist * 1e-12);
  EXPECT_LT(m_hist, 0.7 * m_mean);
  // One size only: the histogram gives the mean-size prediction.
  Launch u = uniform(64, 4 * 2048, 4);
  const double u_mean = predict(u, p).dma_s;
  for (auto &c : u.cpes) c.size_hist = {{11, 4, 4 * 2048}};
  EXPECT_NEAR(predict(u, p).dma_s, u_mean, u_mean * 1e-12);
  // Strided: each bin of block sizes at its own strided bandwidth; the
  // contiguous part without a histogram at its mean size.
  Launch s = uniform(64, 0, 0);
  for (auto &c : s.cpes) {
    c = {8192 + 8192 + 1024, 3, 0, 0, 0, 0};
    c.stride_count = 2;
    c.stride_blocks = 32 + 2;
    c.stride_bytes = 16384;
  }
  const double s_mean = predict(s, p).dma_s;
  EXPECT_NEAR(s_mean, 64 * (16384 / p.dma_stride_bandwidth(16384.0 / 34) + 1024 / 12.5e9),
              s_mean * 1e-12);
  for (auto &c : s.cpes) c.block_hist = {{8, 32, 8192}, {12, 2, 8192}};
  const double s_hist = 64 * (8192 / 7.9e9 + 8192 / p.dma_stride_bandwidth(4096) + 1024 / 12.5e9);
  EXPECT_NEAR(predict(s, p).dma_s, s_hist, s_hist * 1e-12);
  // Histograms survive the JSON round trip; inconsistent ones are refused.
  EmulatorReport r;
  r.launches = {l, s};
  r.launches[1].kernel = "s";
  const std::string text = report_to_json(r);
  EXPECT_NE(text.find("\"size_hist\":[[3,1,8],[14,1,24576]]"), std::string::npos);
  EXPECT_NE(text.find("\"block_hist\":[[8,32,8192],[12,2,8192]]"), std::string::npos);
  EXPECT_EQ(parse_report(text), r);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"[[3,1,8],[14,1,24576]]", "[[3,1,8],[14,1,24575]]"},   // bytes do not sum to the totals
      {"[[3,1,8],[14,1,24576]]", "[[3,1,8]]"},                // sums to less than the totals
      {"[[3,1,8],[14,1,24576]]", "[[14,1,24576],[3,1,8]]"},   // not in increasing order
      {"[[3,1,8],[14,1,24576]]", "[[3,1,8],[20,1,24576]]"},   // bin out of range
      {"[[3,1,8],[14,1,24576]]", "[[4,1,8],[14,1,24576]]"},   // 8 B is not in [16, 32)
      {"[[3,1,8],[14,1,24576]]", "[[3,1,8],[14,1]]"},         // not [bin, count, bytes]
      {"[[8,32,8192],[12,2,8192]]", "[[8,31,8192],[12,2,8192]]"},  // blocks do not sum to the totals
      {"[[8,32,8192],[12,2,8192]]", "{}"},
  };
  for (const auto &[from, to] : bad) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    EXPECT_THROW(parse_report(t), UserError) << to;
  }
}

TEST(PerfPredict, MoreTransfersOfTheSameBytesTakeLonger) {
  const Params &p = sw26010();
  for (int cpes : {1, 8, 64}) {
    double prev = 0;
    for (int64_t n = 1; n <= 65536; n *= 2) {
      const double t = predict(uniform(cpes, 65536, n), p).seconds_overlap;
      EXPECT_GT(t, prev) << cpes << " CPEs, " << n << " transfers";
      prev = t;
    }
  }
}

TEST(PerfPredict, OverlapNeverExceedsNoOverlap) {
  std::vector<Launch> ls = parse_report([] {
                             std::ifstream in(kFixture);
                             std::stringstream ss;
                             ss << in.rdbuf();
                             return ss.str();
                           }()).launches;
  for (int64_t f : {0, 1000, 1000000, 100000000})
    for (int64_t b : {8, 1000, 1 << 20}) ls.push_back(uniform(64, b, 3, f, f / 2));
  ls.push_back(uniform(1, 8, 1));
  for (const Params *p : {&sw26010(), &sw26010_pro()})
    for (const Launch &l : ls)
      for (double ov : {-1.0, 0.0, 1e6, 1e9}) {
        const KernelPrediction k = predict(l, *p, ov);
        EXPECT_LE(k.seconds_overlap, k.seconds_no_overlap);
        EXPECT_GE(k.seconds_overlap, std::max(k.compute_s, k.dma_s));
        EXPECT_NEAR(k.seconds_no_overlap, k.compute_s + k.dma_s + k.launch_s, 1e-15);
        EXPECT_GE(k.seconds_overlap, p->launch_overhead_s.value);
      }
}

TEST(PerfPredict, ComputeIsTheSlowestCpeAtVectorAndScalarRates) {
  const Params &p = sw26010();
  Launch l = uniform(64, 1024, 1, 1000);
  l.cpes[5].flops = 1450000;          // 1 ms of scalar work at 1.45 Gflop/s
  l.cpes[9] = {1024, 1, 0, 0, 11600000, 11600000};  // 1 ms of vector work at 11.6 Gflop/s
  const KernelPrediction k = predict(l, p);
  EXPECT_NEAR(k.compute_s, 1e-3, 1e-12);
  EXPECT_DOUBLE_EQ(k.flops, 62 * 1000.0 + 1450000 + 11600000);
  EXPECT_FALSE(k.dma_bound);
  EXPECT_NEAR(k.seconds_overlap, 1e-3 + 25e-6, 1e-12);
  EXPECT_NEAR(k.seconds_no_overlap, 1e-3 + k.dma_s + 25e-6, 1e-12);
  l.cpes[9].vector_flops = 5800000;  // half of it scalar: 0.5 ms + 4 ms
  EXPECT_NEAR(predict(l, p).compute_s, 0.5e-3 + 4e-3, 1e-12);
}

TEST(PerfPredict, FlopsOverrideIsSpreadOverTheCpesThatDidDma) {
  const Params &p = sw26010();
  const Launch l = uniform(16, 4096, 2);  // 16 CPEs busy, no counted flops
  EXPECT_EQ(predict(l, p).compute_s, 0);
  const double f = 16 * 1.45e6;  // 1 ms per CPE, scalar
  KernelPrediction k = predict(l, p, f);
  EXPECT_NEAR(k.compute_s, 1e-3, 1e-12);
  EXPECT_EQ(k.flops, f);
  EXPECT_EQ(k.busy_cpes, 16);
  EXPECT_NEAR(predict(l, p, f, 1.0).compute_s, 1e-3 / 8, 1e-12);  // all SIMD: 8x faster
  EXPECT_NEAR(predict(l, p, f, 0.5).compute_s, 0.5e-3 + 0.5e-3 / 8, 1e-12);
  // Override wins over counted flops; no DMA at all -> spread over all CPEs.
  EXPECT_NEAR(predict(uniform(64, 0, 0, 999), p, 64 * 1.45e6).compute_s, 1e-3, 1e-12);
  EXPECT_THROW(predict(l, p, f, 1.5), UserError);
  EXPECT_THROW(predict(l, p, f, -0.1), UserError);
  EXPECT_THROW(predict(l, p, INFINITY), UserError);
}

TEST(PerfPredict, GflopsAndFractionOfPeak) {
  const Params &p = sw26010();
  // 64 CPEs x 11.6e6 vector flops = 1 ms at peak; tiny DMA.
  const KernelPrediction k = predict(uniform(64, 64, 1, 11600000, 11600000), p);
  EXPECT_NEAR(k.compute_s, 1e-3, 1e-12);
  EXPECT_NEAR(k.gflops_overlap, 64 * 11.6e6 / (1e-3 + 25e-6) / 1e9, 1e-6);
  EXPECT_NEAR(k.peak_fraction_overlap, 1e-3 / (1e-3 + 25e-6), 1e-9);
  EXPECT_LT(k.peak_fraction_no_overlap, k.peak_fraction_overlap);
  EXPECT_LT(k.peak_fraction_overlap, 1.0);
}

TEST(PerfPredict, LatencyFloorWhenFewCpesDoDma) {
  const Params &p = sw26010();
  // One CPE, 1000 transfers of 8 B: the shared-engine term alone would say
  // 17 ns per transfer; the floor says one latency each.
  const KernelPrediction k = predict(uniform(1, 8000, 1000), p);
  EXPECT_NEAR(k.dma_shared_s, 8000 / 0.47e9, 1e-15);
  EXPECT_NEAR(k.dma_floor_s, 1000 * 1e-6, 1e-12);
  EXPECT_EQ(k.dma_s, k.dma_floor_s);
  // With all 64 CPEs the measured curve already contains the latency.
  const KernelPrediction all = predict(uniform(64, 8000, 1000), p);
  EXPECT_EQ(all.dma_s, all.dma_shared_s);
}

TEST(PerfPredict, BadLaunchesAreUserErrors) {
  Launch none;
  none.kernel = "k";
  EXPECT_THROW(predict(none, sw26010()), UserError);
  Launch many = uniform(64, 8, 1);
  many.cpes.resize(65);
  EXPECT_THROW(predict(many, sw26010()), UserError);
  Launch few = uniform(4, 8, 1);
  few.cpes.resize(4);
  EXPECT_NO_THROW(predict(few, sw26010()));
}

TEST(PerfPredict, ProIsFasterThanSw26010) {
  const Launch l = uniform(64, 8192, 4, 1000000);
  EXPECT_LT(predict(l, sw26010_pro()).seconds_overlap, predict(l, sw26010()).seconds_overlap);
  EXPECT_LT(predict(l, sw26010_pro()).dma_s, predict(l, sw26010()).dma_s);
}

TEST(PerfPredict, WholeReportSumsItsLaunches) {
  const EmulatorReport r = read_report_file(kFixture);
  const Params &p = sw26010();
  const ReportPrediction none = predict_report(r, p);
  ASSERT_EQ(none.launches.size(), 2u);
  EXPECT_EQ(none.target, "sw26010");
  EXPECT_EQ(none.flops, 0);  // a report from before the emulator counted flops
  double s = 0;
  int64_t bytes = 0;
  for (const auto &k : none.launches) {
    s += k.seconds_overlap;
    bytes += k.dma_bytes;
    EXPECT_TRUE(k.dma_bound);
  }
  EXPECT_DOUBLE_EQ(none.seconds_overlap, s);
  EXPECT_EQ(none.dma_bytes, bytes);
  // Replaced flop counts (what-if), by kernel name.
  const ReportPrediction with = predict_report(r, p, {{"k000_conv_relu", 1e6}});
  EXPECT_EQ(with.launches[0].flops, 1e6);
  EXPECT_EQ(with.launches[1].flops, 0);
  EXPECT_GE(with.seconds_overlap, none.seconds_overlap);
  EXPECT_THROW(predict_report(r, p, {{"k000_conv_relu", -5}}), UserError);
}

TEST(PerfCoreGroups, ReportPaths) {
  EXPECT_EQ(core_group_report_path("d/r.json", 2), "d/r.cg2.json");
  EXPECT_EQ(core_group_report_path("d/r", 0), "d/r.cg0");
  EXPECT_EQ(core_group_report_path("d/r.json", -1), "d/r.json");
  EXPECT_EQ(core_group_report_path(".json", 1), ".cg1.json");
}

TEST(PerfCoreGroups, ReadsOneReportPerCoreGroup) {
  const std::string dir = ::testing::TempDir();
  EmulatorReport r = read_report_file(kFixture);
  for (int k = 0; k < 3; ++k) {
    r.core_group = k;
    std::ofstream(core_group_report_path(dir + "/cg.json", k)) << report_to_json(r);
  }
  const std::vector<EmulatorReport> rs = read_core_group_reports(dir + "/cg.json", 3);
  ASSERT_EQ(rs.size(), 3u);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(rs[k].core_group, k);
  EXPECT_EQ(parse_report(report_to_json(rs[1])), rs[1]);  // round trip keeps the field
  EXPECT_NE(report_to_json(rs[1]).find("\"core_group\":1,"), std::string::npos);
  EXPECT_THROW(read_core_group_reports(dir + "/cg.json", 4), UserError);  // no cg3
  EXPECT_EQ(read_core_group_reports(kFixture, 1).size(), 1u);
  // A file of the wrong core group.
  r.core_group = 0;
  std::ofstream(core_group_report_path(dir + "/bad.json", 1)) << report_to_json(r);
  std::ofstream(core_group_report_path(dir + "/bad.json", 0)) << report_to_json(r);
  EXPECT_THROW(read_core_group_reports(dir + "/bad.json", 2), UserError);
}

TEST(PerfCoreGroups, TimesAreTheSlowestCoreGroupsCountsAreSummed) {
  const Params &p = sw26010();
  EmulatorReport fast, slow;
  Launch a = uniform(64, 8192, 4, 100000, 80000), b = uniform(64, 2048, 2);
  a.kernel = "a";
  b.kernel = "b";
  fast.launches = {a, b};
  Launch a2 = uniform(64, 16384, 8, 100000, 80000);  // more DMA in layer a
  a2.kernel = "a";
  Launch b2 = uniform(32, 2048, 2);  // fewer CPEs busy in layer b
  b2.kernel = "b";
  slow.launches = {a2, b2};
  const CoreGroupsPrediction c = predict_core_groups({fast, slow}, p);
  ASSERT_EQ(c.per_cg.size(), 2u);
  ASSERT_EQ(c.combined.launches.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const KernelPrediction &k = c.combined.launches[i];
    const KernelPrediction &f = c.per_cg[0].launches[i], &s = c.per_cg[1].launches[i];
    EXPECT_DOUBLE_EQ(k.seconds_overlap, std::max(f.seconds_overlap, s.seconds_overlap));
    EXPECT_DOUBLE_EQ(k.seconds_no_overlap, std::max(f.seconds_no_overlap, s.seconds_no_overlap));
    EXPECT_EQ(k.dma_bytes, f.dma_bytes + s.dma_bytes);
    EXPECT_EQ(k.dma_transfers, f.dma_transfers + s.dma_transfers);
    EXPECT_DOUBLE_EQ(k.flops, f.flops + s.flops);
    EXPECT_DOUBLE_EQ(k.peak_fraction_overlap, k.flops / k.seconds_overlap / (2 * p.cg_peak_flops()));
  }
  EXPECT_DOUBLE_EQ(c.combined.seconds_overlap,
                   std::max(c.per_cg[0].seconds_overlap, c.per_cg[1].seconds_overlap));
  EXPECT_EQ(c.combined.dma_bytes, c.per_cg[0].dma_bytes + c.per_cg[1].dma_bytes);
  // Identical core groups: the time of one, the counts of all.
  const CoreGroupsPrediction same = predict_core_groups({fast, fast, fast, fast}, p);
  const ReportPrediction one = predict_report(fast, p);
  EXPECT_DOUBLE_EQ(same.combined.seconds_overlap, one.seconds_overlap);
  EXPECT_EQ(same.combined.dma_bytes, 4 * one.dma_bytes);
  EXPECT_DOUBLE_EQ(same.combined.flops, 4 * one.flops);
  // Different launch sequences, or none, are errors.
  EmulatorReport other = fast;
  other.launches.pop_back();
  EXPECT_THROW(predict_core_groups({fast, other}, p), UserError);
  EXPECT_THROW(predict_core_groups({}, p), UserError);
}

}  // namespace
}  // namespace swtc::perf

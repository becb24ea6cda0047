// The same emulator reports predicted with their transfer-size histograms and
// without them (each CPE's mean transfer size), sw26010 (docs/perf-model.md).
//
//   g++ -std=c++20 -O1 -Isrc bench/hist_vs_mean.cpp build/src/perf/libswtc_perf.a -o /tmp/hist_vs_mean
//   swtc profile MODEL.onnx --target sw26010 --work-dir W    # leaves W/swemu_report.json
//   /tmp/hist_vs_mean W/swemu_report.json ...
#include <cstdio>

#include "perf/model.h"

using namespace swtc::perf;

int main(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    EmulatorReport r = read_report_file(argv[i]);
    const ReportPrediction bins = predict_report(r, sw26010());
    for (Launch &l : r.launches)
      for (CpeCounters &c : l.cpes) {
        c.size_hist.clear();
        c.block_hist.clear();
      }
    const ReportPrediction mean = predict_report(r, sw26010());
    std::printf("%s: MODEL PREDICTION, sum over launches: DMA overlapped %.3f ms (bins) vs %.3f ms "
                "(mean size); not overlapped %.3f vs %.3f; DMA %.3f vs %.3f\n",
                argv[i], bins.seconds_overlap * 1e3, mean.seconds_overlap * 1e3,
                bins.seconds_no_overlap * 1e3, mean.seconds_no_overlap * 1e3, bins.dma_s * 1e3,
                mean.dma_s * 1e3);
  }
  return 0;
}

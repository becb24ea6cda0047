#include "perf/params.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/error.h"

namespace swtc::perf {

namespace {

const char *kDmaSource =
    "[M] SUNWAY.md, 'DMA bandwidth per core group, 64 CPEs at once, each doing blocking "
    "transfers of S bytes' (STREAM over athread DMA, swCandle memory/stream_sw/PE/PE_CONT/; "
    "get and put bytes counted together)";

// The copy row is the model's default: it is the lower of the two measured
// rows (a conservative model does not flatter a schedule), and its 1:1
// get:put mix of equal-sized transfers is the simplest reading of "a transfer
// of S bytes". Kernels that read much more than they write (conv, gemm) sit
// between copy and triad; triad is up to ~40% higher at 128-512 B and ~5-10%
// higher at >= 4 KB.
std::vector<DmaPoint> make_copy() {
  return {{8, 0.47},     {32, 1.33},    {64, 1.86},    {128, 2.95},
          {256, 5.99},   {512, 8.78},   {1024, 12.5},  {2048, 15.3},
          {4096, 18.4},  {8192, 19.1},  {24576, 20.4}};
}

std::vector<DmaPoint> make_triad() {
  return {{8, 0.56},     {32, 1.66},    {64, 2.37},    {128, 4.01},
          {256, 8.28},   {512, 11.7},   {1024, 14.8},  {2048, 18.0},
          {4096, 20.3},  {8192, 21.3},  {24576, 22.3}};
}

// SUNWAY.md's strided-DMA measurement [M]: one descriptor, bsize bytes per
// block; "64 B -> 2.7-3.3 GB/s, 256 B -> 7.9-9.2, 1 KB -> 14.5-15.8, 8 KB ->
// 19.3-19.7". The model takes the lower end of each range.
const char *kDmaStrideSource =
    "[M] SUNWAY.md, 'Strided DMA (one descriptor, bsize bytes per block): bandwidth depends on "
    "bsize, not on the stride'; lower end of each measured range";
std::vector<DmaPoint> make_stride() { return {{64, 2.7}, {256, 7.9}, {1024, 14.5}, {8192, 19.3}}; }

void check_table(const std::vector<DmaPoint> &t) {
  SWTC_CHECK(!t.empty(), "empty DMA table");
  for (size_t i = 0; i < t.size(); ++i) {
    SWTC_CHECK(t[i].bytes > 0 && t[i].gbps > 0, "DMA table point ", i);
    if (i > 0)
      SWTC_CHECK(t[i].bytes > t[i - 1].bytes && t[i].gbps > t[i - 1].gbps,
                 "DMA table must increase in size and bandwidth at point ", i);
  }
}

Params make_sw26010() {
  Params p;
  p.target = "sw26010";
  p.clock_hz = {"clock_hz", 1.45e9, "Hz", "[V] SUNWAY.md: SW26010 runs at 1.45 GHz"};
  p.vector_flops_per_cycle = {
      "vector_flops_per_cycle", 8, "flop/cycle/CPE",
      "[V] SUNWAY.md: 8 flop/cycle per CPE (256-bit SIMD with FMA), 11.6 GFLOPS per CPE; "
      "single precision (floatv4) at the same rate. Core-group peak here is the 64 CPEs' "
      "742.4 GFLOPS (SUNWAY.md's ~765 includes the MPE)"};
  p.scalar_flops_per_cycle = {
      "scalar_flops_per_cycle", 1, "flop/cycle/CPE",
      "assumption: non-vector code issues one scalar FP instruction per cycle on the one "
      "in-order FP pipeline (SUNWAY.md), no credit for FMA contraction, the ~7-cycle FP "
      "latency hidden by independent iterations; = peak/8. Plausible range 2/7 (one "
      "dependent FMA chain) to 2 (an FMA every cycle)"};
  p.vector_mem_per_cycle = {
      "vector_mem_per_cycle", 1, "access/cycle/CPE",
      "[D] SUNWAY.md: one in-order memory pipeline beside the FP one, LDM 32 B/cycle: one "
      "256-bit load or store per cycle; assumption: a simd_set broadcast of one float costs "
      "one access, a gather one per lane"};
  p.cpes_per_cg = {"cpes_per_cg", 64, "CPEs",
                   "[V] SUNWAY.md: 64 CPEs (8x8 mesh) per core group, one memory controller"};
  p.core_groups = {"core_groups", 4, "CGs/chip",
                   "[V] SUNWAY.md: 4 core groups per chip (informative; the model is per CG)"};
  p.ldm_bytes = {"ldm_bytes", 65536, "bytes/CPE", "[V] SUNWAY.md: 64 KB LDM per CPE (informative)"};
  p.simd_bits = {"simd_bits", 256, "bits", "[V] SUNWAY.md: 256-bit SIMD (informative)"};
  p.mem_peak_gbps = {"mem_peak_gbps", 34.1, "GB/s/CG",
                     "[V] SUNWAY.md: 34.1 GB/s theoretical per CG (informative; the model "
                     "uses the measured curve)"};
  p.launch_overhead_s = {
      "launch_overhead_s", 25e-6, "s/launch",
      "[D] SUNWAY.md, 'Broadcast DMA and kernel launch': swCandle's BCAST_CONT runs [M] "
      "take at least 31 us for one athread_spawn + athread_join plus 20 broadcasts of 8 B "
      "(minimum over 10 runs), so one launch costs <= 31 us; SUNWAY.md derives ~25-30 us "
      "per launch. The lower end: the rest of the 31 us is the 20 tiny broadcasts"};
  p.dma_transfer_latency_s = {
      "dma_transfer_latency_s", 1e-6, "s/transfer",
      "assumption: uncontended single-CPE DMA latency is not public (SUNWAY.md); the "
      "64-CPE figure at 8-16 B (~1.1 us, [D], latency-bound) rounded down. Used only as a "
      "per-CPE floor (transfers x latency), which binds when few CPEs do DMA"};
  p.dma_table_scale = {"dma_table_scale", 1.0, "x",
                       "the measured SW26010 curve is used as is"};
  p.dma_wave_overhead_s = {
      "dma_wave_overhead_s", 2.8e-6, "s/wave",
      "[D] SUNWAY.md's fit: a blocking transfer with all 64 CPEs active costs ~2.8 us + "
      "64 S / (21-23 GB/s) for S >= 2 KB; used only above the table's largest size"};
  p.bcast_latency_s = {
      "bcast_latency_s", 0.3e-6, "s/broadcast",
      "[D] SUNWAY.md, swCandle BCAST_CONT [M]: 20 broadcasts of 8 B plus one spawn + join "
      "take 31 us; with launch_overhead_s = 25 us the 20 tiny broadcasts take 6 us, 0.3 us "
      "each (the broadcast's fixed cost)"};
  p.bcast_gbps = {
      "bcast_gbps", 7.5, "GB/s",
      "[D] SUNWAY.md: a broadcast of S >= 8 KB costs ~S / (7.5-12 GB/s) on the memory side "
      "(24 KB: 2.0 us one at a time, 3.3 us with two in flight); the lower end. With "
      "bcast_latency_s: 2 KB -> 0.57 us (measured <= 0.25 + 0.3), 8 KB -> 1.4 us (measured "
      "0.5 + 0.3), 24 KB -> 3.6 us (measured 2.0-3.3 + 0.3): an upper envelope of the "
      "measurements. Main memory is read once, whatever the number of receivers"};
  p.barrier_s = {
      "barrier_s", 0.5e-6, "s/barrier",
      "assumption: the cost of athread_syn(ARRAY_SCOPE) is not public (SUNWAY.md); the "
      "SW26010 synchronises CPEs in hardware, so ~700 cycles (0.5 us) is taken as a "
      "pessimistic figure. Charged per barrier the busiest CPE passes, not overlapped"};
  p.dma_table = make_copy();
  p.dma_table_source = std::string(kDmaSource) + ", copy row";
  check_table(p.dma_table);
  p.dma_stride_table = make_stride();
  p.dma_stride_source = kDmaStrideSource;
  check_table(p.dma_stride_table);
  return p;
}

Params make_sw26010_pro() {
  Params p;
  p.target = "sw26010-pro";
  p.clock_hz = {"clock_hz", 2.25e9, "Hz",
                "[V] SUNWAY.md: 'about 2.25 GHz (less certain)'"};
  p.vector_flops_per_cycle = {
      "vector_flops_per_cycle", 16, "flop/cycle/CPE",
      "[D] 512-bit SIMD = 8 doubles x 2 (FMA); matches SUNWAY.md's ~2.3 TFLOPS fp64 per CG "
      "= 64 x 2.25 GHz x 16. assumption: fp32 at the same rate"};
  p.scalar_flops_per_cycle = {
      "scalar_flops_per_cycle", 1, "flop/cycle/CPE",
      "assumption: as for SW26010 (one scalar FP instruction per cycle, no FMA credit)"};
  p.vector_mem_per_cycle = {
      "vector_mem_per_cycle", 1, "access/cycle/CPE",
      "assumption: as for SW26010 (one 512-bit LDM access per cycle; Pro LDM bandwidth not "
      "public)"};
  p.cpes_per_cg = {"cpes_per_cg", 64, "CPEs", "[V] SUNWAY.md: 1 MPE + 64 CPEs per core group"};
  p.core_groups = {"core_groups", 6, "CGs/chip",
                   "[V] SUNWAY.md: 6 core groups per chip (informative; the model is per CG)"};
  p.ldm_bytes = {"ldm_bytes", 262144, "bytes/CPE",
                 "[V] SUNWAY.md: 256 KB LDM per CPE, part configurable as cache (informative)"};
  p.simd_bits = {"simd_bits", 512, "bits", "[V] SUNWAY.md: 512-bit SIMD (informative)"};
  p.mem_peak_gbps = {"mem_peak_gbps", 51.2, "GB/s/CG",
                     "[V] SUNWAY.md: 16 GB DDR4 per CG at 51.2 GB/s"};
  p.launch_overhead_s = {
      "launch_overhead_s", 25e-6, "s/launch",
      "assumption: as for SW26010 ([D] 25 us from swCandle's spawn + join measurement; "
      "no Pro figure is public)"};
  p.dma_transfer_latency_s = {
      "dma_transfer_latency_s", 1e-6, "s/transfer",
      "assumption: as for SW26010 (not public)"};
  p.dma_table_scale = {
      "dma_table_scale", 51.2 / 34.1, "x",
      "assumption: no Pro DMA measurement is public; SUNWAY.md says to model it from 51.2 "
      "GB/s at the SW26010's measured efficiency (~65%), so the SW26010 curve is scaled by "
      "51.2/34.1 (the 65% peak, 22.2 of 34.1 GB/s, becomes 51.2 x 0.65 = 33.3 GB/s). "
      "Optimistic for small transfers, whose cost is latency, not bandwidth"};
  p.dma_wave_overhead_s = {
      "dma_wave_overhead_s", 2.8e-6, "s/wave",
      "assumption: SW26010's [D] fit (2.8 us per 64-CPE wave above the table), applied to "
      "the curve before dma_table_scale"};
  p.bcast_latency_s = {"bcast_latency_s", 0.3e-6, "s/broadcast",
                       "assumption: as for SW26010 ([D] from swCandle's BCAST_CONT); the Pro's "
                       "CRTS subset swtc uses has no broadcast get, so nothing charges it"};
  p.bcast_gbps = {"bcast_gbps", 7.5, "GB/s",
                  "assumption: as for SW26010 (unused: no broadcast in the Pro's CRTS subset)"};
  p.barrier_s = {"barrier_s", 0.5e-6, "s/barrier",
                 "assumption: as for SW26010 (CRTS_ssync_array; not public)"};
  p.dma_table = make_copy();
  p.dma_table_source = std::string(kDmaSource) + ", copy row (SW26010, scaled by dma_table_scale)";
  check_table(p.dma_table);
  p.dma_stride_table = make_stride();
  p.dma_stride_source = std::string(kDmaStrideSource) + " (SW26010, scaled by dma_table_scale)";
  check_table(p.dma_stride_table);
  return p;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string md_cell(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

/// A DMA table as two markdown rows: sizes, then GB/s times `scale`.
void dma_table_markdown(std::ostringstream &os, const char *size_head, const std::vector<DmaPoint> &t,
                        double scale) {
  os << "| " << size_head << " |";
  for (const DmaPoint &d : t) os << " " << num(d.bytes) << " |";
  os << "\n|---|";
  for (size_t i = 0; i < t.size(); ++i) os << "---|";
  os << "\n| GB/s |";
  for (const DmaPoint &d : t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", d.gbps * scale);
    os << " " << buf << " |";
  }
  os << "\n";
}

/// GB/s of `t` at `bytes` for first.bytes <= bytes < last.bytes: linear in
/// log2(size) between the points, exact at them.
double interpolate_gbps(const std::vector<DmaPoint> &t, double bytes) {
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    const DmaPoint &a = t[i], &b = t[i + 1];
    if (bytes < b.bytes) {
      const double x = (std::log2(bytes) - std::log2(a.bytes)) / (std::log2(b.bytes) - std::log2(a.bytes));
      return a.gbps + x * (b.gbps - a.gbps);
    }
  }
  internal_error("DMA table lookup fell through");
}

}  // namespace

double Params::dma_bandwidth(double transfer_bytes) const {
  if (!(transfer_bytes > 0) || !std::isfinite(transfer_bytes))
    user_error("perf model: DMA transfer size must be positive and finite, got ", transfer_bytes);
  SWTC_CHECK(!dma_table.empty());
  const double scale = dma_table_scale.value * 1e9;
  const DmaPoint &first = dma_table.front();
  const DmaPoint &last = dma_table.back();
  // Below the table: a 64-CPE wave of tiny transfers costs the same time as
  // one of the smallest measured size (latency-bound).
  if (transfer_bytes < first.bytes) return first.gbps * scale * (transfer_bytes / first.bytes);
  if (transfer_bytes == last.bytes) return last.gbps * scale;
  if (transfer_bytes > last.bytes) {
    // Wave time t(S) = t0 + 64 S / BW_inf through the last point.
    const double cpes = cpes_per_cg.value;
    const double t_last = cpes * last.bytes / (last.gbps * 1e9);
    const double t0 = std::min(dma_wave_overhead_s.value, 0.5 * t_last);
    const double bw_inf = cpes * last.bytes / (t_last - t0);
    return cpes * transfer_bytes / (t0 + cpes * transfer_bytes / bw_inf) * dma_table_scale.value;
  }
  return interpolate_gbps(dma_table, transfer_bytes) * scale;
}

double Params::dma_stride_bandwidth(double block_bytes) const {
  if (!(block_bytes > 0) || !std::isfinite(block_bytes))
    user_error("perf model: strided DMA block size must be positive and finite, got ", block_bytes);
  SWTC_CHECK(!dma_stride_table.empty());
  const double scale = dma_table_scale.value * 1e9;
  const DmaPoint &first = dma_stride_table.front(), &last = dma_stride_table.back();
  if (block_bytes < first.bytes) return first.gbps * scale * (block_bytes / first.bytes);
  if (block_bytes >= last.bytes) return last.gbps * scale;
  return interpolate_gbps(dma_stride_table, block_bytes) * scale;
}

double Params::dma_shared_seconds(double bytes, double transfers, double stride_bytes,
                                  double stride_transfers, double stride_blocks) const {
  double s = 0;
  const double cbytes = bytes - stride_bytes, cn = transfers - stride_transfers;
  if (cbytes > 0 && cn > 0) s += cbytes / dma_bandwidth(cbytes / cn);
  if (stride_bytes > 0) s += stride_bytes / dma_stride_bandwidth(stride_bytes / stride_blocks);
  return s;
}

double Params::bcast_seconds(double bytes, double count) const {
  if (count <= 0) return 0;
  return count * bcast_latency_s.value + bytes / (bcast_gbps.value * 1e9);
}

double Params::cpe_peak_flops() const { return clock_hz.value * vector_flops_per_cycle.value; }
double Params::cg_peak_flops() const { return cpe_peak_flops() * cpes_per_cg.value; }
double Params::cpe_scalar_flops() const { return clock_hz.value * scalar_flops_per_cycle.value; }

std::vector<const Param *> Params::all() const {
  return {&clock_hz,          &vector_flops_per_cycle, &scalar_flops_per_cycle, &vector_mem_per_cycle,
          &cpes_per_cg,       &core_groups,            &ldm_bytes,
          &simd_bits,         &mem_peak_gbps,          &launch_overhead_s,
          &dma_transfer_latency_s, &dma_table_scale, &dma_wave_overhead_s,
          &bcast_latency_s,   &bcast_gbps,             &barrier_s};
}

const std::vector<DmaPoint> &dma_table_copy() {
  static const std::vector<DmaPoint> t = make_copy();
  return t;
}

const std::vector<DmaPoint> &dma_table_triad() {
  static const std::vector<DmaPoint> t = make_triad();
  return t;
}

const Params &sw26010() {
  static const Params p = make_sw26010();
  return p;
}

const Params &sw26010_pro() {
  static const Params p = make_sw26010_pro();
  return p;
}

const Params &params_for(const std::string &target) {
  if (target == "sw26010") return sw26010();
  if (target == "sw26010-pro" || target == "sw26010pro") return sw26010_pro();
  user_error("perf model: no parameters for target '", target,
             "' (known: sw26010, sw26010-pro)");
}

std::string params_markdown(const Params &p) {
  std::ostringstream os;
  os << "Parameters of `" << p.target << "` (`swtc::perf::"
     << (p.target == "sw26010" ? "sw26010()" : "sw26010_pro()") << "`):\n\n";
  os << "| parameter | value | unit | source |\n|---|---|---|---|\n";
  for (const Param *q : p.all())
    os << "| `" << q->name << "` | " << num(q->value) << " | " << q->unit << " | "
       << md_cell(q->source) << " |\n";
  os << "\nDerived: CPE peak " << num(p.cpe_peak_flops() / 1e9) << " GFLOPS, core-group peak "
     << num(p.cg_peak_flops() / 1e9) << " GFLOPS, scalar " << num(p.cpe_scalar_flops() / 1e9)
     << " GFLOPS per CPE.\n\n";
  os << "DMA curve (" << md_cell(p.dma_table_source) << "), aggregate GB/s of the core group "
     << "as used by the model (table x `dma_table_scale`):\n\n";
  dma_table_markdown(os, "S (bytes)", p.dma_table, p.dma_table_scale.value);
  os << "\nStrided DMA (" << md_cell(p.dma_stride_source)
     << "), aggregate GB/s of the core group against the block size bsize (x `dma_table_scale`):"
        "\n\n";
  dma_table_markdown(os, "bsize (bytes)", p.dma_stride_table, p.dma_table_scale.value);
  return os.str();
}

}  // namespace swtc::perf

// Parameters of the Sunway performance model, all in one place.
//
// Every number the model uses is a `Param` here with its value, its unit and
// where it comes from (SUNWAY.md's measured table [M], a vendor figure [V], a
// figure derived from measured data [D], or "assumption: ..."). Nothing in
// model.cpp is a bare constant. docs/perf-model.md embeds params_markdown()'s
// output; tests/perf checks that the doc and the code agree.
#pragma once

#include <string>
#include <vector>

namespace swtc::perf {

/// One model parameter: value, unit and source.
struct Param {
  std::string name;    // identifier used in docs and formulas, e.g. "clock_hz"
  double value = 0;
  std::string unit;    // "Hz", "flop/cycle", "s", "bytes", ...
  std::string source;  // "[V] SUNWAY.md ...", "[M] ...", "assumption: ..."
};

/// One point of the measured DMA curve: aggregate bandwidth of one core group
/// when all 64 CPEs each do blocking transfers of `bytes` bytes at once (get
/// and put bytes counted together).
struct DmaPoint {
  double bytes = 0;
  double gbps = 0;  // 1e9 bytes per second, aggregate over the core group
};

struct Params {
  std::string target;  // "sw26010", "sw26010-pro"

  Param clock_hz;                 // CPE clock
  Param vector_flops_per_cycle;   // per CPE, SIMD with FMA (peak)
  Param scalar_flops_per_cycle;   // per CPE, non-vector code
  Param vector_mem_per_cycle;     // per CPE, vector LDM accesses (loads/stores/sets) issued
  Param cpes_per_cg;              // CPEs sharing one DMA engine / memory controller
  Param core_groups;              // per chip (informative: the model is per core group)
  Param ldm_bytes;                // LDM per CPE (informative)
  Param simd_bits;                // vector width (informative)
  Param mem_peak_gbps;            // theoretical memory bandwidth per core group (informative)
  Param launch_overhead_s;        // athread_spawn + athread_join, per launch
  Param dma_transfer_latency_s;   // floor per transfer of one CPE (few CPEs busy)
  Param dma_table_scale;          // multiplies dma_table (1 for SW26010)
  Param dma_wave_overhead_s;      // fixed part of a 64-CPE transfer wave (extrapolation above the table)
  Param bcast_latency_s;          // fixed cost of one broadcast DMA (BCAST_MODE get)
  Param bcast_gbps;               // bytes per second of broadcast DMA (main memory read once)
  Param barrier_s;                // one athread_syn over the CPEs

  // Aggregate 64-CPE DMA bandwidth against transfer size, ascending in bytes,
  // strictly increasing in bandwidth. dma_bandwidth() interpolates it.
  std::vector<DmaPoint> dma_table;
  std::string dma_table_source;

  /// Aggregate core-group DMA bandwidth in bytes/s (dma_table_scale x the
  /// table) for transfers of `transfer_bytes` each with all CPEs busy. Between table points: linear in
  /// log2(size) (exact at the points). Below the first point: latency-bound,
  /// a fixed time per 64-CPE wave, so bandwidth proportional to size. Above
  /// the last point: a 64-CPE wave costs dma_wave_overhead_s + 64*S/BW_inf,
  /// BW_inf chosen to pass through the last point (SUNWAY.md's fit for S >=
  /// 2 KB), so bandwidth keeps rising slowly towards BW_inf. UserError if transfer_bytes <= 0.
  double dma_bandwidth(double transfer_bytes) const;

  // Aggregate 64-CPE bandwidth of strided descriptors (athread_get/put with
  // stride/bsize) against the block size bsize, which is what it depends on.
  std::vector<DmaPoint> dma_stride_table;
  std::string dma_stride_source;
  /// Bytes/s of strided descriptors with blocks of `block_bytes` (x
  /// dma_table_scale): linear in log2(size) between the points; below the
  /// first point proportional to size (latency-bound); above the last point
  /// the last point's bandwidth. UserError if block_bytes <= 0.
  double dma_stride_bandwidth(double block_bytes) const;

  /// Seconds one CPE's DMA occupies the core group's shared engine:
  /// `bytes` in `transfers` descriptors, of which `stride_bytes` in
  /// `stride_transfers` strided ones with `stride_blocks` blocks. Contiguous
  /// transfers at dma_bandwidth(mean size), strided ones at
  /// dma_stride_bandwidth(mean block). 0 for no bytes.
  double dma_shared_seconds(double bytes, double transfers, double stride_bytes,
                            double stride_transfers, double stride_blocks) const;
  /// Seconds `count` broadcasts of `bytes` in all occupy the shared engine:
  /// count x bcast_latency_s + bytes / bcast_gbps. 0 for none.
  double bcast_seconds(double bytes, double count) const;

  double cpe_peak_flops() const;  // vector flop/s of one CPE
  double cg_peak_flops() const;   // vector flop/s of one core group
  double cpe_scalar_flops() const;

  /// All scalar parameters in a fixed order (for docs and tests).
  std::vector<const Param *> all() const;
};

/// SW26010 (TaihuLight) core group; DMA from the copy row of SUNWAY.md's table.
const Params &sw26010();
/// SW26010-Pro core group: vendor figures plus labelled assumptions (no
/// measured Pro DMA curve is public).
const Params &sw26010_pro();
/// Looks up "sw26010" or "sw26010-pro"; UserError naming the known ones.
const Params &params_for(const std::string &target);

/// SUNWAY.md's measured 64-CPE DMA rows (copy: the model's default; triad:
/// kept for sensitivity studies, e.g. `Params p = sw26010(); p.dma_table =
/// dma_table_triad();`).
const std::vector<DmaPoint> &dma_table_copy();
const std::vector<DmaPoint> &dma_table_triad();

/// A Markdown table of `p`'s parameters and its DMA curve (for the docs).
std::string params_markdown(const Params &p);

}  // namespace swtc::perf

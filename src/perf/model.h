// Performance model of swtc's generated SW26010 code, driven by the athread
// emulator's exact counters (runtime/athread_emu: SWEMU_REPORT_JSON) and the
// parameters in params.h. See docs/perf-model.md for the formulas and what is
// not modelled. A prediction, not a measurement: say so wherever it is shown.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "perf/params.h"

namespace swtc::perf {

/// Bins of the emulator's transfer-size histograms (SWEMU_DMA_SIZE_BINS in
/// runtime/athread_emu/swemu.h): bin b holds sizes in [2^b, 2^(b+1)) bytes,
/// the last bin everything from 2^(kDmaSizeBins-1) up.
constexpr int kDmaSizeBins = 20;

/// One bin of a transfer-size histogram: `count` transfers (or strided
/// blocks) with `bytes` in all.
struct SizeBin {
  int bin = 0;
  int64_t count = 0, bytes = 0;
  bool operator==(const SizeBin &) const = default;
};

/// One CPE's counters in one launch. `flops` counts every flop; `vector_flops`
/// is the part of `flops` done with SIMD instructions (0 <= vector_flops <=
/// flops), counted by the emulator's simd.h; the rest is scalar code, counted
/// by SWEMU_SCALAR_FLOPS in the generated CPE code. The emulator's JSON has
/// "vector_flops" only where it is nonzero (absent: 0).
/// The stride_* fields are the part of the DMA (get + put) done by strided
/// descriptors: how many, their blocks and their bytes (absent in the JSON
/// when zero).
struct CpeCounters {
  int64_t get_bytes = 0, get_count = 0, put_bytes = 0, put_count = 0, flops = 0, vector_flops = 0;
  int64_t stride_count = 0, stride_blocks = 0, stride_bytes = 0;
  /// LDM accesses of the vector code (simd_load/simd_store/simd_set, counted
  /// by the emulator's simd.h; "vector_mem", absent when zero): they issue on
  /// the one memory pipeline, beside the FP pipeline.
  int64_t vector_mem = 0;
  /// Broadcast DMAs this CPE issued (athread_get(BCAST_MODE)) and their bytes
  /// (not part of get_*), and the barriers it passed ("bcast_count",
  /// "bcast_bytes", "syn_count"; absent when zero).
  int64_t bcast_count = 0, bcast_bytes = 0, syn_count = 0;
  /// Transfer-size histograms ("size_hist", "block_hist": the nonzero bins in
  /// increasing order; absent in older reports): the contiguous gets and puts
  /// by length, and the strided ones' blocks by bsize. When present their
  /// sums are the contiguous and the strided parts of the totals above.
  std::vector<SizeBin> size_hist = {}, block_hist = {};

  int64_t dma_bytes() const { return get_bytes + put_bytes; }
  int64_t dma_count() const { return get_count + put_count; }
  bool operator==(const CpeCounters &) const = default;
};

struct Launch {
  std::string kernel;        // e.g. "k003_conv_relu"
  double host_seconds = 0;   // the emulator's wall time on the host (NOT a Sunway time)
  int64_t ldm_used_bytes = -1;  // LDM the launch used (max over CPEs) as the emulator
                                // observed it; -1: not observed (no registered arena)
  std::vector<CpeCounters> cpes;  // index = CPE id (_MYID)
  bool operator==(const Launch &) const = default;
};

struct EmulatorReport {
  int64_t ldm_static_bytes = 0;
  int64_t ldm_budget_bytes = 0;
  int64_t launches_dropped = 0;  // > 0: launches beyond SWEMU_MAX_LAUNCHES are missing
  int core_group = -1;  // the core group (process) of a --core-groups run; -1: not set
  std::vector<Launch> launches;
  bool operator==(const EmulatorReport &) const = default;
};

/// Parses the emulator's JSON (swemu_write_json). swtc::UserError on malformed
/// JSON, a missing or mistyped field, a negative counter, bytes without
/// transfers, vector_flops > flops, or a launch with no CPEs.
EmulatorReport parse_report(const std::string &json_text);
/// Reads and parses a file; UserError if it cannot be read.
EmulatorReport read_report_file(const std::string &path);
/// The report file of core group `cg` of a run split over core groups
/// (swemu_set_core_group): ".cg<cg>" inserted before a final ".json", else
/// appended ("r.json" -> "r.cg2.json"). cg < 0: `path` itself.
std::string core_group_report_path(const std::string &path, int cg);
/// The reports of a run on `core_groups` core groups (one process each): `path`
/// itself for 1, else core_group_report_path(path, k) for k = 0..N-1, each
/// with "core_group": k. UserError if one is missing, malformed or mislabelled.
std::vector<EmulatorReport> read_core_group_reports(const std::string &path, int core_groups);
/// Writes `r` in the emulator's own format (byte-identical for a report that
/// came from the emulator; "vector_flops" only where nonzero).
std::string report_to_json(const EmulatorReport &r);

/// Seconds one CPE's PE-mode DMA occupies the core group's shared engine
/// (docs/perf-model.md): with a histogram, each bin's bytes at the bandwidth
/// of that bin's mean size (contiguous: p.dma_bandwidth; strided:
/// p.dma_stride_bandwidth of the mean block); without one, the CPE's mean
/// transfer size and mean block (p.dma_shared_seconds).
double cpe_dma_seconds(const CpeCounters &c, const Params &p);

/// Predicted time of one launch on one core group.
struct KernelPrediction {
  std::string kernel;
  double compute_s = 0;          // slowest CPE's flops at its rates
  double dma_s = 0;              // max(dma_shared_s, dma_floor_s)
  double seconds_overlap = 0;    // max(compute_s, dma_s) + barrier_s + launch_s (double buffering)
  double seconds_no_overlap = 0; // compute_s + dma_s + barrier_s + launch_s
  double flops = 0;              // total over the CPEs (after any override)
  double vector_flops = 0;       // the SIMD part of flops (counted; none with an override)
  int64_t ldm_used_bytes = -1;   // copied from the launch
  int64_t dma_bytes = 0;         // get + put, all CPEs
  int64_t dma_transfers = 0;     // get + put transfers, all CPEs

  double dma_shared_s = 0;  // sum over CPEs of bytes / BW(that CPE's mean transfer size),
                            // plus their broadcasts (Params::bcast_seconds)
  double bcast_s = 0;       // the broadcasts' part of dma_shared_s
  double barrier_s = 0;     // most barriers one CPE passed x barrier_s (not overlapped)
  int64_t bcast_bytes = 0, bcast_count = 0;  // broadcasts, all CPEs
  double dma_floor_s = 0;   // max over CPEs of transfers x dma_transfer_latency_s
  double launch_s = 0;      // launch_overhead_s
  int busy_cpes = 0;        // CPEs with any DMA or flops
  double gflops_overlap = 0, gflops_no_overlap = 0;
  double peak_fraction_overlap = 0, peak_fraction_no_overlap = 0;  // of core-group vector peak
  bool dma_bound = false;   // dma_s > compute_s
};

/// Predicts one launch from its counters: per CPE, counted vector flops at the
/// SIMD rate plus counted scalar flops at the scalar rate. `flops_override` >= 0
/// replaces the counted flops (what-if studies and tests only; `swtc profile`
/// uses the counts): it is spread evenly over the CPEs that did DMA work (all
/// CPEs if none did), a fraction `override_vector_fraction` of it as SIMD flops. UserError if the launch has no CPEs or
/// more than p.cpes_per_cg, or the override arguments are out of range.
KernelPrediction predict(const Launch &l, const Params &p, double flops_override = -1,
                         double override_vector_fraction = 0);

/// All launches of a report, in order, and their sums.
struct ReportPrediction {
  std::string target;
  std::vector<KernelPrediction> launches;
  double seconds_overlap = 0, seconds_no_overlap = 0, compute_s = 0, dma_s = 0, flops = 0;
  int64_t dma_bytes = 0, dma_transfers = 0;
  int64_t launches_dropped = 0;  // copied from the report: > 0 means the sums are incomplete
};

/// Predicts every launch; `flops_by_kernel` (kernel name -> flops per launch)
/// supplies flops_override for the kernels it names.
ReportPrediction predict_report(const EmulatorReport &r, const Params &p,
                                const std::map<std::string, double> &flops_by_kernel = {},
                                double override_vector_fraction = 0);

/// A program split over several core groups (--core-groups): each core group
/// runs the same launches on its slice of the batch, side by side, with its
/// own DMA engine and memory.
struct CoreGroupsPrediction {
  std::vector<ReportPrediction> per_cg;  // each core group's prediction
  /// Per launch: times (seconds_*, compute_s, dma_s and their parts) are the
  /// max over the core groups (the launch ends when the slowest does); flops,
  /// vector flops, DMA bytes and transfers and busy CPEs are summed over them;
  /// ldm_used_bytes is the max; gflops over the summed flops, peak fractions
  /// of the core groups' summed peak. Totals: seconds_*, compute_s and dma_s
  /// are the max over the core groups of their own sums (no synchronisation
  /// between them); counts summed.
  ReportPrediction combined;
};

/// UserError if `reports` is empty or the core groups ran different launch
/// sequences (kernel names in order).
CoreGroupsPrediction predict_core_groups(const std::vector<EmulatorReport> &reports,
                                         const Params &p);

}  // namespace swtc::perf

// `swtc profile`: per-layer times of a Sunway build, predicted by the
// performance model from what the athread emulator counted while running it.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "target/tuning.h"

namespace swtc::driver {

struct ProfileOptions {
  std::string target = "sw26010";
  std::string work_dir;  // "" -> a new temporary folder
  std::string json;      // write the profile as JSON here ("" -> no)
  std::string svg;  // write the bar chart here ("" -> <work_dir>/profile.svg if the folder stays)
  bool keep_work_dir = false;  // keep the temporary folder (always kept when the build fails)
  std::string schedule = "default";
  int winograd = -1;  // CompileOptions::winograd
  int ranks = 1;  // see CompileOptions::ranks (Sunway targets)
  // --shape: static shapes of inputs with symbolic dims (driver::InputShapes).
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  // Host targets (measured): timed runs after `warmup` untimed ones; OpenMP
  // threads of the model and the peak probe (0: OpenMP's default, or
  // OMP_NUM_THREADS if set).
  int repeat = 20;
  int warmup = 1;
  int threads = 0;
  // --tuning-log: tile choices per kernel signature (CompileOptions), and
  // where to report the kernels that used one.
  const target::TileChoices *tile_choices = nullptr;
  std::ostream *tuning_report = nullptr;
  // Sunway: tuning-log files with measured per-kernel times (a runner's
  // --profile FILE): printed beside the prediction for the kernels they
  // cover (same signature, candidate and target), with the model's error.
  std::vector<std::string> measurements;
};

struct LayerProfile {
  std::string name, op;
  double seconds = 0, gflops = 0, peak_fraction = 0;
  int64_t dma_bytes = 0, dma_transfers = 0;  // summed over the core groups
  int64_t ldm_bytes = 0;        // the compiler's figure (tir::ldm_bytes)
  int64_t ldm_used_bytes = -1;  // what the emulator observed (max over CPEs); -1 unknown
  double flops = 0, vector_flops = 0;  // counted by the emulator (all CPEs)
  double compiler_flops = 0;           // the compiler's count (cross-check only)
  // Roofline bound: the highest peak_fraction any schedule could reach if it
  // moved every tensor of the kernel (inputs, weights, output) exactly once
  // at the best DMA bandwidth of the model (transfers as large as the LDM),
  // and computed at the vector peak. 0 if unknown (a copy).
  double bound_fraction = 0;
  double min_seconds = 0;  // host profile: the least of the timed runs
};

/// The least time one core group could take for the model (a Sunway
/// profile): its compulsory flops (the compiler's count over the kernels) at
/// the core group's vector peak, or its weights (every constant a kernel
/// reads, unpacked, counted once) read once at the model's best DMA
/// bandwidth (transfers as large as the LDM, as the layers' roofline),
/// whichever is larger. Computed from the compiled graph, not from the run.
struct LowerBound {
  double flops = 0;          // one core group's compulsory flops
  double weight_bytes = 0;   // distinct constants read by the kernels, unpacked
  double compute_s = 0;      // flops / core-group peak
  double weights_s = 0;      // weight_bytes / best DMA bandwidth
  double seconds = 0;        // max(compute_s, weights_s)
  double peak_flops = 0, dma_bytes_per_s = 0;  // the perf parameters used
};

struct Profile {
  std::string model, target, schedule = "default";
  LowerBound lower_bound;  // Sunway profiles only
  int core_groups = 1;
  double total_seconds = 0;  // the slowest core group's sum over the layers
  std::vector<double> core_group_seconds;  // each core group's sum over the layers
  // Ranks (Sunway): the nodes they fill (a chip's core groups each), and the
  // predicted scatter of the inputs and gather of the outputs through rank
  // 0's node link (-1: no sourced network figure for the target).
  int nodes = 1;
  double scatter_seconds = 0, gather_seconds = 0;
  std::vector<LayerProfile> layers;
  // Host profile: measured, not predicted. Each layer's seconds is its median
  // over the timed runs; total_seconds their sum; run_seconds the median of
  // whole runs. peak_flops: what the FMA peak probe measured (runtime/peak) on
  // `threads` OpenMP threads in the target's vectors (`isa`).
  bool measured = false;
  double run_seconds = 0, peak_flops = 0;
  int threads = 0, repeat = 0, warmup = 0;
  std::string isa;
};

/// Sunway targets: compiles for the target, builds the emulated binary, runs
/// it once with the emulator's counters on, and predicts every kernel's time.
/// Host targets: compiles with per-kernel timers (Module::profile_hooks),
/// builds with the system compiler, runs it opts.warmup + opts.repeat times
/// and measures every kernel's median time, and the machine's FMA peak with
/// the probe (runtime/peak/fma_peak.c). Prints the table to `out`; progress
/// to `log`.
Profile profile_model(const std::string &model_path, const ProfileOptions &opts, std::ostream &out,
                      std::ostream &log);

}  // namespace swtc::driver

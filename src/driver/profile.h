// `swtc profile`: per-layer times of a Sunway build, predicted by the
// performance model from what the athread emulator counted while running it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace swtc::driver {

struct ProfileOptions {
  std::string target = "sw26010";
  std::string work_dir;  // "" -> a new temporary folder
  std::string json;      // write the profile as JSON here ("" -> no)
  std::string svg;  // write the bar chart here ("" -> <work_dir>/profile.svg if the folder stays)
  bool keep_work_dir = false;  // keep the temporary folder (always kept when the build fails)
  std::string schedule = "default";
  int core_groups = 1;  // see CompileOptions::core_groups
  // Host targets (measured): timed runs after `warmup` untimed ones; OpenMP
  // threads of the model and the peak probe (0: OpenMP's default, or
  // OMP_NUM_THREADS if set).
  int repeat = 20;
  int warmup = 1;
  int threads = 0;
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

struct Profile {
  std::string model, target, schedule = "default";
  int core_groups = 1;
  double total_seconds = 0;  // the slowest core group's sum over the layers
  std::vector<double> core_group_seconds;  // each core group's sum over the layers
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

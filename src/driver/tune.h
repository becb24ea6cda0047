// `swtc tune`: per distinct kernel, its schedule candidates measured on this
// machine (host targets) or predicted by the performance model from the
// athread emulator's counts (Sunway), appended to a tuning log
// (driver/tuning_log.h) that `--tuning-log` applies. docs/tuning.md.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace swtc::driver {

struct TuneOptions {
  std::string target = "host";
  std::string log;        // the tuning log (appended to; read first to resume)
  int trials = 0;         // candidates per kernel, the default included (0: 8 host, 4 Sunway)
  std::string schedule = "default";
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;  // --shape
  // Host: timed runs per round after warm-up ones, OpenMP threads (0: OpenMP's default).
  int repeat = 10;
  int warmup = 2;
  int threads = 0;
  // Host: times the winners' build and the defaults' build alternately this
  // many times after each phase, for the choices whose best is not the
  // default (0: no confirmation).
  int confirm = 1;
  // Measurements to merge into the log first (JSON lines of the same
  // schema, e.g. written by a Sunway runner's --profile): appended as they are.
  std::vector<std::string> measurements;
};

struct TuneResult {
  size_t kernels = 0;        // kernels in the model
  size_t distinct = 0;       // distinct tunable signatures (more than one candidate)
  size_t complete_before = 0;  // choices (kernels and algorithms) complete in the log already
  size_t rounds_run = 0;     // builds and runs (or emulator runs) made now
  size_t entries_written = 0;
  size_t non_default = 0;    // distinct kernels whose best candidate is not the default
  size_t algorithms = 0;     // distinct tunable Conv algorithm choices (host: direct or Winograd)
  size_t non_default_algorithms = 0;  // of them, whose best candidate is not the default
};

/// Tunes the model's kernels for opts.target, appending to opts.log; prints
/// progress to `log` and a summary to `out`.
TuneResult tune_model(const std::string &model_path, const TuneOptions &opts, std::ostream &out,
                      std::ostream &log);

}  // namespace swtc::driver

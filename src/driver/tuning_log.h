// The tuning log (docs/tuning.md): JSON lines, one per measured or
// predicted (kernel signature, target, candidate), read by `swtc tune` to
// resume and by `--tuning-log` to pick each kernel's best candidate.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "target/tuning.h"

namespace swtc::driver {

struct TuningEntry {
  std::string kernel;     // target::kernel_signature, "k" + 16 hex digits
  std::string target;     // target::tuning_target_name
  std::string candidate;  // target::tile_candidates' spelling ("default", "conv/ch/...", ...)
  double seconds = 0;     // per call of the kernel, > 0
  std::string source;     // "measured" or "model"
  // Where a measured entry was measured: "host" (this machine, the host
  // target), "emulator" (the athread emulator: not Sunway times), "sunway";
  // "" for model entries.
  std::string measured_on;
  std::string machine;    // the machine's description
  std::string op, shape;  // informative: the kernel's graph node and shapes
  size_t line = 0;        // where it was read (1-based; 0: not read)
};

/// One JSON line (no newline), keys in a fixed order.
std::string tuning_line(const TuningEntry &e);

/// Parses one line; user_error "tuning log 'FILE' line N: reason" naming
/// the missing or malformed key.
TuningEntry parse_tuning_line(const std::string &text, const std::string &file, size_t line);

/// Reads a tuning log (blank lines skipped). A missing file is an error
/// unless `missing_ok` (then: no entries). `partial_tail_ok`: a last line
/// without its newline that does not parse (a write cut short by an
/// interrupt) is dropped and its 1-based number stored in *dropped_line.
std::vector<TuningEntry> read_tuning_log(const std::string &file, bool missing_ok = false,
                                         bool partial_tail_ok = false, size_t *dropped_line = nullptr);

/// A kernel's best entry and, for comparison, the default's.
struct TuningBest {
  TuningEntry best;
  double default_seconds = -1;  // the default candidate's, same source class (-1: none)
};

/// Per kernel signature of `target` the best entry (deterministic given the
/// entries): real measurements ("measured" anywhere but the emulator) beat
/// model predictions, which beat emulator measurements (not Sunway times);
/// within that class a later entry of the same candidate replaces an earlier
/// one, the least seconds wins (ties: the default, then the candidate's
/// spelling), and a measured candidate must beat the default by
/// kMeasuredMargin or the default is kept (timing noise).
inline constexpr double kMeasuredMargin = 0.03;
std::map<std::string, TuningBest> best_entries(const std::vector<TuningEntry> &entries,
                                               const std::string &target);

/// The tile choices of best_entries.
target::TileChoices tile_choices(const std::map<std::string, TuningBest> &best);

/// A description of this machine for measured entries: the CPU's model
/// name, its logical CPUs, and the target's ISA and cache sizes.
std::string machine_description(const target::Target &t);

}  // namespace swtc::driver

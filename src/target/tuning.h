// The tile-choice interface a tuner feeds (docs/tuning.md): per kernel a
// signature (what the kernel computes, its shapes, dtypes, constness and the
// target: kernels with the same signature share a result), an enumerable list
// of schedule candidates that always starts with "default" (what
// default_schedule picks by the analytic model), and one hook,
// choose_schedule, through which a chosen candidate overrides the default.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "schedule/schedule.h"
#include "target/target.h"

namespace swtc::target {

/// The candidate that is default_schedule's choice.
inline constexpr const char *kDefaultCandidate = "default";

/// The target's name as tuning logs record it: a host target by its ISA
/// ("host" on an AVX-512 machine is "host-avx512"), a Sunway target by name.
std::string tuning_target_name(const Target &t);

/// The kernel's signature: "k" and 16 hex digits, a hash (FNV-1a, 64 bits) of
/// a canonical text of `def` with its kernel, buffer and axis names replaced
/// by their positions (so two Convs of the same shapes in one model, or in
/// two models, share it), which of its inputs are `constants`, the schedule
/// mode and tuning_target_name(t). Deterministic across runs and machines.
std::string kernel_signature(const schedule::ComputeDef &def, const Target &t,
                             ScheduleMode mode, const std::set<std::string> &constants);

/// A short human-readable description of `def` for logs and progress lines:
/// output shape <- input shapes (c: a constant), e.g. "1x16x8x8 <- 1x3x10x10,c16x3x3x3".
std::string kernel_shape_text(const schedule::ComputeDef &def,
                              const std::set<std::string> &constants);

/// The schedule candidates of a kernel, at most `limit` (>= 1), the first
/// always kDefaultCandidate; deterministic. Tuned kernels: Conv and MatMul/Gemm
/// micro-kernels (and MatMuls of two activations on the host). Host: the
/// analytic model's tiles and their neighbours (rows, channel or column
/// block, reduce tile, channel or pixel vectors, column-block order), single
/// changes first. Sunway (default schedule family): the search's tilings
/// ranked by its modelled cost. Every candidate lowers, fits the LDM (Sunway)
/// and differs from the default's schedule. Other kernels: {"default"}.
/// Spelling: "conv/ch/N,C,H,W/rR" (channel vectors), "conv/px/N,C,H,W/rR"
/// (pixel vectors), "mm/T0,..,Tk/rR" and "mm/.../rR/cols" (column blocks
/// outermost).
std::vector<std::string> tile_candidates(const schedule::ComputeDef &def, const Target &t,
                                         ScheduleMode mode,
                                         const std::set<std::string> &constants, size_t limit);

/// The schedule of `candidate` for `def`: default_schedule for
/// kDefaultCandidate, else the micro-kernel schedule it spells. user_error
/// naming the candidate if it is malformed or does not fit the kernel.
schedule::Schedule candidate_schedule(const schedule::ComputeDef &def, const Target &t,
                                      ScheduleMode mode, const std::set<std::string> &constants,
                                      const std::string &candidate);

/// A Conv's algorithm (host targets): a 3x3 stride-1 Conv that
/// lower::winograd_applicable accepts is computed directly or by Winograd
/// F(m x m, 3x3) (lower/winograd.h), three kernels instead of one, so this
/// choice is made per graph node before lowering. Its signature is
/// kernel_signature's hash of the node's direct, unfused kernel `direct`
/// with "conv-algorithm" in the hashed text: Convs of the same shapes share
/// it, and it never equals a kernel's signature.
std::string conv_algorithm_signature(const schedule::ComputeDef &direct, const Target &t,
                                     ScheduleMode mode, const std::set<std::string> &constants);

/// The algorithm candidates of such a Conv, at most `limit` (>= 1): first
/// kDefaultCandidate (`default_tile`, the target's rule winograd_tile or
/// --winograd's m), then those of "direct", "winograd/2", "winograd/4" that
/// differ from it. Host targets, default schedule family; else {"default"}.
std::vector<std::string> conv_algorithm_candidates(const Target &t, ScheduleMode mode,
                                                   int default_tile, size_t limit);

/// The Winograd output tile m a candidate spells: default_tile for
/// kDefaultCandidate, 0 for "direct", m for "winograd/m" (m 2 or 4);
/// user_error naming the candidate otherwise.
int conv_algorithm_tile(const std::string &candidate, int default_tile);

/// Chosen candidates by kernel signature.
using TileChoices = std::map<std::string, std::string>;

/// THE hook: the candidate `choices` holds for the kernel's signature
/// (candidate_schedule), else default_schedule. `chosen` (if not null) gets
/// the candidate used ("" when `choices` had no entry for the kernel).
schedule::Schedule choose_schedule(const schedule::ComputeDef &def, const Target &t,
                                   ScheduleMode mode, const std::set<std::string> &constants,
                                   const TileChoices *choices, std::string *chosen = nullptr);

}  // namespace swtc::target

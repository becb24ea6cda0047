// Inside target/: the schedule pieces the host and Sunway schedules share,
// and the per-kind entry points default_schedule dispatches to.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "schedule/schedule.h"
#include "target/target.h"

namespace swtc::target {

/// True if `e` loads from the buffer named `buffer`.
bool reads(const tir::Expr &e, const std::string &buffer);

/// Splits the last output axis by `row_tile` and fuses every outer output
/// axis with its outer part; returns {fused, inner part of the last axis}.
std::pair<std::string, std::string> tile_rows(schedule::Schedule &s, int64_t row_tile);

/// Row tile so that the fused outer loop has at least `min_outer` iterations.
int64_t row_tile_for(const schedule::ComputeDef &d, int64_t min_outer);

/// Splits every output axis d by tiles[d], puts the outer parts outside the
/// inner ones and fuses the outer parts; returns {fused loop, inner loops}.
/// `outer_order` (empty: the axes' order) permutes the outer parts before
/// they are fused (the fused loop runs over them in that order).
std::pair<std::string, std::vector<std::string>> tile_outputs(
    schedule::Schedule &s, const std::vector<int64_t> &tiles,
    const std::vector<size_t> &outer_order = {});

/// Distributes the fused tile loop `f` over the workers (the CPEs on
/// Sunway, OpenMP threads on the host) and stages the output tile at it;
/// stages each input the reduction reads at the reduce-step loop `ro`
/// (double-buffered when asked and `ro` steps more than once), the others
/// (read by the epilogue only) at `f`. `ro` empty: every input at `f`.
/// `out_order`: the output tile's local dim order (Schedule::cache_write).
void stage_tiles(schedule::Schedule &s, const schedule::ComputeDef &def, const std::string &f,
                 const std::string &ro, bool double_buffer, Kind kind,
                 std::vector<size_t> out_order = {});

/// The host's analytic tile choices (host_schedules.cpp), read by the tuning
/// candidates (target/tuning.cpp) as the centre of their neighbourhood.
std::pair<std::vector<int64_t>, int64_t> host_conv_tiles(const schedule::ComputeDef &def,
                                                         const std::string &weight,
                                                         const Target &t);
std::optional<std::pair<std::vector<int64_t>, int64_t>> host_conv_pixel_tiles(
    const schedule::ComputeDef &def, const std::string &weight, const Target &t);
std::pair<std::vector<int64_t>, int64_t> host_matmul_tiles(const schedule::ComputeDef &def,
                                                           const Target &t);

schedule::Schedule host_default_schedule(const schedule::ComputeDef &def, const Target &t,
                                         const std::set<std::string> &constants);
schedule::Schedule sunway_default_schedule(const schedule::ComputeDef &def, const Target &t,
                                           ScheduleMode mode,
                                           const std::set<std::string> &constants);

}  // namespace swtc::target

// A compiled model ready for emission, and the emitters of the output folder
// (the generated-code contract in docs/design.md).
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/passes/memory_plan.h"
#include "lower/lower.h"
#include "target/target.h"
#include "tir/tir.h"

namespace swtc::codegen {

struct CompiledKernel {
  lower::Kernel kernel;             // what it computes and its graph values
  tir::PrimFunc func;               // scheduled loop nest
  std::vector<std::string> trace;   // schedule primitives applied
  int64_t ldm_bytes = 0;            // Sunway: LDM arena bytes per CPE
  // Tuning (target/tuning.h): the kernel's signature and the candidate it
  // was scheduled with ("default" unless a tuning log chose another); only
  // the kernel timers' output (Module::profile_hooks) prints them.
  std::string signature, candidate = "default";
};

struct Module {
  std::string name;                 // C prefix and file stem, e.g. "resnet18"
  target::Target target;
  std::string schedule = "default";  // schedule family the kernels were scheduled with
  graph::Graph graph;               // the graph the kernels were lowered from
  // MPI ranks the batch is split over (--ranks): `graph` is one rank's
  // (batch / ranks); the runner is an MPI program, one process per rank.
  int ranks = 1;
  // Runs over consecutive chunks of samples stacked along dim 0 give the
  // stacked samples' outputs (graph::samples_independent_problem): the
  // runner then takes inputs of any number of samples (throughput mode).
  bool samples_independent = false;
  std::vector<CompiledKernel> kernels;
  // Concat kernels removed because their inputs are computed in their
  // parts of the output (lower/concat_in_place.h), by kernel name.
  std::vector<std::string> concats_in_place;
  // Convs computed by Winograd F(m x m, 3x3) (lower/winograd.h): the node
  // (graph::Graph::describe), m, and the multiply-adds x 2 of the direct
  // convolution they replace (the "direct flops" of `--report`).
  struct WinogradConv {
    int node = -1;
    std::string what;
    int m = 0;
    int64_t direct_flops = 0;
  };
  std::vector<WinogradConv> winograd_convs;
  graph::MemoryPlan plan;
  // Kernel timers (`swtc profile --target host`, `swtc compile
  // --kernel-timers`): the run function times every kernel call (host:
  // omp_get_wtime; Sunway: clock_gettime(CLOCK_MONOTONIC) on the MPE around
  // each spawn and join) into <name>_kernel_seconds[]; the runner prints
  // each kernel's median over the runs and with --profile FILE writes them
  // as tuning-log lines (docs/tuning.md). Off: the output is unchanged.
  bool profile_hooks = false;
};

/// A file of the output folder.
struct OutputFile {
  std::string path;  // relative to the output folder
  std::string content;
};

/// Every file of the output folder: header, C sources, weights blob,
/// Makefile, runner, and (Sunway) the athread emulator sources.
std::vector<OutputFile> emit_module(const Module &m);

/// The file stem of each graph output's .npy (`<stem>.npy`, in order):
/// names::unique_stems of the output names, so always safe and distinct. The
/// runner and `swtc run` both use these.
std::vector<std::string> output_file_stems(const Module &m);

// Pieces, for tests.
std::string emit_header(const Module &m);
std::string emit_host_source(const Module &m);
std::string emit_sunway_mpe(const Module &m);
std::string emit_sunway_cpe(const Module &m);
std::string emit_weights(const Module &m);
std::string emit_makefile(const Module &m);
std::string emit_runner(const Module &m);

/// Link flags of the emulated build: the emulator wraps the allocator to know
/// every heap buffer a DMA may touch.
inline constexpr const char *kEmulatorLdflags =
    "-Wl,--wrap=malloc,--wrap=free,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign,"
    "--wrap=aligned_alloc -lpthread -ldl -lm";

/// Extra emulator flags of an SW26010-Pro build (256 KB of LDM per CPE).
inline constexpr const char *kEmulatorProFlags = "-DSWEMU_LDM_BYTES_DEFAULT=262144";
/// Include folders of an SW26010-Pro emulated build (floatv8 simd.h first).
inline constexpr const char *kEmulatorProIncludes = "-Iswemu/include_pro -Iswemu/include";

/// The runtime files shipped with generated output (embedded at build time).
struct EmbeddedFile {
  const char *path;
  const char *content;
};
const std::vector<EmbeddedFile> &runtime_files();

}  // namespace swtc::codegen

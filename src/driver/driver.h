// The pipeline as one readable function, and the `run` flow of the CLI.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "codegen/module.h"
#include "common/npy.h"
#include "graph/graph.h"
#include "target/tuning.h"

namespace swtc::driver {

struct CompileOptions {
  std::string target = "host";
  std::string name;        // C prefix and file stem (names::model_name_problem must be ""); default: from the graph's name
  std::string dump_after;  // print the IR after this step (dump_points())
  std::ostream *dump = nullptr;  // where dumps go
  std::ostream *log = nullptr;   // progress lines (nullptr: quiet)
  bool fold_batchnorm = true;    // graph pass: BatchNormalization into Conv
  bool fuse = true;              // lowering passes: elementwise epilogues into producers, elementwise producers into their readers
  // Winograd F(m x m, 3x3) for 3x3 stride-1 Convs (lower/winograd.h), host
  // targets only: -1 where the target's rule picks it
  // (target::winograd_tile), 0 never, 2 or 4 that m for every such Conv.
  int winograd = -1;
  std::string schedule = "default";  // Sunway schedule family: default | swtvm-v1
  // MPI ranks the batch is split over (any target; see graph::split_batch).
  // The compiled network is one rank's.
  int ranks = 1;
  // Tuning (docs/tuning.md): per kernel signature the candidate that
  // overrides the default tiles (target::choose_schedule); null: none.
  const target::TileChoices *tile_choices = nullptr;
  // Where to report which kernels used a tile choice (null: nowhere).
  std::ostream *tuning_report = nullptr;
  // Filled per kernel when not null (KernelChoice), with up to
  // `list_candidates` candidates each (0: none listed).
  std::vector<struct KernelChoice> *kernel_choices = nullptr;
  size_t list_candidates = 0;
  // Filled (when not null and `winograd` is -1) per host Conv node that
  // Winograd applies to, its algorithm choice (target::conv_algorithm_*):
  // `name` its direct kernel's, the candidates up to `list_candidates`.
  // tile_choices holds algorithm choices too (by conv_algorithm_signature);
  // an explicit `winograd` (0, 2, 4) overrides them.
  std::vector<struct KernelChoice> *conv_algorithms = nullptr;
};

/// One scheduled kernel as the tuner sees it.
struct KernelChoice {
  std::string name;        // its C function name
  std::string what;        // its graph node (graph::Graph::describe)
  std::string signature;   // target::kernel_signature
  std::string shape;       // target::kernel_shape_text
  std::string candidate;   // the tile choice applied ("" : the default, no choice given)
  std::vector<std::string> candidates;  // target::tile_candidates (CompileOptions::list_candidates)
  int node = -1;           // its graph node (Module::graph; -1: none, e.g. an output copy)
};

/// The most ranks swtc compiles for or starts.
inline constexpr int kMaxRanks = 4096;

/// user_error unless 1 <= ranks <= kMaxRanks.
void check_ranks(int ranks);

/// What `swtc compile --report` prints: the graph before and after the passes,
/// the fused kernels, and the memory plan.
std::string compile_report(const graph::Graph &imported, const codegen::Module &m);

/// Steps whose IR can be dumped.
const std::vector<std::string> &dump_points();

/// Reads and imports an ONNX file (the `import` step), binding the given
/// inputs to constants (see bind_inputs) before shapes are inferred, and
/// giving inputs static shapes (`--shape`, frontend::InputShapes).
using InputShapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;
graph::Graph import_model(const std::string &path,
                          const std::vector<std::pair<std::string, std::string>> &bind = {},
                          const InputShapes &shapes = {});

/// Parses `--shape` values "NAME=D0,D1,..." (a rank-0 input: "NAME="),
/// user_error for a malformed one.
InputShapes parse_shapes(const std::vector<std::string> &specs);

/// Makes graph inputs compile-time constants (name -> .npy file, float32 or
/// int64, shape as declared): specializes a model whose shapes, axes or
/// scalar parameters come in as inputs. user_error for an unknown input, a
/// wrong dtype or shape.
/// The data of a .npy array as a tensor of dtype `want` (user_error naming `what`
/// if the .npy's dtype differs), and back.
graph::TensorData tensor_from_npy(const npy::Array &a, graph::DType want, const std::string &what);
npy::Array npy_from_tensor(const graph::TensorData &t);

graph::Graph bind_inputs(graph::Graph g,
                         const std::vector<std::pair<std::string, std::string>> &bindings);

/// Runs the pipeline on an imported graph: canonicalize, lower, schedule,
/// plan memory. The result is ready for codegen::emit_module.
codegen::Module compile_graph(const graph::Graph &imported, const CompileOptions &opts);

/// user_error (naming `what`, e.g. "--output-dir") unless `dir` is a folder
/// swtc can write into; creates it if missing. Called before compiling.
void check_writable_dir(const std::string &dir, const char *what);

/// Writes the output folder (creating it). Returns the paths written.
std::vector<std::string> write_output(const codegen::Module &m, const std::string &dir);

/// A model name from a model path's stem ("models/resnet-18.onnx" -> "resnet_18",
/// "main.onnx" -> "main_model"): names::model_name_from.
std::string model_name_from_path(const std::string &path);

struct RunOptions {
  std::string target = "host";
  std::vector<std::pair<std::string, std::string>> inputs;  // name -> .npy path
  std::vector<std::pair<std::string, std::string>> bind;    // name -> .npy, bound at compile time
  InputShapes shapes;  // --shape: static shapes of inputs with symbolic dims
  std::string output_dir;  // where outputs are written ("" -> only the work dir)
  std::string work_dir;    // build folder ("" -> a fresh temporary folder, removed after the run)
  bool keep_work_dir = false;  // keep the temporary folder (it is always kept when the build fails)
  int repeat = 5;
  uint64_t seed = 1;
  double tolerance = 1e-4;  // relative L2 error bound for the check
  bool check = true;        // compare with the reference interpreter
  std::string schedule = "default";
  int winograd = -1;  // CompileOptions::winograd
  int ranks = 1;  // MPI ranks: compiled for (CompileOptions::ranks) and started with mpirun -np
  // Seconds before the run is stopped (all ranks), 0: no limit.
  double timeout = 0;
  const target::TileChoices *tile_choices = nullptr;  // --tuning-log (CompileOptions)
};

struct OutputCheck {
  std::string name;
  double max_abs = 0, rel_l2 = 0;  // over the elements where both values are finite
  int64_t nonfinite_mismatches = 0;  // NaN against a number, or infinities that differ
  bool ok = true;                    // rel_l2 <= tolerance and no non-finite mismatch
};

/// Compares an output with the reference like numpy.testing.assert_allclose(
/// equal_nan=True): NaN agrees with NaN and an infinity with the same
/// infinity; every other pair with a NaN or infinity is a non-finite mismatch
/// (counted); max_abs and rel_l2 over the finite pairs.
OutputCheck compare_output(const std::string &name, const graph::TensorData &got,
                           const graph::TensorData &expect, double tolerance);

struct RunResult {
  double latency_ms_median = 0;  // per run, the slowest rank's time
  double images_per_s = 0;       // samples / latency_ms_median
  std::string run_output;        // what the runner (and mpirun) printed
  std::string work_dir;         // removed after the run unless work_dir_kept
  bool work_dir_kept = true;
  std::vector<std::string> output_files;  // "<stem>.npy" of each output (codegen::output_file_stems)
  std::vector<OutputCheck> checks;
  bool ok = true;
};

/// Compiles, builds with the system compiler (the emulator for Sunway), runs
/// and compares with the reference interpreter. Progress goes to `log`.
RunResult run_model(const std::string &model_path, const RunOptions &opts, std::ostream &log);

}  // namespace swtc::driver

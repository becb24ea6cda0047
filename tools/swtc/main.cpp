// swtc: the command-line driver.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/error.h"
#include "common/names.h"
#include "driver/driver.h"
#include "driver/profile.h"
#include "driver/tune.h"
#include "driver/tuning_log.h"
#include "target/target.h"

namespace {

using namespace swtc;

std::string joined(const std::vector<std::string> &v) {
  std::string s;
  for (const auto &x : v) s += (s.empty() ? "" : "|") + x;
  return s;
}

/// CompileOptions::winograd of a --winograd value (auto, off, 2, 4).
int winograd_mode(const std::string &spec) {
  if (spec == "auto") return -1;
  if (spec == "off") return 0;
  return std::stoi(spec);
}

int cmd_compile(const std::string &model, const std::string &target, const std::string &out,
                const std::string &name, const std::string &dump_after, bool quiet, bool report,
                bool no_fuse, const std::string &schedule, int ranks,
                const std::vector<std::pair<std::string, std::string>> &bind,
                const driver::InputShapes &shapes, const target::TileChoices *choices,
                bool kernel_timers, int winograd) {
  driver::check_writable_dir(out, "-o");
  driver::CompileOptions o;
  o.target = target;
  o.name = name.empty() ? driver::model_name_from_path(model) : name;
  o.dump_after = dump_after;
  o.dump = &std::cout;
  o.log = quiet ? nullptr : &std::cerr;
  o.fuse = o.fold_batchnorm = !no_fuse;
  o.schedule = schedule;
  o.ranks = ranks;
  o.tile_choices = choices;
  o.winograd = winograd;
  o.tuning_report = choices ? &std::cerr : nullptr;
  graph::Graph g = driver::import_model(model, bind, shapes);
  codegen::Module m = driver::compile_graph(g, o);
  m.profile_hooks = kernel_timers;
  if (report) std::cout << driver::compile_report(g, m);
  auto files = driver::write_output(m, out);
  if (!quiet) {
    const std::string out_text = names::terminal_text(out, 4096);
    std::cerr << "wrote " << files.size() << " files to " << out_text << " (" << m.kernels.size()
              << " kernels, workspace " << m.plan.workspace_bytes << " bytes, weights "
              << m.plan.weights_bytes << " bytes";
    if (m.ranks > 1)
      std::cerr << "; " << m.ranks << " MPI ranks, each running batch "
                << m.graph.values[m.graph.inputs[0]].shape[0] << " in its own process";
    std::cerr << ")\n";
    if (m.target.kind == target::Kind::Sunway)
      std::cerr << "build: make -C " << out_text << " (sw5cc and the site's MPI wrapper) or make -C "
                << out_text << " emulate (gcc + athread emulator, mpicc); run: make -C " << out_text
                << " run-emulate RANKS=" << m.ranks << "\n";
    else
      std::cerr << "build: make -C " << out_text << " (mpicc); run: make -C " << out_text
                << " run RANKS=" << m.ranks << "\n";
  }
  return 0;
}

/// An error message for the terminal: the names in it were escaped where
/// it was made; this also escapes any other control or bidirectional
/// character, keeping the line breaks of multi-line messages (build logs).
std::string error_text(const char *what) {
  return names::terminal_text(what, size_t(1) << 20, /*keep_newlines=*/true);
}

int cmd_run(const std::string &model, const driver::RunOptions &o) {
  driver::RunResult r = driver::run_model(model, o, std::cerr);
  // Names and paths go through names::terminal_text: a tensor name from the
  // model may hold newlines, escape sequences or bidirectional overrides.
  auto tt = [](const std::string &s) { return names::terminal_text(s, 4096); };
  std::printf("model: %s\ntarget: %s\n", tt(model).c_str(), tt(o.target).c_str());
  std::printf("ranks: %d\n", o.ranks);
  // The runner's per-rank times, throughput and communication times.
  for (size_t at = 0; at < r.run_output.size();) {
    size_t end = r.run_output.find('\n', at);
    if (end == std::string::npos) end = r.run_output.size();
    const std::string line = r.run_output.substr(at, end - at);
    for (const char *key : {"rank_latency_ms ", "throughput ", "comm_ms "})
      if (line.rfind(key, 0) == 0) std::printf("%s\n", line.c_str());
    at = end + 1;
  }
  // Per run the slowest rank's time (the ranks run side by side).
  std::printf("latency_ms (median of %d runs): %.3f\n", o.repeat, r.latency_ms_median);
  for (const auto &c : r.checks) {
    std::printf("output %s: max_abs_err=%.3g rel_l2_err=%.3g", tt(c.name).c_str(), c.max_abs,
                c.rel_l2);
    if (c.nonfinite_mismatches)
      std::printf(" nonfinite_mismatches=%lld", static_cast<long long>(c.nonfinite_mismatches));
    std::printf(" (vs reference interpreter) %s\n", c.ok ? "OK" : "MISMATCH");
  }
  if (!o.output_dir.empty()) {
    std::printf("outputs written to %s:", tt(o.output_dir).c_str());
    for (const auto &f : r.output_files) std::printf(" %s", tt(f).c_str());
    std::printf("\n");
  }
  if (r.work_dir_kept) std::printf("build folder: %s\n", tt(r.work_dir).c_str());
  if (!r.ok) {
    std::fprintf(stderr, "swtc: error: outputs differ from the reference interpreter by more than "
                         "rel_l2 %.3g\n", o.tolerance);
    return 3;
  }
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"swtc — the Sunway Tensor Compiler: ONNX models to C for the host and the Sunway "
               "SW26010 (ahead of time)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "swtc 0.1.0");

  const std::string targets = joined(target::target_names());
  std::string model, target = "host", out, name, dump_after;
  bool quiet = false, report = false, no_fuse = false;
  std::string schedule = "default";
  const std::vector<std::string> schedules = {"default", "swtvm-v1"};
  int ranks = 1;
  const std::string ranks_help =
      "Compile for N MPI ranks: the batch (dim 0 of every input and output) split over N "
      "processes (a Sunway core group, or a host process with its threads, each), each running "
      "batch/N; the graph must keep samples independent. --core-groups N is the same";
  const std::string schedule_help =
      "Sunway schedule: default (searched 2-D output tiles) or swtvm-v1 (the published "
      "swTVM's: one row per step, greedy tiles, blocking DMA)";
  CLI::App *compile = app.add_subcommand(
      "compile", "Compile an ONNX model to C source, weights, Makefile and a runner");
  compile->add_option("model", model, "ONNX model file")->required()->check(CLI::ExistingFile);
  compile->add_option("--target,-t", target, "Target: " + targets)->capture_default_str();
  compile->add_option("-o,--output", out, "Output folder")->required();
  compile->add_option("--name", name,
                      "C prefix and file stem: a C identifier, no keyword, not main or swtc*, "
                      "at most 64 characters (default: from the model file's stem)");
  compile->add_option("--dump-after", dump_after,
                      "Print the IR after a step: " + joined(driver::dump_points()))
      ->check(CLI::IsMember(driver::dump_points()));
  compile->add_flag("--quiet,-q", quiet, "No progress output");
  compile->add_flag("--report", report,
                    "Print nodes before/after the graph passes, the fused kernels and the memory plan");
  compile->add_option("--schedule", schedule, schedule_help)
      ->check(CLI::IsMember(schedules))
      ->capture_default_str();
  std::vector<std::string> bind_specs;
  const std::string bind_help =
      "NAME=FILE.npy: make that input a compile-time constant (of its dtype), e.g. a shape or "
      "a scalar parameter swtc needs static";
  compile->add_option("--bind", bind_specs, bind_help);
  std::vector<std::string> shape_specs;
  const std::string shape_help =
      "NAME=D0,D1,...: the static shape of an input whose shape has symbolic (dim_param) or "
      "unknown dims, e.g. --shape input=1,128 for a dynamic batch and sequence; a symbolic dim "
      "takes the same value in every input that uses it";
  compile->add_option("--shape", shape_specs, shape_help);
  std::string winograd_spec = "auto";
  const std::string winograd_help =
      "Host targets: 3x3 stride-1 Convs by Winograd F(m x m, 3x3): auto (the target's rule: "
      "128+ channels in and out, m = 4 on 28x28+ outputs, 2 on 12x12+), off, 2 or 4 (every "
      "such Conv with that m); "
      "Sunway targets keep direct Convs";
  const std::vector<std::string> winograd_modes = {"auto", "off", "2", "4"};
  compile->add_option("--winograd", winograd_spec, winograd_help)
      ->check(CLI::IsMember(winograd_modes))
      ->capture_default_str();
  compile->add_flag("--no-fuse", no_fuse, "Skip BatchNorm folding, epilogue fusion and producer inlining");
  compile->add_option("--ranks,--core-groups", ranks, ranks_help)->capture_default_str();

  driver::RunOptions ro;
  std::vector<std::string> input_specs;
  bool no_check = false;
  CLI::App *run = app.add_subcommand(
      "run", "Compile, build (the emulator for Sunway), run, and compare with the reference "
             "interpreter");
  run->add_option("model", model, "ONNX model file")->required()->check(CLI::ExistingFile);
  run->add_option("--target,-t", ro.target, "Target: " + targets)->capture_default_str();
  run->add_option("--input,-i", input_specs,
                  "NAME=FILE.npy (the input's dtype); inputs not given are seeded random in [-1, 1) "
                  "(integers: 1..9)");
  run->add_option("--output-dir", ro.output_dir,
                  "Write each output to DIR/<stem>.npy (its name with characters outside "
                  "[A-Za-z0-9_.-] as '_', made distinct)");
  run->add_option("--work-dir", ro.work_dir,
                  "Build folder, kept (default: a new temporary folder, removed after the run "
                  "unless --keep-work-dir or the build fails)");
  run->add_flag("--keep-work-dir", ro.keep_work_dir, "Keep the temporary build folder");
  run->add_option("--repeat", ro.repeat, "Timed runs; the median is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  run->add_option("--seed", ro.seed, "Seed of the random inputs")->capture_default_str();
  run->add_option("--tolerance", ro.tolerance,
                  "Largest relative L2 error accepted against the reference interpreter")
      ->capture_default_str();
  run->add_flag("--no-check", no_check, "Skip the reference interpreter");
  run->add_option("--bind", bind_specs, bind_help);
  run->add_option("--shape", shape_specs, shape_help);
  run->add_option("--winograd", winograd_spec, winograd_help)
      ->check(CLI::IsMember(winograd_modes))
      ->capture_default_str();
  run->add_option("--schedule", ro.schedule, schedule_help)
      ->check(CLI::IsMember(schedules))
      ->capture_default_str();
  run->add_option("--ranks,--core-groups", ro.ranks,
                  ranks_help + "; started with mpirun -np N (as root with --allow-run-as-root, "
                               "always --oversubscribe --bind-to none)")
      ->capture_default_str();
  run->add_option("--timeout", ro.timeout,
                  "Stop the job (every rank) after this many seconds and fail (0: no limit)")
      ->capture_default_str();

  driver::ProfileOptions po;
  CLI::App *profile = app.add_subcommand(
      "profile", "Per-layer times: on a Sunway target predicted for one core group (performance "
                 "model applied to the athread emulator's counts); on a host target measured on "
                 "this machine, with GFLOP/s and % of the measured FMA peak. Prints a table, "
                 "writes a bar chart");
  profile->add_option("model", model, "ONNX model file")->required()->check(CLI::ExistingFile);
  profile->add_option("--target,-t", po.target,
                      "sw26010 or sw26010pro (predicted), or host, host-avx512, host-avx2, "
                      "host-portable (measured)")
      ->capture_default_str();
  profile->add_option("--repeat", po.repeat,
                      "Host: timed runs; each kernel's time is its median over them")
      ->capture_default_str();
  profile->add_option("--warmup", po.warmup, "Host: untimed runs before the timed ones")
      ->capture_default_str();
  profile->add_option("--threads", po.threads,
                      "Host: OpenMP threads of the model and the peak probe (0: OMP_NUM_THREADS "
                      "or all cores)")
      ->capture_default_str();
  profile->add_option("--shape", shape_specs, shape_help);
  profile->add_option("--json", po.json, "Write the profile as JSON");
  profile->add_option("--svg", po.svg, "Bar chart file (default: <work-dir>/profile.svg)");
  profile->add_option("--work-dir", po.work_dir,
                      "Build folder (default: a new temporary folder, removed at the end unless "
                      "--keep-work-dir or the build fails; then no chart unless --svg)");
  profile->add_flag("--keep-work-dir", po.keep_work_dir,
                    "Keep the temporary build folder (and write the chart into it)");
  profile->add_option("--winograd", winograd_spec, winograd_help)
      ->check(CLI::IsMember(winograd_modes))
      ->capture_default_str();
  profile->add_option("--schedule", po.schedule, schedule_help)
      ->check(CLI::IsMember(schedules))
      ->capture_default_str();
  profile->add_option("--ranks,--core-groups", po.ranks,
                      ranks_help + " (Sunway targets); the prediction is the slowest rank's")
      ->capture_default_str();

  std::string tuning_log;
  const std::string tuning_log_help =
      "Apply a tuning log (swtc tune; docs/tuning.md): per kernel the best entry for this target; "
      "prints which kernels used it";
  compile->add_option("--tuning-log", tuning_log, tuning_log_help);
  bool kernel_timers = false;
  compile->add_flag("--kernel-timers", kernel_timers,
                    "Time every kernel call in the run function (host: omp_get_wtime; Sunway: "
                    "clock_gettime on the MPE around each spawn and join): the runner prints "
                    "each kernel's median and writes them as tuning-log lines with --profile FILE");
  run->add_option("--tuning-log", tuning_log, tuning_log_help);
  profile->add_option("--tuning-log", tuning_log, tuning_log_help);
  profile->add_option("--measurements", po.measurements,
                      "Sunway: tuning-log lines with measured kernel times (a runner's --profile "
                      "FILE), printed beside the prediction with the model's error");

  driver::TuneOptions to;
  CLI::App *tune = app.add_subcommand(
      "tune", "Search schedule candidates per distinct kernel and append the results to a tuning "
              "log: host targets measured on this machine, Sunway targets predicted by the "
              "performance model from the athread emulator's counts; resumes from the log");
  tune->add_option("model", model, "ONNX model file")->required()->check(CLI::ExistingFile);
  tune->add_option("--target,-t", to.target, "Target: " + targets)->capture_default_str();
  tune->add_option("--log", to.log, "The tuning log (JSON lines), appended to")->required();
  tune->add_option("--trials", to.trials,
                   "Candidates per kernel, the default included (default: 8 host, 4 Sunway)")
      ->check(CLI::PositiveNumber);
  tune->add_option("--repeat", to.repeat, "Host: timed runs per candidate round (median)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  tune->add_option("--warmup", to.warmup, "Host: untimed runs before them")->capture_default_str();
  tune->add_option("--threads", to.threads, "Host: OpenMP threads (0: OpenMP's default)")
      ->capture_default_str();
  tune->add_option("--confirm", to.confirm,
                   "Host: after each phase, time the builds with the winners and with the "
                   "defaults alternately this many times for the choices whose best is not the "
                   "default, and log both (0: no confirmation)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  tune->add_option("--measurements", to.measurements,
                   "JSON lines of the log's schema measured elsewhere (e.g. a Sunway runner's "
                   "--profile), merged into the log first");
  tune->add_option("--shape", shape_specs, shape_help);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // Usage errors exit 1 like every other error, with one line.
    std::cerr << "swtc: error: " << e.what() << " (see swtc --help)\n";
    return 1;
  }

  try {
    auto pairs = [](const std::vector<std::string> &specs, const char *flag) {
      std::vector<std::pair<std::string, std::string>> out;
      for (const auto &spec : specs) {
        auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0)
          user_error(flag, " wants NAME=FILE.npy, got '", spec, "'");
        out.push_back({spec.substr(0, eq), spec.substr(eq + 1)});
      }
      return out;
    };
    const auto bind = pairs(bind_specs, "--bind");
    const driver::InputShapes shapes = driver::parse_shapes(shape_specs);
    if (*tune) {
      to.shapes = shapes;
      driver::tune_model(model, to, std::cout, std::cerr);
      return 0;
    }
    // --tuning-log: the best entry per kernel for the target.
    target::TileChoices choices;
    const bool tuned = !tuning_log.empty();
    if (tuned) {
      const std::string t = *compile ? target : *profile ? po.target : ro.target;
      choices = driver::tile_choices(driver::best_entries(
          driver::read_tuning_log(tuning_log), target::tuning_target_name(target::get_target(t))));
    }
    if (*compile)
      return cmd_compile(model, target, out, name, dump_after, quiet, report, no_fuse, schedule,
                         ranks, bind, shapes, tuned ? &choices : nullptr, kernel_timers,
                         winograd_mode(winograd_spec));
    if (*profile) {
      po.shapes = shapes;
      po.winograd = winograd_mode(winograd_spec);
      po.tile_choices = tuned ? &choices : nullptr;
      po.tuning_report = tuned ? &std::cerr : nullptr;
      driver::profile_model(model, po, std::cout, std::cerr);
      return 0;
    }
    ro.inputs = pairs(input_specs, "--input");
    ro.bind = bind;
    ro.shapes = shapes;
    ro.check = !no_check;
    ro.winograd = winograd_mode(winograd_spec);
    ro.tile_choices = tuned ? &choices : nullptr;
    return cmd_run(model, ro);
  } catch (const UserError &e) {
    std::cerr << "swtc: error: " << error_text(e.what()) << "\n";
    return 1;
  } catch (const InternalError &e) {
    std::cerr << "swtc: error: " << error_text(e.what()) << " (a bug in swtc)\n";
    return 1;
  } catch (const std::exception &e) {
    std::cerr << "swtc: error: " << error_text(e.what()) << "\n";
    return 1;
  }
}

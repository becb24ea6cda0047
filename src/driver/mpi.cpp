#include "driver/mpi.h"

#include <unistd.h>

#include <cstdio>
#include <regex>

#include "driver/shell.h"

namespace swtc::driver {

bool have_mpi() {
  std::string out;
  return run_command("command -v mpicc >/dev/null && command -v mpirun >/dev/null", out) == 0;
}

std::string mpirun_command(int ranks, const std::string &exe, int omp_threads, double timeout_s) {
  std::string cmd;
  if (timeout_s > 0) {
    char t[64];
    std::snprintf(t, sizeof t, "%.3f", timeout_s);
    cmd += "timeout -k 5 " + std::string(t) + " ";
  }
  cmd += "mpirun -np " + std::to_string(ranks) + " --oversubscribe --bind-to none";
  if (geteuid() == 0) cmd += " --allow-run-as-root";
  if (omp_threads > 0) {
    cmd = "OMP_NUM_THREADS=" + std::to_string(omp_threads) + " " + cmd;
    cmd += " -x OMP_NUM_THREADS";
  }
  return cmd + " " + exe;
}

std::string mpi_failure(const std::string &out) {
  std::smatch m;
  // The runner's own error line, and the emulator's.
  static const std::regex runner(R"(([^\n]*: error \(rank (\d+) of \d+\): [^\n]*))");
  static const std::regex swemu(R"((swemu: error: core group (\d+): [^\n]*))");
  static const std::regex signal(
      R"(process rank (\d+) with PID \d+ on node \S+ exited on signal (\d+)( \(([^)]*)\))?)");
  static const std::regex exited(R"(Process name:\s*\[\[\d+,\d+\],(\d+)\][^\n]*\n\s*Exit code:\s*(\d+))");
  if (std::regex_search(out, m, runner)) return "rank " + m[2].str() + ": " + m[1].str();
  if (std::regex_search(out, m, swemu)) return "rank " + m[2].str() + ": " + m[1].str();
  if (std::regex_search(out, m, signal))
    return "rank " + m[1].str() + " was killed by signal " + m[2].str() +
           (m[4].matched ? " (" + m[4].str() + ")" : "");
  if (std::regex_search(out, m, exited))
    return "rank " + m[1].str() + " exited with status " + m[2].str();
  return "";
}

}  // namespace swtc::driver

#include "driver/mpi.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
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
  // mpirun --timeout ends every rank itself (whole seconds); coreutils
  // timeout, 30 s later, stops an mpirun that does not.
  const long whole = static_cast<long>(std::ceil(timeout_s));
  if (timeout_s > 0) cmd += "timeout -k 10 " + std::to_string(whole + 30) + " ";
  cmd += "mpirun -np " + std::to_string(ranks) + " --oversubscribe --bind-to none";
  if (timeout_s > 0) cmd += " --timeout " + std::to_string(std::max(1L, whole));
  if (geteuid() == 0) cmd += " --allow-run-as-root";
  if (omp_threads > 0) {
    cmd = "OMP_NUM_THREADS=" + std::to_string(omp_threads) + " " + cmd;
    cmd += " -x OMP_NUM_THREADS";
  }
  return cmd + " " + exe;
}

bool mpi_timed_out(const std::string &out, int exit_status) {
  return exit_status == 124 ||
         out.find("The user-provided time limit for job execution has been reached") !=
             std::string::npos;
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

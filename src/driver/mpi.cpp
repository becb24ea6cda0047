#include "driver/mpi.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
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

std::string mpi_launch_command(int ranks, const std::string &exe, int omp_threads,
                               double timeout_s) {
  if (ranks > 1) return mpirun_command(ranks, exe, omp_threads, timeout_s);
  // Isolated singletons all have OpenMPI job family 0: concurrent ones in one
  // session directory (/tmp/ompi.<host>.<uid>/jf.0) remove each other's
  // folders at MPI_Finalize ("orte_session_dir failed" in MPI_Init, 2 of 150
  // concurrent starts here), so each keeps its session directory in the
  // folder it starts in (swtc's build folder for the run).
  std::string cmd =
      "OMPI_MCA_ess_singleton_isolated=1 OMPI_MCA_pml=\"${OMPI_MCA_pml:-ob1}\" "
      "OMPI_MCA_orte_tmpdir_base=\"$PWD\" ";
  if (omp_threads > 0) cmd += "OMP_NUM_THREADS=" + std::to_string(omp_threads) + " ";
  if (timeout_s > 0) {
    char t[64];
    std::snprintf(t, sizeof t, "%.3f", timeout_s);
    cmd += "timeout -k 10 " + std::string(t) + " ";
  }
  return cmd + exe;
}

bool mpi_timed_out(const std::string &out, int exit_status) {
  return exit_status == 124 ||
         out.find("The user-provided time limit for job execution has been reached") !=
             std::string::npos;
}

std::string mpi_failure(const std::string &out, int ranks, int exit_status) {
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
  if (ranks != 1 || exit_status == 0) return "";
  // One rank, started without mpirun: nothing but the rank itself reports.
  // (The emulator of a one-rank job has no core group number in its errors.)
  static const std::regex swemu1(R"((swemu: error: [^\n]*))");
  if (std::regex_search(out, m, swemu1)) return "rank 0: " + m[1].str();
  if (exit_status > 128 && exit_status < 128 + 65) {
    const char *name = strsignal(exit_status - 128);
    return "rank 0 was killed by signal " + std::to_string(exit_status - 128) +
           (name ? " (" + std::string(name) + ")" : std::string());
  }
  return "rank 0 exited with status " + std::to_string(exit_status);
}

}  // namespace swtc::driver

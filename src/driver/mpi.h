// Starting the generated runner, an MPI program: through mpirun, or (no MPI
// on this machine, one rank) its serial build.
#pragma once

#include <string>

namespace swtc::driver {

/// True if mpicc and mpirun are on PATH.
bool have_mpi();

/// The launch of `exe` (with its arguments) on `ranks` ranks, for a shell
/// inside the build folder: "mpirun -np N --oversubscribe --bind-to none
/// [--allow-run-as-root] [-x OMP_NUM_THREADS=T] <exe...>". OpenMPI refuses to
/// run as root without --allow-run-as-root and more ranks than cores without
/// --oversubscribe; --bind-to none leaves each rank's threads free.
/// omp_threads > 0: each rank's OpenMP threads; 0: unchanged.
/// timeout_s > 0: the whole job is stopped after that many seconds (mpirun
/// --timeout, rounded up to whole seconds, which ends every rank; coreutils
/// timeout 30 s later if mpirun does not end, exit status 124).
std::string mpirun_command(int ranks, const std::string &exe, int omp_threads, double timeout_s);

/// True if the job's output or exit status says a timeout of mpirun_command
/// stopped it.
bool mpi_timed_out(const std::string &output, int exit_status);

/// A one-line summary of why an MPI job failed, from its output: the first
/// rank that reported an error (the runner's "(rank r of P)", the emulator's
/// "core group r", mpirun's "process rank r ... exited on signal" or
/// "Process name: [[job,1],r] ... Exit code"), or "" if none is recognised.
std::string mpi_failure(const std::string &output);

}  // namespace swtc::driver

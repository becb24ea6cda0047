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

/// The launch of `exe` on `ranks` ranks as swtc run and swtc profile start
/// it: mpirun_command for ranks > 1; for one rank the runner alone, without
/// mpirun: MPI's singleton initialisation (MPI_Init in a process that no
/// mpirun started makes a one-rank MPI_COMM_WORLD; MPI standard, "singleton
/// MPI_INIT"). For OpenMPI the environment says OMPI_MCA_ess_singleton_isolated=1
/// (MPI_Init starts no helper daemon), OMPI_MCA_pml=ob1 unless set (no
/// probing of UCX/OFI networks that one rank does not use) and
/// OMPI_MCA_orte_tmpdir_base=$PWD (the session directory in the folder the
/// command starts in, since concurrent isolated singletons share one under
/// /tmp and remove each other's: the caller cds to its own folder): about 0.2 s of
/// MPI start-up instead of mpirun's 0.9 s on this loaded machine
/// (docs/design.md). Other MPIs ignore these variables. omp_threads and
/// timeout_s as in mpirun_command; the timeout is coreutils `timeout`
/// (exit status 124), since no mpirun watches the process.
std::string mpi_launch_command(int ranks, const std::string &exe, int omp_threads,
                               double timeout_s);

/// True if the job's output or exit status says a timeout of mpirun_command
/// or mpi_launch_command stopped it.
bool mpi_timed_out(const std::string &output, int exit_status);

/// A one-line summary of why an MPI job failed, from its output: the first
/// rank that reported an error (the runner's "(rank r of P)", the emulator's
/// "core group r", mpirun's "process rank r ... exited on signal" or
/// "Process name: [[job,1],r] ... Exit code"), or "" if none is recognised.
/// A failed one-rank job (mpi_launch_command: no mpirun to report) is always
/// named: the emulator's "swemu: error: ..." (no core group number with one
/// rank), else for exit_status 128 + N "rank 0 was killed by signal N (name)",
/// else "rank 0 exited with status S".
std::string mpi_failure(const std::string &output, int ranks = 0, int exit_status = 0);

}  // namespace swtc::driver

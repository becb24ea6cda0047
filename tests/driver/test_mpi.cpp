// The MPI launch line and the reading of a failed job's output (driver/mpi.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include "driver/mpi.h"

namespace swtc::driver {
namespace {

TEST(Mpi, LaunchLine) {
  const std::string c = mpirun_command(4, "./m --repeat 2", 0, 0);
  EXPECT_NE(c.find("mpirun -np 4 --oversubscribe --bind-to none"), std::string::npos) << c;
  EXPECT_EQ(c.find("--allow-run-as-root") != std::string::npos, geteuid() == 0) << c;
  EXPECT_EQ(c.substr(c.size() - 14), "./m --repeat 2");
  EXPECT_EQ(c.find("timeout"), std::string::npos);
  EXPECT_EQ(c.find("OMP_NUM_THREADS"), std::string::npos);
  const std::string t = mpirun_command(2, "./m", 1, 29.5);
  EXPECT_EQ(t.rfind("OMP_NUM_THREADS=1 timeout -k 10 60 mpirun -np 2", 0), 0u) << t;
  EXPECT_NE(t.find(" --timeout 30"), std::string::npos) << t;
  EXPECT_NE(t.find(" -x OMP_NUM_THREADS ./m"), std::string::npos) << t;
  EXPECT_TRUE(mpi_timed_out("", 124));
  EXPECT_TRUE(mpi_timed_out("The user-provided time limit for job execution has been reached:", 110));
  EXPECT_FALSE(mpi_timed_out("rank 1 exited", 1));
}

// One rank: the runner alone (MPI singleton initialisation), no mpirun; its
// own session directory; coreutils timeout.
TEST(Mpi, OneRankStartsWithoutMpirun) {
  const std::string c = mpi_launch_command(1, "./m --repeat 2", 0, 0);
  EXPECT_EQ(c.find("mpirun"), std::string::npos) << c;
  EXPECT_EQ(c.rfind("OMPI_MCA_ess_singleton_isolated=1 ", 0), 0u) << c;
  EXPECT_NE(c.find(" OMPI_MCA_pml=\"${OMPI_MCA_pml:-ob1}\" "), std::string::npos) << c;
  EXPECT_NE(c.find(" OMPI_MCA_orte_tmpdir_base=\"$PWD\" "), std::string::npos) << c;
  EXPECT_EQ(c.substr(c.size() - 14), "./m --repeat 2");
  EXPECT_EQ(c.find("timeout"), std::string::npos) << c;
  const std::string t = mpi_launch_command(1, "./m", 3, 2.5);
  EXPECT_NE(t.find(" OMP_NUM_THREADS=3 timeout -k 10 2.500 ./m"), std::string::npos) << t;
  EXPECT_EQ(mpi_launch_command(3, "./m", 0, 7), mpirun_command(3, "./m", 0, 7));
  // A signal ends a one-rank job without mpirun to report it: the exit status says.
  EXPECT_EQ(mpi_failure("", 1, 137), "rank 0 was killed by signal 9 (Killed)");
  EXPECT_EQ(mpi_failure("", 1, 3), "rank 0 exited with status 3");
  EXPECT_EQ(mpi_failure("swemu: error: LDM overflow: 15424 bytes\n", 1, 3),
            "rank 0: swemu: error: LDM overflow: 15424 bytes");
  EXPECT_EQ(mpi_failure("", 4, 137), "");  // mpirun's own report names the rank
  EXPECT_EQ(mpi_failure("m: error (rank 0 of 1): bad input\n", 1, 1),
            "rank 0: m: error (rank 0 of 1): bad input");
}

TEST(Mpi, FailureNamesTheRank) {
  EXPECT_EQ(mpi_failure("x\ncnn: error (rank 2 of 4): truncated .npy data: a.npy\nMPI_ABORT was "
                        "invoked on rank 2"),
            "rank 2: cnn: error (rank 2 of 4): truncated .npy data: a.npy");
  EXPECT_EQ(mpi_failure("swemu: error: core group 3: kernel 'k' CPE 1: LDM overflow\n"),
            "rank 3: swemu: error: core group 3: kernel 'k' CPE 1: LDM overflow");
  EXPECT_EQ(mpi_failure("mpirun noticed that process rank 1 with PID 4242 on node box exited on "
                        "signal 9 (Killed).\n"),
            "rank 1 was killed by signal 9 (Killed)");
  EXPECT_EQ(mpi_failure("The first process to do so was:\n\n  Process name:    [[6215,1],3]\n"
                        "  Exit code:    7\n"),
            "rank 3 exited with status 7");
  EXPECT_EQ(mpi_failure("something else\n"), "");
}

}  // namespace
}  // namespace swtc::driver

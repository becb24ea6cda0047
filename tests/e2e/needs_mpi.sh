#!/usr/bin/env bash
# needs_mpi.sh COMMAND...: runs COMMAND if MPI (mpicc and mpirun) is installed;
# otherwise says so and exits 77 (ctest: skipped). scripts/setup.sh installs
# OpenMPI, so after it these tests run.
if ! command -v mpicc >/dev/null 2>&1 || ! command -v mpirun >/dev/null 2>&1; then
  echo "SKIPPED: MPI is not installed (mpicc and mpirun not on PATH); bash scripts/setup.sh"
  echo "installs OpenMPI (Debian: openmpi-bin libopenmpi-dev)"
  exit 77
fi
exec "$@"

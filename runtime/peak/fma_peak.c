/* swtc FMA peak probe (C99 + OpenMP): the highest rate of fused multiply-adds
 * this machine sustains on all OpenMP threads, in the vectors of one ISA.
 *
 *   cc -std=c99 -O2 -fopenmp -DSWTC_PEAK_AVX512 -mavx512f -mfma fma_peak.c -o fma_peak
 *   cc -std=c99 -O2 -fopenmp -DSWTC_PEAK_AVX2 -mavx2 -mfma fma_peak.c -o fma_peak
 *   cc -std=c99 -O2 -fopenmp fma_peak.c -o fma_peak      (portable: GNU C vectors, 4 lanes)
 *   OMP_NUM_THREADS=T ./fma_peak [--trials N]
 *
 * Every thread updates 12 independent vector accumulators, acc = acc * x + y,
 * in registers (no loads or stores in the loop): 12 chains hide the FMA
 * latency (4 cycles) on two FMA pipes. The iteration count is calibrated so a
 * thread's FMAs take about 5 ms (a thread's own time, not counting waits at
 * the barriers); a trial's time runs from the threads' common start to the
 * last one's end; the best of N trials (default 50) is printed (the
 * peak: on a shared machine some trials lose time slices to other
 * processes), one line:
 *   fma_peak gflops=G threads=T isa=I lanes=L accumulators=12 seconds=S
 * G counts 2 flops per lane per FMA (the portable build, without an FMA
 * instruction, does a multiply and an add: also 2 flops). swtc profile
 * --target host and bench/host_bench.py build and run this file. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(SWTC_PEAK_AVX512)
#include <immintrin.h>
typedef __m512 vec;
#define LANES 16
#define ISA "avx512"
#define SPLAT(x) _mm512_set1_ps(x)
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define STORE(p, v) _mm512_storeu_ps(p, v)
#elif defined(SWTC_PEAK_AVX2)
#include <immintrin.h>
typedef __m256 vec;
#define LANES 8
#define ISA "avx2"
#define SPLAT(x) _mm256_set1_ps(x)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define STORE(p, v) _mm256_storeu_ps(p, v)
#else
typedef float vec __attribute__((vector_size(16)));
#define LANES 4
#define ISA "portable"
#define SPLAT(x) ((vec){(x), (x), (x), (x)})
#define FMA(a, b, c) ((a) * (b) + (c))
#define STORE(p, v) memcpy((p), &(v), sizeof(vec))
#endif
#define ACC 12

/* `iters` rounds of ACC independent FMAs; returns a checksum so the work is kept. */
static float fma_chains(long iters, float seed) {
  const vec x = SPLAT(0.999999f), y = SPLAT(seed * 1e-6f);
  vec a0 = SPLAT(seed), a1 = SPLAT(seed + 1), a2 = SPLAT(seed + 2), a3 = SPLAT(seed + 3);
  vec a4 = SPLAT(seed + 4), a5 = SPLAT(seed + 5), a6 = SPLAT(seed + 6), a7 = SPLAT(seed + 7);
  vec a8 = SPLAT(seed + 8), a9 = SPLAT(seed + 9), a10 = SPLAT(seed + 10), a11 = SPLAT(seed + 11);
  float lanes[LANES], sum = 0;
  long i;
  int k;
  for (i = 0; i < iters; ++i) {
    a0 = FMA(a0, x, y);
    a1 = FMA(a1, x, y);
    a2 = FMA(a2, x, y);
    a3 = FMA(a3, x, y);
    a4 = FMA(a4, x, y);
    a5 = FMA(a5, x, y);
    a6 = FMA(a6, x, y);
    a7 = FMA(a7, x, y);
    a8 = FMA(a8, x, y);
    a9 = FMA(a9, x, y);
    a10 = FMA(a10, x, y);
    a11 = FMA(a11, x, y);
    __asm__ volatile("" ::: "memory"); /* one round per iteration: no unroll-and-fold */
  }
  a0 = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
  STORE(lanes, a0);
  for (k = 0; k < LANES; ++k) sum += lanes[k];
  return sum;
}

/* Seconds for every thread to do `iters` rounds, from a common start to the
 * last one's end; *fastest: the least time one thread took for its own rounds
 * (calibration: not inflated by waiting for a time slice at the barriers). */
static double trial(long iters, int *threads, double *checksum, double *fastest) {
  double t0 = 0, t1 = 0, check = 0, least = 1e30;
  int n = 1;
#pragma omp parallel reduction(+ : check)
  {
    double mine;
#pragma omp barrier
#pragma omp master
    {
      n = omp_get_num_threads();
      t0 = omp_get_wtime();
    }
#pragma omp barrier
    mine = omp_get_wtime();
    check += fma_chains(iters, 1.0f + (float)omp_get_thread_num());
    mine = omp_get_wtime() - mine;
#pragma omp critical
    if (mine < least) least = mine;
#pragma omp barrier
#pragma omp master
    t1 = omp_get_wtime();
  }
  *threads = n;
  *checksum += check;
  *fastest = least;
  return t1 - t0;
}

int main(int argc, char **argv) {
  int trials = 50, threads = 1, t;
  long iters = 1L << 14;
  double best = 0, best_s = 0, checksum = 0, s;
  if (argc == 3 && !strcmp(argv[1], "--trials")) trials = atoi(argv[2]);
  if ((argc != 1 && argc != 3) || trials < 1) {
    fprintf(stderr, "usage: %s [--trials N]\n", argv[0]);
    return 1;
  }
  /* Calibrate: about 5 ms of FMAs per thread and trial (the least of 3 tries:
   * a try that lost a time slice would make the trials too short). */
  for (;;) {
    double least = 1e30, one;
    for (t = 0; t < 3; ++t) {
      trial(iters, &threads, &checksum, &one);
      if (one < least) least = one;
    }
    if (least >= 0.005 || iters >= (1L << 40)) break;
    iters *= 2;
  }
  for (t = 0; t < trials; ++t) {
    double gflops, fastest;
    s = trial(iters, &threads, &checksum, &fastest);
    gflops = (double)threads * (double)iters * ACC * LANES * 2 / s / 1e9;
    if (gflops > best) {
      best = gflops;
      best_s = s;
    }
  }
  printf("fma_peak gflops=%.2f threads=%d isa=%s lanes=%d accumulators=%d seconds=%.4f\n", best,
         threads, ISA, LANES, ACC, best_s);
  fprintf(stderr, "(checksum %g)\n", checksum);
  return 0;
}

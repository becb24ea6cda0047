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
 * thread's FMAs take about 1 ms. Of N trials (default 100) it keeps each
 * thread's best rate (its flops over its own time, from its start to its
 * end) and prints their sum, the peak of the threads (each on its own core,
 * as with OMP_NUM_THREADS <= the cores); a trial's
 * rate of all threads together (all flops over the slowest thread's time)
 * is printed too, its best as together_gflops. On a machine shared with
 * other processes the threads lose time slices: each thread's best comes
 * from a trial it ran through, so the sum stays the hardware's peak while
 * together_gflops drops. One line:
 *   fma_peak gflops=G threads=T isa=I lanes=L accumulators=12 together_gflops=A
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

/* One trial: every thread does `iters` rounds, started together (barrier);
 * own[t]: thread t's time for its own rounds, from its start to its end.
 * Returns the slowest thread's. */
static double trial(long iters, int *threads, double *checksum, double *own) {
  double check = 0, most = 0;
  int n = 1;
#pragma omp parallel reduction(+ : check)
  {
    double mine;
#pragma omp master
    n = omp_get_num_threads();
#pragma omp barrier
    mine = omp_get_wtime();
    check += fma_chains(iters, 1.0f + (float)omp_get_thread_num());
    mine = omp_get_wtime() - mine;
    own[omp_get_thread_num()] = mine;
#pragma omp critical
    if (mine > most) most = mine;
  }
  *threads = n;
  *checksum += check;
  return most;
}

int main(int argc, char **argv) {
  int trials = 100, threads = 1, t, k;
  const int max_threads = omp_get_max_threads();
  long iters = 1L << 14;
  double together = 0, sum = 0, checksum = 0, s;
  double *own = (double *)calloc((size_t)max_threads, sizeof(double));
  double *best = (double *)calloc((size_t)max_threads, sizeof(double));
  if (argc == 3 && !strcmp(argv[1], "--trials")) trials = atoi(argv[2]);
  if ((argc != 1 && argc != 3) || trials < 1 || !own || !best) {
    fprintf(stderr, "usage: %s [--trials N]\n", argv[0]);
    return 1;
  }
  /* Calibrate: about 1 ms of FMAs per thread and trial (the quickest thread
   * of 3 tries: a try that lost a time slice would make the trials short). */
  for (;;) {
    double least = 1e30;
    for (t = 0; t < 3; ++t) {
      trial(iters, &threads, &checksum, own);
      for (k = 0; k < threads; ++k)
        if (own[k] < least) least = own[k];
    }
    if (least >= 0.001 || iters >= (1L << 40)) break;
    iters *= 2;
  }
  for (t = 0; t < trials; ++t) {
    const double flops = (double)iters * ACC * LANES * 2; /* per thread */
    s = trial(iters, &threads, &checksum, own);
    if (threads * flops / s / 1e9 > together) together = threads * flops / s / 1e9;
    for (k = 0; k < threads; ++k)
      if (flops / own[k] / 1e9 > best[k]) best[k] = flops / own[k] / 1e9;
  }
  for (k = 0; k < threads; ++k) sum += best[k];
  printf("fma_peak gflops=%.2f threads=%d isa=%s lanes=%d accumulators=%d together_gflops=%.2f\n",
         sum, threads, ISA, LANES, ACC, together);
  fprintf(stderr, "(checksum %g)\n", checksum);
  free(own);
  free(best);
  return 0;
}

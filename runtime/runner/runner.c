/* swtc runner: the body of every generated main.c (C99), an MPI program.
 * The generated preamble defines SWTC_MODEL, SWTC_RUN, SWTC_NUM_INPUTS, ...
 *
 *   mpirun -np P ./MODEL [--weights FILE] [--input NAME=FILE.npy | FILE.npy ...]
 *                        [--output-dir DIR] [--repeat N] [--warmup W] [--seed S]
 *
 * Inputs not given are filled with seeded uniform random values in [-1, 1)
 * (integer inputs: in 1..9). Each tensor has the element type of its .npy
 * descr in SWTC_INPUT_DTYPES / SWTC_OUTPUT_DTYPES ("<f4" float32, "|u1" uint8, ...).
 * Writes every output to DIR/<stem>.npy, its stem from SWTC_OUTPUT_FILES (the
 * output's name with characters outside [A-Za-z0-9_.-] replaced by '_', made
 * distinct by the compiler: names::unique_stems).
 *
 * Ranks (MPI): the model's shapes (SWTC_*_SHAPES) are one run's, batch b =
 * B / SWTC_RANKS where B is the batch the model was exported with (swtc
 * --ranks N compiles for N ranks). Rank 0 reads the weights and the inputs;
 * the weights are broadcast (MPI_Bcast). The inputs hold S samples along dim
 * 0 (S = B when not given, or the .npy's dim 0), cut into C = ceil(S / b)
 * chunks of b samples (the last one padded with zeros, its padding dropped
 * from the outputs); rank r of P gets chunks [r*C/P, (r+1)*C/P) by
 * MPI_Scatterv, runs each chunk with its own workspace, and rank 0 collects
 * the outputs by MPI_Gatherv and writes the whole outputs (S samples). With
 * P == SWTC_RANKS and S == B every rank runs one chunk: its 1/N of the batch.
 * S other than B (throughput mode: a set of many batches) needs a model that
 * keeps samples independent (SWTC_SAMPLES_INDEPENDENT, checked by the
 * compiler); otherwise every input must have exactly its shape.
 * Runs each rank's chunks W times untimed (--warmup, default 0), then N times
 * timed (--repeat, default 1). Rank 0 prints per rank
 *   "rank_latency_ms rank=<r> median=<m> min=<m> chunks=<c> samples=<s>"
 * (a rank's time of one pass over its chunks), then
 *   "latency_ms median=<m> min=<m> runs=<n> slowest_rank=<r>"
 * (per timed run the slowest rank's time: the ranks run side by side),
 *   "throughput samples=<S> ranks=<P> images_per_s=<S / median latency>"
 * and "comm_ms scatter=<ms> gather=<ms>" (rank 0's time in the input
 * scatter and the output gather).
 *
 * Faults: every error names the rank ("MODEL: error (rank r of P): ...") and
 * ends the whole job with MPI_Abort, so no rank waits forever for a rank that
 * failed. An emulator error (swemu: error: core group r: ...) exits the rank
 * without MPI_Finalize, and mpirun then ends the job.
 *
 * SWTC_NO_MPI (make serial): the same program without MPI, one process, as
 * one rank of one (for machines without an MPI library).
 *
 * Profile build (SWTC_PROFILE, swtc profile --target host): the run function
 * adds each kernel's time to SWTC_KERNEL_SECONDS[k]; the runner clears them
 * before each timed run, keeps them per run, and rank 0 prints per kernel
 * "kernel_seconds k=<k> median=<s> min=<s> name=<kernel>" (over its timed
 * runs) and "profile_threads=<OpenMP threads>"; with --profile FILE it also
 * writes them (per call) as tuning-log JSON lines (docs/tuning.md), measured
 * on "emulator" (SWEMU), "sunway" or "host". */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef SWTC_NO_MPI
#include <mpi.h>
#endif
#ifndef SWTC_RANKS
#define SWTC_RANKS 1
#endif
#ifndef SWTC_SAMPLES_INDEPENDENT
#define SWTC_SAMPLES_INDEPENDENT 0
#endif
#if SWTC_TARGET_SUNWAY && SWTC_SUNWAY_CRTS
#include <crts.h>
#define SWTC_SUNWAY_INIT() CRTS_init()
#define SWTC_SUNWAY_HALT() CRTS_athread_halt()
#elif SWTC_TARGET_SUNWAY
#include <athread.h>
#define SWTC_SUNWAY_INIT() athread_init()
#define SWTC_SUNWAY_HALT() athread_halt()
#endif
#ifdef SWEMU
#include "swemu.h"
#endif
#if defined(SWTC_PROFILE) && defined(_OPENMP)
#include <omp.h>
#endif

static int my_rank = 0, num_ranks = 1; /* MPI_COMM_WORLD */
#ifndef SWTC_NO_MPI
static int comm_up = 0; /* MPI is initialised */
#endif
static int warmup = 0;                 /* untimed runs before the timed ones (--warmup) */
static const char *profile_path = NULL; /* --profile FILE: per-kernel times as tuning-log lines */

/* Ends the whole job: MPI_Abort (every rank), or exit without MPI. */
static void end_job(void) {
  fflush(NULL);
#ifndef SWTC_NO_MPI
  if (comm_up) MPI_Abort(MPI_COMM_WORLD, 1);
#endif
  exit(1);
}

/* An error of this rank: printed with the rank, then the job ends. */
static void die(const char *what, const char *detail) {
  fprintf(stderr, "%s: error (rank %d of %d): %s%s%s\n", SWTC_MODEL, my_rank, num_ranks, what,
          detail ? ": " : "", detail ? detail : "");
  end_job();
}

/* An error every rank finds the same (a bad argument): rank 0 prints it and
 * ends the job; the other ranks wait for that. */
static void die_all(const char *what, const char *detail) {
  if (my_rank == 0) die(what, detail);
#ifndef SWTC_NO_MPI
  if (comm_up) MPI_Barrier(MPI_COMM_WORLD); /* rank 0's MPI_Abort ends it */
#endif
  end_job();
}

#ifndef SWTC_NO_MPI
static void check_mpi(int rc, const char *what) {
  if (rc != MPI_SUCCESS) {
    char msg[MPI_MAX_ERROR_STRING + 1];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    msg[len] = 0;
    die(what, msg);
  }
}
#endif

static long numel(int rank, const long *shape) {
  long n = 1;
  int d;
  for (d = 0; d < rank; ++d) n *= shape[d];
  return n;
}

static void *alloc64(size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) die("out of memory", NULL);
  return p;
}

/* Bytes per element of a .npy descr ("<f4" -> 4, "|u1" -> 1, "<i8" -> 8). */
static size_t elem_bytes(const char *descr) { return (size_t)(descr[2] - '0'); }

/* Opens a little-endian C-order .npy of type `descr` and checks its shape
 * against `shape`: every dim, or (any_dim0) every dim but the first, whose
 * value goes to *dim0. Returns the file positioned at the data. */
static FILE *open_npy(const char *path, const char *descr, int rank, const long *shape,
                      int any_dim0, long *dim0) {
  FILE *f = fopen(path, "rb");
  unsigned char pre[10];
  char header[4096], want[64];
  unsigned hlen;
  int d;
  char *p, *q;
  if (!f) die("cannot open input", path);
  if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) die("not a .npy file", path);
  if (pre[6] == 1) {
    hlen = pre[8] | (pre[9] << 8);
  } else {
    unsigned char more[2];
    if (fread(more, 1, 2, f) != 2) die("truncated .npy header", path);
    hlen = pre[8] | (pre[9] << 8) | (more[0] << 16) | ((unsigned)more[1] << 24);
  }
  if (hlen >= sizeof header || fread(header, 1, hlen, f) != hlen) die("bad .npy header", path);
  header[hlen] = 0;
  sprintf(want, "'descr': '%s'", descr);
  if (!strstr(header, want)) {
    sprintf(want, "input must have dtype '%s'", descr);
    die(want, path);
  }
  if (!strstr(header, "'fortran_order': False")) die("input must be in C order", path);
  /* Shape: compare the numbers inside the parentheses. */
  p = strstr(header, "'shape': (");
  if (!p) die("no shape in .npy header", path);
  p += 10;
  *dim0 = rank > 0 ? shape[0] : 1;
  for (d = 0; d < rank; ++d) {
    long v = strtol(p, &q, 10);
    if (d == 0 && any_dim0 && q != p && v >= 1) {
      *dim0 = v;
    } else if (q == p || v != shape[d]) {
      char expect[256] = "", msg[400];
      int k;
      for (k = 0; k < rank; ++k) {
        char num[32];
        if (k == 0 && any_dim0) sprintf(num, "S");
        else sprintf(num, "%s%ld", k ? "," : "", shape[k]);
        strcat(expect, num);
      }
      *strchr(strstr(header, "'shape': (") + 10, ')') = 0;
      snprintf(msg, sizeof msg, "input %s has shape (%s), expected (%s)%s", path,
               strstr(header, "'shape': (") + 10, expect,
               any_dim0 ? " (S samples >= 1)" : "");
      die(msg, NULL);
    }
    p = q;
    while (*p == ',' || *p == ' ') ++p;
  }
  if (*p != ')') die("input has more dimensions than the model expects", path);
  return f;
}

static void write_npy(const char *path, const void *src, const char *descr, int rank,
                      const long *shape) {
  FILE *f = fopen(path, "wb");
  char header[512];
  size_t len, total;
  int d;
  if (!f) die("cannot write output", path);
  sprintf(header, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (d = 0; d < rank; ++d) {
    char num[32];
    sprintf(num, "%ld%s", shape[d], (rank == 1 || d + 1 < rank) ? ", " : "");
    strcat(header, num);
  }
  strcat(header, "), }");
  len = strlen(header);
  total = 10 + len + 1;
  while (total % 64) {
    header[len++] = ' ';
    ++total;
  }
  header[len++] = '\n';
  header[len] = 0;
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc((int)(len & 0xff), f);
  fputc((int)(len >> 8), f);
  fwrite(header, 1, len, f);
  fwrite(src, elem_bytes(descr), (size_t)numel(rank, shape), f);
  if (fclose(f) != 0) die("cannot write output", path);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Bytes of one chunk (one run) of input (is_output 0) or output i. */
static size_t chunk_bytes(int is_output, int i) {
  return is_output ? (size_t)numel(SWTC_OUTPUT_RANKS[i], SWTC_OUTPUT_SHAPES[i]) *
                         elem_bytes(SWTC_OUTPUT_DTYPES[i])
                   : (size_t)numel(SWTC_INPUT_RANKS[i], SWTC_INPUT_SHAPES[i]) *
                         elem_bytes(SWTC_INPUT_DTYPES[i]);
}

/* Samples in one chunk (one run): dim 0 of the model's first input (1 when
 * it has no inputs, a scalar first input or a zero dim 0). */
static long chunk_samples(void) {
#if SWTC_NUM_INPUTS > 0
  if (SWTC_INPUT_RANKS[0] > 0 && SWTC_INPUT_SHAPES[0][0] > 0) return SWTC_INPUT_SHAPES[0][0];
#endif
  return 1;
}

/* First chunk of rank r when C chunks are spread over the ranks. */
static long first_chunk(long C, int r) { return C * r / num_ranks; }

/* Broadcasts `bytes` bytes from rank 0 in pieces that fit an int count. */
static void bcast_bytes(void *p, size_t bytes) {
#ifndef SWTC_NO_MPI
  const size_t piece = (size_t)1 << 30;
  size_t off;
  for (off = 0; off < bytes; off += piece) {
    size_t n = bytes - off < piece ? bytes - off : piece;
    check_mpi(MPI_Bcast((char *)p + off, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD),
              "MPI_Bcast of the weights failed");
  }
#else
  (void)p;
  (void)bytes;
#endif
}

/* Moves whole chunks of `cbytes` bytes between rank 0's `all` (C chunks) and
 * this rank's `mine` (its chunks): gather 0 scatters, 1 gathers. */
static void move_chunks(int gather, char *all, char *mine, size_t cbytes, long C) {
#ifndef SWTC_NO_MPI
  MPI_Datatype chunk;
  int *counts = (int *)malloc(sizeof(int) * (size_t)num_ranks);
  int *displs = (int *)malloc(sizeof(int) * (size_t)num_ranks);
  int r;
  if (!counts || !displs) die("out of memory", NULL);
  if (cbytes > (size_t)INT_MAX || C > (long)INT_MAX)
    die("a chunk of the batch is larger than one MPI message of 2 GiB can hold", NULL);
  for (r = 0; r < num_ranks; ++r) {
    displs[r] = (int)first_chunk(C, r);
    counts[r] = (int)(first_chunk(C, r + 1) - first_chunk(C, r));
  }
  check_mpi(MPI_Type_contiguous((int)cbytes, MPI_BYTE, &chunk), "MPI_Type_contiguous failed");
  check_mpi(MPI_Type_commit(&chunk), "MPI_Type_commit failed");
  if (gather)
    check_mpi(MPI_Gatherv(mine, counts[my_rank], chunk, all, counts, displs, chunk, 0,
                          MPI_COMM_WORLD),
              "MPI_Gatherv of the outputs failed");
  else
    check_mpi(MPI_Scatterv(all, counts, displs, chunk, mine, counts[my_rank], chunk, 0,
                           MPI_COMM_WORLD),
              "MPI_Scatterv of the inputs failed");
  MPI_Type_free(&chunk);
  free(counts);
  free(displs);
#else
  if (gather) memcpy(all, mine, cbytes * (size_t)C);
  else memcpy(mine, all, cbytes * (size_t)C);
#endif
}

/* Runs this rank's `nloc` chunks `repeat` times (after the warmup runs), each
 * pass's time into times[]. */
static void run_chunks(void *weights, char *const *in_loc, char *const *out_loc, long nloc,
                       int repeat, double *times) {
  float *inputs[SWTC_NUM_INPUTS + 1], *outputs[SWTC_NUM_OUTPUTS + 1];
  void *workspace = alloc64((size_t)SWTC_WORKSPACE_BYTES);
  int i, r;
  long c;
#ifdef SWEMU
  swemu_register_buffer("weights", weights, (size_t)SWTC_WEIGHTS_BYTES);
  swemu_register_buffer("workspace", workspace, (size_t)SWTC_WORKSPACE_BYTES);
  /* This rank's chunks of each input and output (one buffer each). */
  for (i = 0; i < SWTC_NUM_INPUTS && nloc > 0; ++i)
    swemu_register_buffer(SWTC_INPUT_NAMES[i], in_loc[i], chunk_bytes(0, i) * (size_t)nloc);
  for (i = 0; i < SWTC_NUM_OUTPUTS && nloc > 0; ++i)
    swemu_register_buffer(SWTC_OUTPUT_NAMES[i], out_loc[i], chunk_bytes(1, i) * (size_t)nloc);
#endif
#if SWTC_TARGET_SUNWAY
  SWTC_SUNWAY_INIT();
#endif
#ifdef SWTC_PROFILE
  double *kernel_s = (double *)malloc(sizeof(double) * (size_t)repeat * (SWTC_NUM_KERNELS + 1));
  if (!kernel_s) die("out of memory", NULL);
#endif
  for (r = 0; r < warmup + repeat; ++r) {
    double t0;
#ifdef SWTC_PROFILE
    memset(SWTC_KERNEL_SECONDS, 0, sizeof(double) * SWTC_NUM_KERNELS);
#endif
    t0 = now_ms();
    for (c = 0; c < nloc; ++c) {
      for (i = 0; i < SWTC_NUM_INPUTS; ++i)
        inputs[i] = (float *)(in_loc[i] + (size_t)c * chunk_bytes(0, i));
      for (i = 0; i < SWTC_NUM_OUTPUTS; ++i)
        outputs[i] = (float *)(out_loc[i] + (size_t)c * chunk_bytes(1, i));
      if (SWTC_RUN(weights, (const float *const *)inputs, outputs, workspace) != 0)
        die("the model's run function failed", NULL);
    }
    if (r < warmup) continue;
    times[r - warmup] = now_ms() - t0;
#ifdef SWTC_PROFILE
    memcpy(kernel_s + (size_t)(r - warmup) * SWTC_NUM_KERNELS, SWTC_KERNEL_SECONDS,
           sizeof(double) * SWTC_NUM_KERNELS);
#endif
  }
#ifdef SWTC_PROFILE
  if (my_rank == 0) {
    /* Per kernel: median and least over the timed runs. */
    double *one = (double *)malloc(sizeof(double) * (size_t)repeat);
    int k;
    if (!one) die("out of memory", NULL);
    for (k = 0; k < SWTC_NUM_KERNELS; ++k) {
      for (r = 0; r < repeat; ++r) one[r] = kernel_s[(size_t)r * SWTC_NUM_KERNELS + k];
      qsort(one, (size_t)repeat, sizeof(double), cmp_double);
      printf("kernel_seconds k=%d median=%.9e min=%.9e name=%s\n", k, one[repeat / 2], one[0],
             SWTC_KERNEL_NAMES[k]);
    }
    if (profile_path) {
      /* One JSON line per kernel in the tuning log's schema (docs/tuning.md):
       * its median over the timed runs, per call. */
#if defined(SWEMU)
      const char *on = "emulator", *machine =
          "athread emulator on host threads (not Sunway times); clock_gettime(CLOCK_MONOTONIC) "
          "around each spawn and join";
#elif SWTC_TARGET_SUNWAY
      const char *on = "sunway", *machine =
          "Sunway core group; MPE clock_gettime(CLOCK_MONOTONIC) around each spawn and join";
#else
      const char *on = "host", *machine = "host runner; omp_get_wtime around each kernel call";
#endif
      FILE *pf = fopen(profile_path, "w");
      if (!pf) die("cannot write the --profile file", profile_path);
      for (k = 0; k < SWTC_NUM_KERNELS; ++k) {
        double s;
        for (r = 0; r < repeat; ++r) one[r] = kernel_s[(size_t)r * SWTC_NUM_KERNELS + k];
        qsort(one, (size_t)repeat, sizeof(double), cmp_double);
        s = one[repeat / 2] / (double)(nloc > 0 ? nloc : 1);
        if (!(s > 0)) continue; /* below the clock's resolution: no entry */
        fprintf(pf,
                "{\"kernel\":\"%s\",\"target\":\"%s\",\"candidate\":\"%s\",\"seconds\":%.9e,"
                "\"source\":\"measured\",\"measured_on\":\"%s\",\"machine\":\"%s\","
                "\"op\":\"%s\"}\n",
                SWTC_KERNEL_SIGNATURES[k], SWTC_TUNING_TARGET, SWTC_KERNEL_CANDIDATES[k], s, on,
                machine, SWTC_KERNEL_NAMES[k]);
      }
      if (fclose(pf) != 0) die("cannot write the --profile file", profile_path);
    }
#ifdef _OPENMP
    printf("profile_threads=%d\n", omp_get_max_threads());
#endif
    free(one);
  }
  free(kernel_s);
#endif
#if SWTC_TARGET_SUNWAY
  SWTC_SUNWAY_HALT();
#endif
  free(workspace);
}

/* DIR/<stem>.npy; the stem is safe already (characters outside
 * [A-Za-z0-9_.-] would be replaced by '_'). */
static void output_path(char *path, size_t size, const char *dir, const char *name) {
  size_t k, base;
  snprintf(path, size, "%s/", dir);
  base = strlen(path);
  for (k = 0; name[k] && base + k + 5 < size; ++k) {
    char c = name[k];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == '-';
    path[base + k] = ok ? c : '_';
  }
  path[base + k] = 0;
  strcat(path, ".npy");
}

int main(int argc, char **argv) {
  const char *weights_path = SWTC_MODEL ".weights", *out_dir = NULL;
  const char *input_path[SWTC_NUM_INPUTS + 1];
  char *in_all[SWTC_NUM_INPUTS + 1], *out_all[SWTC_NUM_OUTPUTS + 1];
  char *in_loc[SWTC_NUM_INPUTS + 1], *out_loc[SWTC_NUM_OUTPUTS + 1];
  long shape[8], samples = 0, chunks = 0, info[2], nloc, b = chunk_samples();
  void *weights;
  double *times, *all_times = NULL, *run_ms = NULL, t_scatter = 0, t_gather = 0;
  int repeat = 1, positional = 0, i, r;
  unsigned long seed = 1;

#ifndef SWTC_NO_MPI
  if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
    fprintf(stderr, "%s: error: MPI_Init failed\n", SWTC_MODEL);
    return 1;
  }
  comm_up = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &num_ranks);
  /* Errors of MPI calls come back as codes (check_mpi names the rank). */
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
#endif

  for (i = 0; i < SWTC_NUM_INPUTS; ++i) input_path[i] = NULL;
  for (i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      if (my_rank == 0)
        printf("usage: mpirun -np P %s [--weights FILE] [--input NAME=FILE.npy | FILE.npy ...]\n"
               "          [--output-dir DIR] [--repeat N] [--warmup W] [--seed S]\n"
               "          [--profile FILE]   (kernel timers: swtc compile --kernel-timers)\n"
               "Runs model '%s' (%d inputs, %d outputs); missing inputs are seeded random.\n"
               "W untimed runs (default 0), then N timed runs (default 1).\n"
               "Compiled for %d rank(s): rank 0 reads the inputs, scatters the batch over the\n"
               "ranks in chunks of one run's batch, gathers and writes the outputs.%s\n",
               argv[0], SWTC_MODEL, SWTC_NUM_INPUTS, SWTC_NUM_OUTPUTS, SWTC_RANKS,
               SWTC_SAMPLES_INDEPENDENT
                   ? "\nAn input may hold any number of samples (throughput mode)."
                   : "");
#ifndef SWTC_NO_MPI
      MPI_Finalize();
#endif
      return 0;
    } else if (!strcmp(a, "--weights") && i + 1 < argc) {
      weights_path = argv[++i];
    } else if (!strcmp(a, "--output-dir") && i + 1 < argc) {
      out_dir = argv[++i];
    } else if (!strcmp(a, "--repeat") && i + 1 < argc) {
      repeat = atoi(argv[++i]);
      if (repeat < 1) die_all("--repeat must be at least 1", NULL);
    } else if (!strcmp(a, "--warmup") && i + 1 < argc) {
      char *end;
      const char *v = argv[++i];
      warmup = (int)strtol(v, &end, 10);
      if (*v == 0 || *end != 0 || warmup < 0) die_all("--warmup wants a number >= 0", v);
    } else if (!strcmp(a, "--profile") && i + 1 < argc) {
      profile_path = argv[++i];
#ifndef SWTC_PROFILE
      die_all("--profile needs the kernel timers (swtc compile --kernel-timers)", profile_path);
#endif
    } else if (!strcmp(a, "--seed") && i + 1 < argc) {
      seed = strtoul(argv[++i], NULL, 10);
    } else if (!strcmp(a, "--input") && i + 1 < argc) {
      /* NAME is a whole input name followed by '=' (a name may hold '=' itself). */
      const char *spec = argv[++i];
      int k, found = 0;
      if (!strchr(spec, '=')) die_all("--input wants NAME=FILE.npy", spec);
      for (k = 0; k < SWTC_NUM_INPUTS; ++k) {
        const size_t len = strlen(SWTC_INPUT_NAMES[k]);
        if (!strncmp(SWTC_INPUT_NAMES[k], spec, len) && spec[len] == '=') {
          input_path[k] = spec + len + 1;
          found = 1;
        }
      }
      if (!found) die_all("no model input with this name", spec);
    } else if (a[0] != '-' && positional < SWTC_NUM_INPUTS) {
      input_path[positional++] = a;
    } else {
      die_all("unknown argument (see --help)", a);
    }
  }

  /* Rank 0 reads the weights and broadcasts them. */
  weights = alloc64((size_t)SWTC_WEIGHTS_BYTES);
  if (my_rank == 0) {
    FILE *wf = fopen(weights_path, "rb");
    if (!wf) die("cannot open weights file", weights_path);
    if (SWTC_WEIGHTS_BYTES > 0 &&
        fread(weights, 1, (size_t)SWTC_WEIGHTS_BYTES, wf) != (size_t)SWTC_WEIGHTS_BYTES)
      die("weights file is shorter than the model needs", weights_path);
    fclose(wf);
  }
  bcast_bytes(weights, (size_t)SWTC_WEIGHTS_BYTES);

  /* Rank 0 reads the inputs: S samples (the same S for every input), padded
   * to whole chunks. */
  if (my_rank == 0) {
    FILE *files[SWTC_NUM_INPUTS + 1];
    long dim0[SWTC_NUM_INPUTS + 1];
    /* Default: the batch the model was compiled for (every rank's share). */
    samples = b * (SWTC_SAMPLES_INDEPENDENT ? SWTC_RANKS : 1);
    for (i = 0; i < SWTC_NUM_INPUTS; ++i) {
      files[i] = NULL;
      if (!input_path[i]) continue;
      files[i] = open_npy(input_path[i], SWTC_INPUT_DTYPES[i], SWTC_INPUT_RANKS[i],
                          SWTC_INPUT_SHAPES[i], SWTC_SAMPLES_INDEPENDENT, &dim0[i]);
      if (SWTC_SAMPLES_INDEPENDENT) samples = dim0[i];
    }
    for (i = 0; i < SWTC_NUM_INPUTS; ++i)
      if (files[i] && SWTC_SAMPLES_INDEPENDENT && dim0[i] != samples) {
        char msg[200];
        snprintf(msg, sizeof msg, "input '%s' holds %ld samples and another input %ld",
                 SWTC_INPUT_NAMES[i], dim0[i], samples);
        die(msg, input_path[i]);
      }
    chunks = (samples + b - 1) / b;
    for (i = 0; i < SWTC_NUM_INPUTS; ++i) {
      const char *dt = SWTC_INPUT_DTYPES[i];
      const size_t eb = elem_bytes(dt), cb = chunk_bytes(0, i);
      /* Bytes of the S samples (one chunk's exact bytes for a model that
       * does not keep samples independent: every input has its own shape). */
      const size_t have = SWTC_SAMPLES_INDEPENDENT ? cb / (size_t)b * (size_t)samples : cb;
      long n = (long)(have / eb), k;
      in_all[i] = (char *)alloc64(cb * (size_t)chunks);
      if (files[i]) {
        if (fread(in_all[i], 1, have, files[i]) != have) die("truncated .npy data", input_path[i]);
        fclose(files[i]);
      } else {
        unsigned long s = seed * 2654435761UL + (unsigned long)i;
        for (k = 0; k < n; ++k) {
          s = s * 6364136223846793005UL + 1442695040888963407UL;
          if (dt[1] == 'f') {
            ((float *)in_all[i])[k] = (float)((double)((s >> 33) & 0xffffff) / 8388608.0 - 1.0);
          } else { /* integers 1..9, little-endian low bytes */
            unsigned long long v = 1 + (s >> 33) % 9;
            memcpy(in_all[i] + (size_t)k * eb, &v, eb);
          }
        }
      }
      /* The last chunk's padding: copies of the last sample (never a value
       * the model could fail on, such as an integer zero divisor). */
      if (SWTC_SAMPLES_INDEPENDENT && cb > 0) {
        const size_t per_sample = cb / (size_t)b;
        size_t off;
        for (off = have; off < cb * (size_t)chunks; off += per_sample)
          memcpy(in_all[i] + off, in_all[i] + have - per_sample, per_sample);
      }
    }
    for (i = 0; i < SWTC_NUM_OUTPUTS; ++i)
      out_all[i] = (char *)alloc64(chunk_bytes(1, i) * (size_t)chunks);
  } else {
    for (i = 0; i < SWTC_NUM_INPUTS; ++i) in_all[i] = NULL;
    for (i = 0; i < SWTC_NUM_OUTPUTS; ++i) out_all[i] = NULL;
  }
  info[0] = samples;
  info[1] = chunks;
#ifndef SWTC_NO_MPI
  check_mpi(MPI_Bcast(info, 2, MPI_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast failed");
#endif
  samples = info[0];
  chunks = info[1];
  if (my_rank == 0 && chunks < num_ranks)
    fprintf(stderr, "%s: warning: %ld chunk(s) of %ld sample(s) for %d ranks: ranks %ld..%d have "
                    "nothing to run\n",
            SWTC_MODEL, chunks, b, num_ranks, chunks, num_ranks - 1);

  /* This rank's chunks. */
  nloc = first_chunk(chunks, my_rank + 1) - first_chunk(chunks, my_rank);
  t_scatter = now_ms();
  for (i = 0; i < SWTC_NUM_INPUTS; ++i) {
    in_loc[i] = (char *)alloc64(chunk_bytes(0, i) * (size_t)nloc);
    move_chunks(0, in_all[i], in_loc[i], chunk_bytes(0, i), chunks);
  }
  t_scatter = now_ms() - t_scatter;
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i) {
    out_loc[i] = (char *)alloc64(chunk_bytes(1, i) * (size_t)nloc);
    memset(out_loc[i], 0, chunk_bytes(1, i) * (size_t)nloc);
  }

#ifdef SWEMU
  if (num_ranks > 1) swemu_set_core_group(my_rank); /* its own emulator report, errors name it */
#endif
  times = (double *)malloc(sizeof(double) * (size_t)repeat);
  if (!times) die("out of memory", NULL);
  run_chunks(weights, in_loc, out_loc, nloc, repeat, times);

  /* Outputs and run times to rank 0. */
  if (my_rank == 0) {
    all_times = (double *)malloc(sizeof(double) * (size_t)repeat * (size_t)num_ranks);
    run_ms = (double *)malloc(sizeof(double) * (size_t)repeat);
    if (!all_times || !run_ms) die("out of memory", NULL);
  }
  t_gather = now_ms();
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i)
    move_chunks(1, out_all[i], out_loc[i], chunk_bytes(1, i), chunks);
  t_gather = now_ms() - t_gather;
#ifndef SWTC_NO_MPI
  check_mpi(MPI_Gather(times, repeat, MPI_DOUBLE, all_times, repeat, MPI_DOUBLE, 0,
                       MPI_COMM_WORLD),
            "MPI_Gather of the run times failed");
#else
  memcpy(all_times, times, sizeof(double) * (size_t)repeat);
#endif

  if (my_rank == 0) {
    int k, slowest = 0;
    double *one = (double *)malloc(sizeof(double) * (size_t)repeat), worst = -1;
    if (!one) die("out of memory", NULL);
    for (k = 0; k < num_ranks; ++k) {
      const long c = first_chunk(chunks, k + 1) - first_chunk(chunks, k);
      long s = c * b;
      if (first_chunk(chunks, k + 1) == chunks && c > 0) s -= chunks * b - samples;
      memcpy(one, all_times + (size_t)k * repeat, sizeof(double) * (size_t)repeat);
      qsort(one, (size_t)repeat, sizeof(double), cmp_double);
      printf("rank_latency_ms rank=%d median=%.6f min=%.6f chunks=%ld samples=%ld\n", k,
             one[repeat / 2], one[0], c, s);
      if (one[repeat / 2] > worst) {
        worst = one[repeat / 2];
        slowest = k;
      }
    }
    /* A run's latency: the slowest rank's (they run side by side). */
    for (r = 0; r < repeat; ++r) {
      run_ms[r] = 0;
      for (k = 0; k < num_ranks; ++k)
        if (all_times[(size_t)k * repeat + r] > run_ms[r])
          run_ms[r] = all_times[(size_t)k * repeat + r];
    }
    qsort(run_ms, (size_t)repeat, sizeof(double), cmp_double);
    printf("latency_ms median=%.6f min=%.6f runs=%d slowest_rank=%d\n", run_ms[repeat / 2],
           run_ms[0], repeat, slowest);
    printf("throughput samples=%ld ranks=%d images_per_s=%.3f\n", samples, num_ranks,
           run_ms[repeat / 2] > 0 ? samples / (run_ms[repeat / 2] / 1e3) : 0.0);
    printf("comm_ms scatter=%.6f gather=%.6f\n", t_scatter, t_gather);
    free(one);

    if (out_dir) {
      for (i = 0; i < SWTC_NUM_OUTPUTS; ++i) {
        char path[4096];
        const int rk = SWTC_OUTPUT_RANKS[i];
        int d;
        for (d = 0; d < rk; ++d) shape[d] = SWTC_OUTPUT_SHAPES[i][d];
        if (SWTC_SAMPLES_INDEPENDENT) shape[0] = samples; /* the padding dropped */
        output_path(path, sizeof path, out_dir, SWTC_OUTPUT_FILES[i]);
        write_npy(path, out_all[i], SWTC_OUTPUT_DTYPES[i], rk, shape);
      }
    }
  }
  fflush(NULL);
  for (i = 0; i < SWTC_NUM_INPUTS; ++i) {
    free(in_all[i]);
    free(in_loc[i]);
  }
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i) {
    free(out_all[i]);
    free(out_loc[i]);
  }
  free(weights);
  free(times);
  free(all_times);
  free(run_ms);
#ifndef SWTC_NO_MPI
  MPI_Finalize();
#endif
  return 0;
}

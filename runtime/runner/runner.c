/* swtc runner: the body of every generated main.c (C99).
 * The generated preamble defines SWTC_MODEL, SWTC_RUN, SWTC_NUM_INPUTS, ...
 *
 *   ./MODEL [--weights FILE] [--input NAME=FILE.npy | FILE.npy ...]
 *           [--output-dir DIR] [--repeat N] [--warmup W] [--seed S] [--cg K]
 *
 * Inputs not given are filled with seeded uniform random values in [-1, 1)
 * (integer inputs: in 1..9). Each tensor has the element type of its .npy
 * descr in SWTC_INPUT_DTYPES / SWTC_OUTPUT_DTYPES ("<f4" float32, "|u1" uint8, ...).
 * Runs the model W times untimed (--warmup, default 0), then N times timed
 * (--repeat, default 1).
 * Prints "latency_ms median=<m> min=<m> runs=<n>" and writes every output to
 * DIR/<stem>.npy, its stem from SWTC_OUTPUT_FILES (the output's name with
 * characters outside [A-Za-z0-9_.-] replaced by '_', made distinct by the
 * compiler: names::unique_stems).
 *
 * Core groups (SWTC_CORE_GROUPS = N > 1, swtc --core-groups N): the model's
 * shapes are one core group's, batch B/N; inputs and outputs are the whole
 * batch B. Core group k runs samples [k*B/N, (k+1)*B/N) in its own process
 * with its own workspace, no communication.
 *  - Emulated build (SWEMU), no --cg: the runner forks one process per core
 *    group before any athread/CRTS call (threads do not survive fork); each
 *    writes its slice of the outputs into shared memory (and its own emulator
 *    report, see swemu_set_core_group); the parent waits for all of them and
 *    writes the whole outputs. Latency per run: the slowest core group's.
 *  - --cg K (any build): this process runs only core group K's slice of the
 *    (whole-batch) inputs and writes DIR/<stem>.cg<K>.npy holding that slice
 *    of each output; concatenating the N files along dim 0 gives the output.
 *    For a launcher that starts one process per core group on the machine
 *    (emulated: the process is core group K for the emulator's report too).
 *  - Sunway build without --cg: refused (one process drives one core group).
 *
 * Profile build (SWTC_PROFILE, swtc profile --target host): the run function
 * adds each kernel's time to SWTC_KERNEL_SECONDS[k]; the runner clears them
 * before each timed run, keeps them per run, and prints per kernel
 * "kernel_seconds k=<k> median=<s> min=<s> name=<kernel>" (over the timed
 * runs) and "profile_threads=<OpenMP threads>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef SWTC_CORE_GROUPS
#define SWTC_CORE_GROUPS 1
#endif
#if SWTC_CORE_GROUPS > 1 && defined(SWEMU)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#define SWTC_FORK_CORE_GROUPS 1
#else
#define SWTC_FORK_CORE_GROUPS 0
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

static int this_cg = -1; /* the core group this process runs, -1: all (one process) */
static int warmup = 0;   /* untimed runs before the timed ones (--warmup) */

static void die(const char *what, const char *detail) {
  char where[48] = "";
  if (this_cg >= 0 && SWTC_CORE_GROUPS > 1) sprintf(where, " (core group %d)", this_cg);
  fprintf(stderr, "%s%s: error: %s%s%s\n", SWTC_MODEL, where, what, detail ? ": " : "",
          detail ? detail : "");
  exit(1);
}

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

/* Reads a little-endian C-order .npy of type `descr` with exactly the expected shape. */
static void read_npy(const char *path, void *dst, const char *descr, int rank, const long *shape) {
  FILE *f = fopen(path, "rb");
  unsigned char pre[10];
  char header[4096], expect[256], want[64];
  unsigned hlen;
  int d, n;
  long count = numel(rank, shape);
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
  n = 0;
  expect[0] = 0;
  for (d = 0; d < rank; ++d) {
    long v = strtol(p, &q, 10);
    if (q == p || v != shape[d]) {
      for (d = 0; d < rank; ++d) {
        char num[32];
        sprintf(num, "%s%ld", d ? "," : "", shape[d]);
        strcat(expect, num);
      }
      fprintf(stderr, "%s: error: input %s has shape (%s, expected (%s)\n", SWTC_MODEL, path,
              strstr(header, "'shape': (") + 10, expect);
      exit(1);
    }
    ++n;
    p = q;
    while (*p == ',' || *p == ' ') ++p;
  }
  if (*p != ')') die("input has more dimensions than the model expects", path);
  if (fread(dst, elem_bytes(descr), (size_t)count, f) != (size_t)count)
    die("truncated .npy data", path);
  (void)n;
  fclose(f);
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

/* Shape of input/output i of the whole batch: the core group's shape with dim 0
 * times SWTC_CORE_GROUPS. */
static void batch_shape(int rank, const long *cg_shape, long *out) {
  int d;
  for (d = 0; d < rank; ++d) out[d] = cg_shape[d];
  if (rank > 0) out[0] *= SWTC_CORE_GROUPS;
}

/* Bytes of one core group's slice of input (is_output 0) or output i. */
static size_t slice_bytes(int is_output, int i) {
  return is_output ? (size_t)numel(SWTC_OUTPUT_RANKS[i], SWTC_OUTPUT_SHAPES[i]) *
                         elem_bytes(SWTC_OUTPUT_DTYPES[i])
                   : (size_t)numel(SWTC_INPUT_RANKS[i], SWTC_INPUT_SHAPES[i]) *
                         elem_bytes(SWTC_INPUT_DTYPES[i]);
}

/* Runs core group `cg`'s slice `repeat` times (its inputs/outputs at slice
 * offset cg of the whole-batch buffers), its run times into times[]. */
static void run_core_group(int cg, void *weights, char *const *in_all, char *const *out_all,
                           int repeat, double *times) {
  float *inputs[SWTC_NUM_INPUTS + 1], *outputs[SWTC_NUM_OUTPUTS + 1];
  void *workspace = alloc64((size_t)SWTC_WORKSPACE_BYTES);
  int i, r;
  for (i = 0; i < SWTC_NUM_INPUTS; ++i)
    inputs[i] = (float *)(in_all[i] + (size_t)cg * slice_bytes(0, i));
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i)
    outputs[i] = (float *)(out_all[i] + (size_t)cg * slice_bytes(1, i));
#ifdef SWEMU
  swemu_register_buffer("weights", weights, (size_t)SWTC_WEIGHTS_BYTES);
  swemu_register_buffer("workspace", workspace, (size_t)SWTC_WORKSPACE_BYTES);
  for (i = 0; i < SWTC_NUM_INPUTS; ++i)
    swemu_register_buffer(SWTC_INPUT_NAMES[i], inputs[i], slice_bytes(0, i));
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i)
    swemu_register_buffer(SWTC_OUTPUT_NAMES[i], outputs[i], slice_bytes(1, i));
#endif
#if SWTC_TARGET_SUNWAY
  SWTC_SUNWAY_INIT();
#endif
#ifdef SWTC_PROFILE
  double *kernel_s = (double *)malloc(sizeof(double) * (size_t)repeat * (SWTC_NUM_KERNELS + 1));
  if (!kernel_s) die("out of memory", NULL);
#endif
  for (r = 0; r < warmup; ++r)
    if (SWTC_RUN(weights, (const float *const *)inputs, outputs, workspace) != 0)
      die("the model's run function failed", NULL);
  for (r = 0; r < repeat; ++r) {
    double t0;
#ifdef SWTC_PROFILE
    memset(SWTC_KERNEL_SECONDS, 0, sizeof(double) * SWTC_NUM_KERNELS);
#endif
    t0 = now_ms();
    if (SWTC_RUN(weights, (const float *const *)inputs, outputs, workspace) != 0)
      die("the model's run function failed", NULL);
    times[r] = now_ms() - t0;
#ifdef SWTC_PROFILE
    memcpy(kernel_s + (size_t)r * SWTC_NUM_KERNELS, SWTC_KERNEL_SECONDS,
           sizeof(double) * SWTC_NUM_KERNELS);
#endif
  }
#ifdef SWTC_PROFILE
  {
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
#ifdef _OPENMP
    printf("profile_threads=%d\n", omp_get_max_threads());
#endif
    free(one);
    free(kernel_s);
  }
#endif
#if SWTC_TARGET_SUNWAY
  SWTC_SUNWAY_HALT();
#endif
  free(workspace);
}

#if SWTC_FORK_CORE_GROUPS
/* Zeroed memory shared with the child processes (MAP_SHARED of /dev/zero:
 * POSIX, unlike MAP_ANONYMOUS). */
static void *shared_alloc(size_t bytes) {
  int fd = open("/dev/zero", O_RDWR);
  void *p;
  if (fd < 0) die("cannot open /dev/zero for the core groups' shared outputs", NULL);
  p = mmap(NULL, bytes ? bytes : 64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) die("cannot map the core groups' shared outputs", NULL);
  return p;
}

/* One child process per core group; the parent waits for all of them.
 * times[k * repeat + r]: core group k's run r. */
static void fork_core_groups(void *weights, char *const *in_all, char *const *out_all,
                             int repeat, double *times) {
  pid_t pids[SWTC_CORE_GROUPS];
  int k, failed = 0;
  fflush(NULL);
  for (k = 0; k < SWTC_CORE_GROUPS; ++k) {
    pids[k] = fork();
    if (pids[k] < 0) die("cannot start a process per core group (fork failed)", NULL);
    if (pids[k] == 0) {
      this_cg = k;
      swemu_set_core_group(k);
      run_core_group(k, weights, in_all, out_all, repeat, times + (size_t)k * repeat);
      fflush(NULL);
      exit(0); /* runs the emulator's exit report (its own file per core group) */
    }
  }
  for (k = 0; k < SWTC_CORE_GROUPS; ++k) {
    int st = 0;
    if (waitpid(pids[k], &st, 0) < 0) {
      fprintf(stderr, "%s: error: core group %d (process %ld): waitpid failed\n", SWTC_MODEL, k,
              (long)pids[k]);
      failed = 1;
    } else if (WIFSIGNALED(st)) {
      fprintf(stderr, "%s: error: core group %d (process %ld) was killed by signal %d\n",
              SWTC_MODEL, k, (long)pids[k], WTERMSIG(st));
      failed = 1;
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "%s: error: core group %d (process %ld) failed (exit status %d)\n",
              SWTC_MODEL, k, (long)pids[k], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
      failed = 1;
    }
  }
  if (failed) exit(1);
}
#endif

/* DIR/<stem><suffix>.npy; the stem is safe already (characters outside
 * [A-Za-z0-9_.-] would be replaced by '_'). */
static void output_path(char *path, size_t size, const char *dir, const char *name,
                        const char *suffix) {
  size_t k, base;
  snprintf(path, size, "%s/", dir);
  base = strlen(path);
  for (k = 0; name[k] && base + k + strlen(suffix) + 5 < size; ++k) {
    char c = name[k];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == '-';
    path[base + k] = ok ? c : '_';
  }
  path[base + k] = 0;
  strcat(path, suffix);
  strcat(path, ".npy");
}

int main(int argc, char **argv) {
  const char *weights_path = SWTC_MODEL ".weights", *out_dir = NULL;
  const char *input_path[SWTC_NUM_INPUTS + 1];
  char *in_all[SWTC_NUM_INPUTS + 1], *out_all[SWTC_NUM_OUTPUTS + 1];
  long shape[8];
  void *weights;
  double *times, *run_ms;
  int repeat = 1, positional = 0, i, r, only_cg = -1, forked = 0;
  unsigned long seed = 1;
  FILE *wf;

  for (i = 0; i < SWTC_NUM_INPUTS; ++i) input_path[i] = NULL;
  for (i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      printf("usage: %s [--weights FILE] [--input NAME=FILE.npy | FILE.npy ...]\n"
             "          [--output-dir DIR] [--repeat N] [--warmup W] [--seed S] [--cg K]\n"
             "Runs model '%s' (%d inputs, %d outputs); missing inputs are seeded random.\n"
             "W untimed runs (default 0), then N timed runs (default 1).\n"
             "Built for %d core group(s), each running 1/%d of the batch; --cg K runs only core\n"
             "group K's slice and writes DIR/<stem>.cgK.npy.\n",
             argv[0], SWTC_MODEL, SWTC_NUM_INPUTS, SWTC_NUM_OUTPUTS, SWTC_CORE_GROUPS,
             SWTC_CORE_GROUPS);
      return 0;
    } else if (!strcmp(a, "--weights") && i + 1 < argc) {
      weights_path = argv[++i];
    } else if (!strcmp(a, "--output-dir") && i + 1 < argc) {
      out_dir = argv[++i];
    } else if (!strcmp(a, "--repeat") && i + 1 < argc) {
      repeat = atoi(argv[++i]);
      if (repeat < 1) die("--repeat must be at least 1", NULL);
    } else if (!strcmp(a, "--warmup") && i + 1 < argc) {
      char *end;
      const char *v = argv[++i];
      warmup = (int)strtol(v, &end, 10);
      if (*v == 0 || *end != 0 || warmup < 0) die("--warmup wants a number >= 0", v);
    } else if (!strcmp(a, "--seed") && i + 1 < argc) {
      seed = strtoul(argv[++i], NULL, 10);
    } else if (!strcmp(a, "--cg") && i + 1 < argc) {
      char *end;
      const char *v = argv[++i];
      only_cg = (int)strtol(v, &end, 10);
      if (*v == 0 || *end != 0 || only_cg < 0 || only_cg >= SWTC_CORE_GROUPS) {
        char msg[96];
        sprintf(msg, "--cg wants a core group in 0..%d (this build has %d)",
                SWTC_CORE_GROUPS - 1, SWTC_CORE_GROUPS);
        die(msg, v);
      }
    } else if (!strcmp(a, "--input") && i + 1 < argc) {
      /* NAME is a whole input name followed by '=' (a name may hold '=' itself). */
      const char *spec = argv[++i];
      int k, found = 0;
      if (!strchr(spec, '=')) die("--input wants NAME=FILE.npy", spec);
      for (k = 0; k < SWTC_NUM_INPUTS; ++k) {
        const size_t len = strlen(SWTC_INPUT_NAMES[k]);
        if (!strncmp(SWTC_INPUT_NAMES[k], spec, len) && spec[len] == '=') {
          input_path[k] = spec + len + 1;
          found = 1;
        }
      }
      if (!found) die("no model input with this name", spec);
    } else if (a[0] != '-' && positional < SWTC_NUM_INPUTS) {
      input_path[positional++] = a;
    } else {
      die("unknown argument (see --help)", a);
    }
  }
#if SWTC_CORE_GROUPS > 1 && !SWTC_FORK_CORE_GROUPS
  if (only_cg < 0) {
    char msg[160];
    sprintf(msg, "built for %d core groups, and one process drives one core group: start one "
                 "process per core group with --cg K (K = 0..%d)",
            SWTC_CORE_GROUPS, SWTC_CORE_GROUPS - 1);
    die(msg, NULL);
  }
#endif

  weights = alloc64((size_t)SWTC_WEIGHTS_BYTES);
  wf = fopen(weights_path, "rb");
  if (!wf) die("cannot open weights file", weights_path);
  if (SWTC_WEIGHTS_BYTES > 0 &&
      fread(weights, 1, (size_t)SWTC_WEIGHTS_BYTES, wf) != (size_t)SWTC_WEIGHTS_BYTES)
    die("weights file is shorter than the model needs", weights_path);
  fclose(wf);

  /* Inputs and outputs of the whole batch. */
  for (i = 0; i < SWTC_NUM_INPUTS; ++i) {
    const char *dt = SWTC_INPUT_DTYPES[i];
    const size_t eb = elem_bytes(dt);
    long n, k;
    batch_shape(SWTC_INPUT_RANKS[i], SWTC_INPUT_SHAPES[i], shape);
    n = numel(SWTC_INPUT_RANKS[i], shape);
    in_all[i] = (char *)alloc64((size_t)n * eb);
    if (input_path[i]) {
      read_npy(input_path[i], in_all[i], dt, SWTC_INPUT_RANKS[i], shape);
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
  }
#if SWTC_FORK_CORE_GROUPS
  forked = only_cg < 0;
#endif
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i) {
    const size_t bytes = slice_bytes(1, i) * SWTC_CORE_GROUPS;
#if SWTC_FORK_CORE_GROUPS
    if (forked) {
      out_all[i] = (char *)shared_alloc(bytes);
      continue;
    }
#endif
    out_all[i] = (char *)alloc64(bytes);
  }

  /* times[k * repeat + r]: core group k's run r (shared with the children). */
#if SWTC_FORK_CORE_GROUPS
  times = forked ? (double *)shared_alloc(sizeof(double) * (size_t)repeat * SWTC_CORE_GROUPS)
                 : (double *)malloc(sizeof(double) * (size_t)repeat * SWTC_CORE_GROUPS);
  if (forked) fork_core_groups(weights, in_all, out_all, repeat, times);
#else
  times = (double *)malloc(sizeof(double) * (size_t)repeat * SWTC_CORE_GROUPS);
#endif
  run_ms = (double *)malloc(sizeof(double) * (size_t)repeat);
  if (!times || !run_ms) die("out of memory", NULL);
  if (!forked) {
    this_cg = only_cg;
#ifdef SWEMU
    if (only_cg >= 0 && SWTC_CORE_GROUPS > 1) swemu_set_core_group(only_cg); /* its own report */
#endif
    run_core_group(only_cg < 0 ? 0 : only_cg, weights, in_all, out_all, repeat, times);
  }
  /* A run's latency: the slowest core group's (they run side by side). */
  for (r = 0; r < repeat; ++r) {
    int k;
    run_ms[r] = times[r];
    for (k = 1; forked && k < SWTC_CORE_GROUPS; ++k)
      if (times[(size_t)k * repeat + r] > run_ms[r]) run_ms[r] = times[(size_t)k * repeat + r];
  }
  qsort(run_ms, (size_t)repeat, sizeof(double), cmp_double);
  printf("latency_ms median=%.6f min=%.6f runs=%d\n", run_ms[repeat / 2], run_ms[0], repeat);

  if (out_dir) {
    for (i = 0; i < SWTC_NUM_OUTPUTS; ++i) {
      char path[4096], suffix[32] = "";
      if (only_cg >= 0 && SWTC_CORE_GROUPS > 1) {
        /* This core group's slice only. */
        sprintf(suffix, ".cg%d", only_cg);
        output_path(path, sizeof path, out_dir, SWTC_OUTPUT_FILES[i], suffix);
        write_npy(path, out_all[i] + (size_t)only_cg * slice_bytes(1, i), SWTC_OUTPUT_DTYPES[i],
                  SWTC_OUTPUT_RANKS[i], SWTC_OUTPUT_SHAPES[i]);
        continue;
      }
      output_path(path, sizeof path, out_dir, SWTC_OUTPUT_FILES[i], suffix);
      batch_shape(SWTC_OUTPUT_RANKS[i], SWTC_OUTPUT_SHAPES[i], shape);
      write_npy(path, out_all[i], SWTC_OUTPUT_DTYPES[i], SWTC_OUTPUT_RANKS[i], shape);
    }
  }
  for (i = 0; i < SWTC_NUM_INPUTS; ++i) free(in_all[i]);
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i)
    if (!forked) free(out_all[i]);
  free(weights);
  if (!forked) free(times);
  free(run_ms);
  return 0;
}

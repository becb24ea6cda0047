/* swtc runner: the body of every generated main.c (C99).
 * The generated preamble defines SWTC_MODEL, SWTC_RUN, SWTC_NUM_INPUTS, ...
 *
 *   ./MODEL [--weights FILE] [--input NAME=FILE.npy | FILE.npy ...]
 *           [--output-dir DIR] [--repeat N] [--seed S]
 *
 * Inputs not given are filled with seeded uniform random values in [-1, 1)
 * (integer inputs: in 1..9). Each tensor has the element type of its .npy
 * descr in SWTC_INPUT_DTYPES / SWTC_OUTPUT_DTYPES ("<f4" float32, "|u1" uint8, ...).
 * Prints "latency_ms median=<m> min=<m> runs=<n>" and writes every output to
 * DIR/<name>.npy (characters outside [A-Za-z0-9_.-] replaced by '_'). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static void die(const char *what, const char *detail) {
  fprintf(stderr, "%s: error: %s%s%s\n", SWTC_MODEL, what, detail ? ": " : "", detail ? detail : "");
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

int main(int argc, char **argv) {
  const char *weights_path = SWTC_MODEL ".weights", *out_dir = NULL;
  const char *input_path[SWTC_NUM_INPUTS + 1];
  float *inputs[SWTC_NUM_INPUTS + 1], *outputs[SWTC_NUM_OUTPUTS + 1];
  void *weights, *workspace;
  double *times;
  int repeat = 1, positional = 0, i, r;
  unsigned long seed = 1;
  FILE *wf;

  for (i = 0; i < SWTC_NUM_INPUTS; ++i) input_path[i] = NULL;
  for (i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      printf("usage: %s [--weights FILE] [--input NAME=FILE.npy | FILE.npy ...]\n"
             "          [--output-dir DIR] [--repeat N] [--seed S]\n"
             "Runs model '%s' (%d inputs, %d outputs); missing inputs are seeded random.\n",
             argv[0], SWTC_MODEL, SWTC_NUM_INPUTS, SWTC_NUM_OUTPUTS);
      return 0;
    } else if (!strcmp(a, "--weights") && i + 1 < argc) {
      weights_path = argv[++i];
    } else if (!strcmp(a, "--output-dir") && i + 1 < argc) {
      out_dir = argv[++i];
    } else if (!strcmp(a, "--repeat") && i + 1 < argc) {
      repeat = atoi(argv[++i]);
      if (repeat < 1) die("--repeat must be at least 1", NULL);
    } else if (!strcmp(a, "--seed") && i + 1 < argc) {
      seed = strtoul(argv[++i], NULL, 10);
    } else if (!strcmp(a, "--input") && i + 1 < argc) {
      const char *spec = argv[++i], *eq = strchr(spec, '=');
      int k, found = 0;
      if (!eq) die("--input wants NAME=FILE.npy", spec);
      for (k = 0; k < SWTC_NUM_INPUTS; ++k)
        if (strlen(SWTC_INPUT_NAMES[k]) == (size_t)(eq - spec) &&
            !strncmp(SWTC_INPUT_NAMES[k], spec, (size_t)(eq - spec))) {
          input_path[k] = eq + 1;
          found = 1;
        }
      if (!found) die("no model input with this name", spec);
    } else if (a[0] != '-' && positional < SWTC_NUM_INPUTS) {
      input_path[positional++] = a;
    } else {
      die("unknown argument (see --help)", a);
    }
  }

  weights = alloc64((size_t)SWTC_WEIGHTS_BYTES);
  wf = fopen(weights_path, "rb");
  if (!wf) die("cannot open weights file", weights_path);
  if (SWTC_WEIGHTS_BYTES > 0 &&
      fread(weights, 1, (size_t)SWTC_WEIGHTS_BYTES, wf) != (size_t)SWTC_WEIGHTS_BYTES)
    die("weights file is shorter than the model needs", weights_path);
  fclose(wf);

  for (i = 0; i < SWTC_NUM_INPUTS; ++i) {
    long n = numel(SWTC_INPUT_RANKS[i], SWTC_INPUT_SHAPES[i]), k;
    const char *dt = SWTC_INPUT_DTYPES[i];
    const size_t eb = elem_bytes(dt);
    inputs[i] = (float *)alloc64((size_t)n * eb);
    if (input_path[i]) {
      read_npy(input_path[i], inputs[i], dt, SWTC_INPUT_RANKS[i], SWTC_INPUT_SHAPES[i]);
    } else {
      unsigned long s = seed * 2654435761UL + (unsigned long)i;
      for (k = 0; k < n; ++k) {
        s = s * 6364136223846793005UL + 1442695040888963407UL;
        if (dt[1] == 'f') {
          inputs[i][k] = (float)((double)((s >> 33) & 0xffffff) / 8388608.0 - 1.0);
        } else { /* integers 1..9, little-endian low bytes */
          unsigned long long v = 1 + (s >> 33) % 9;
          memcpy((char *)inputs[i] + (size_t)k * eb, &v, eb);
        }
      }
    }
  }
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i)
    outputs[i] = (float *)alloc64((size_t)numel(SWTC_OUTPUT_RANKS[i], SWTC_OUTPUT_SHAPES[i]) *
                                  elem_bytes(SWTC_OUTPUT_DTYPES[i]));
  workspace = alloc64((size_t)SWTC_WORKSPACE_BYTES);
#ifdef SWEMU
  swemu_register_buffer("weights", weights, (size_t)SWTC_WEIGHTS_BYTES);
  swemu_register_buffer("workspace", workspace, (size_t)SWTC_WORKSPACE_BYTES);
  for (i = 0; i < SWTC_NUM_INPUTS; ++i)
    swemu_register_buffer(SWTC_INPUT_NAMES[i], inputs[i],
                          (size_t)numel(SWTC_INPUT_RANKS[i], SWTC_INPUT_SHAPES[i]) *
                              elem_bytes(SWTC_INPUT_DTYPES[i]));
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i)
    swemu_register_buffer(SWTC_OUTPUT_NAMES[i], outputs[i],
                          (size_t)numel(SWTC_OUTPUT_RANKS[i], SWTC_OUTPUT_SHAPES[i]) *
                              elem_bytes(SWTC_OUTPUT_DTYPES[i]));
#endif
#if SWTC_TARGET_SUNWAY
  SWTC_SUNWAY_INIT();
#endif

  times = (double *)malloc(sizeof(double) * (size_t)repeat);
  if (!times) die("out of memory", NULL);
  for (r = 0; r < repeat; ++r) {
    double t0 = now_ms();
    if (SWTC_RUN(weights, (const float *const *)inputs, outputs, workspace) != 0)
      die("the model's run function failed", NULL);
    times[r] = now_ms() - t0;
  }
  qsort(times, (size_t)repeat, sizeof(double), cmp_double);
  printf("latency_ms median=%.3f min=%.3f runs=%d\n", times[repeat / 2], times[0], repeat);

  if (out_dir) {
    for (i = 0; i < SWTC_NUM_OUTPUTS; ++i) {
      char path[4096];
      size_t k, base;
      snprintf(path, sizeof path, "%s/", out_dir);
      base = strlen(path);
      for (k = 0; SWTC_OUTPUT_NAMES[i][k] && base + k + 5 < sizeof path; ++k) {
        char c = SWTC_OUTPUT_NAMES[i][k];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-';
        path[base + k] = ok ? c : '_';
      }
      strcpy(path + base + k, ".npy");
      write_npy(path, outputs[i], SWTC_OUTPUT_DTYPES[i], SWTC_OUTPUT_RANKS[i],
                SWTC_OUTPUT_SHAPES[i]);
    }
  }
#if SWTC_TARGET_SUNWAY
  SWTC_SUNWAY_HALT();
#endif
  for (i = 0; i < SWTC_NUM_INPUTS; ++i) free(inputs[i]);
  for (i = 0; i < SWTC_NUM_OUTPUTS; ++i) free(outputs[i]);
  free(weights);
  free(workspace);
  free(times);
  return 0;
}

/* Argument structs shared by the MPE and CPE sides of the emulator test
 * programs (plain C99, vendor API only). */
#ifndef SWEMU_TEST_ARGS_H
#define SWEMU_TEST_ARGS_H

#define NCPE 64

/* vecadd */
#define VA_PER_CPE 8192
#define VA_TILE 1024
#define VA_N (NCPE * VA_PER_CPE)
struct vecadd_args {
  float *a, *b, *c;
  unsigned long long *ldm_base; /* [NCPE] this CPE's LDM block start (SWEMU only) */
  int *ldm_ok;                  /* [NCPE] 1 if the LDM arrays lie in that block */
};

/* strided */
#define ST_R 64
#define ST_K 512
#define ST_CB 8 /* columns per CPE */
struct strided_args {
  float *m;   /* [ST_R][ST_K] */
  float *y;   /* [ST_R][ST_K] y = 2*m + id, written by strided put */
  float *t;   /* [NCPE*ST_CB][ST_R]: column j of m as row j */
};

/* barrier */
#define BA_ROUNDS 20
struct barrier_args {
  int *a;       /* [NCPE] scratch written in phase 1 */
  int *sum_all; /* [NCPE] result of the ARRAY_SCOPE rounds */
  int *sum_row; /* [NCPE] result of the ROW_SCOPE rounds */
  int *sum_col; /* [NCPE] result of the COL_SCOPE rounds */
  int deadlock; /* 1: CPE 0 skips a barrier */
};

/* counters */
struct counters_args {
  float *src; /* [NCPE * 256] */
  float *dst; /* [NCPE * 128] */
};

/* bad_dma */
enum bad_mode {
  BAD_NONE, BAD_GET_OOB, BAD_PUT_OOB, BAD_STRIDE_OOB, BAD_LDM_SIDE, BAD_MODE, BAD_LEN,
  BAD_REGISTERED, BAD_STATIC_OK, BAD_RODATA_PUT, BAD_REPLY, BAD_FREED, BAD_MPE_DMA, BAD_HANG
};
#define BAD_N 1024
#define BAD_CPE 17
struct bad_args {
  int mode;
  float *buf;  /* BAD_N floats (malloc'd) */
  float *out;  /* NCPE floats */
  float *stat; /* a static array of BAD_N floats */
  const float *rodata;
};

/* bcast: broadcast DMA (BCAST_MODE) */
#define BC_ROUNDS 8
#define BC_N 256 /* floats per broadcast block (1 KB) */
enum bcast_mode {
  BC_OK, BC_NO_SYN_AFTER, BC_RECEIVER_ISSUES, BC_PUT, BC_UNALIGNED_REPLY, BC_UNDELIVERED,
  BC_STACK, BC_STRIDED
};
struct bcast_args {
  int mode;
  float *src;     /* [(BC_ROUNDS + 8) * BC_N] */
  float *sum_all; /* [NCPE] sum over the rounds of the block broadcast to all */
  float *sum_row; /* [NCPE] sum over the rounds of the block broadcast to the CPE's row */
};

/* SW26010-Pro (crts.h) programs */
/* crts_vecadd: c = a + b, 64 CPEs, tiles of CV_TILE floats */
#define CV_PER_CPE 8192
#define CV_TILE 2048
#define CV_N (NCPE * CV_PER_CPE)
struct crts_vecadd_args {
  float *a, *b, *c;
  int *flags; /* [NCPE] written before the barrier, read by all after it */
  int *ok;    /* [NCPE] 1 if the CPE saw every flag after CRTS_ssync_array */
  int round;  /* flag value of this launch */
};

/* crts_strided: same shapes as strided */
struct crts_strided_args {
  float *m; /* [ST_R][ST_K] */
  float *y; /* [ST_R][ST_K] y = 2*m + id, written by a strided put */
  float *t; /* [NCPE*ST_CB][ST_R]: column j of m as row j */
};

/* crts_bad */
enum crts_bad_mode {
  CB_NONE, CB_GET_OOB, CB_PUT_OOB, CB_STRIDE_OOB, CB_LDM_SIDE, CB_REPLY, CB_LEN0, CB_LEN_BIG,
  CB_WAIT_HANG, CB_BLOCKING_OOB, CB_DEADLOCK, CB_MPE_DMA
};
struct crts_bad_args {
  int mode;
  float *buf; /* BAD_N floats (malloc'd) */
  float *out; /* NCPE floats */
};

#endif

/* CPE side of the strided-DMA test: gather a block of columns with a strided
 * get, scatter it back with a strided put; gather one column (bsize 4). */
#include <slave.h>
#include "args.h"

static __thread_local float blk[ST_R * ST_CB];
static __thread_local float col[ST_R];

void slave_strided_kernel(void *arg) {
  struct strided_args p = *(struct strided_args *)arg;
  volatile int reply = 0;
  int n = 0, i, j;
  int id = _MYID;
  /* columns [id*ST_CB, id*ST_CB+ST_CB) of m: ST_R blocks of ST_CB floats */
  athread_get(PE_MODE, p.m + id * ST_CB, &blk[0], ST_R * ST_CB * 4, (void *)&reply, 0,
              (ST_K - ST_CB) * 4, ST_CB * 4);
  n++;
  while (reply != n)
    ;
  for (i = 0; i < ST_R * ST_CB; i++) blk[i] = 2.0f * blk[i] + (float)id;
  athread_put(PE_MODE, &blk[0], p.y + id * ST_CB, ST_R * ST_CB * 4, (void *)&reply,
              (ST_K - ST_CB) * 4, ST_CB * 4);
  n++;
  while (reply != n)
    ;
  /* each single column of the block, transposed into t */
  for (j = 0; j < ST_CB; j++) {
    athread_get(PE_MODE, p.m + id * ST_CB + j, &col[0], ST_R * 4, (void *)&reply, 0,
                (ST_K - 1) * 4, 4);
    n++;
    while (reply != n)
      ;
    athread_put(PE_MODE, &col[0], p.t + (long)(id * ST_CB + j) * ST_R, ST_R * 4,
                (void *)&reply, 0, 0);
    n++;
    while (reply != n)
      ;
  }
}

/* CPE side of the SW26010-Pro strided-DMA test: gather a block of columns
 * with CRTS_dma_iget_stride, scatter it back with CRTS_dma_iput_stride; gather
 * single columns (bsize 4) and put them contiguously. */
#include <crts.h>
#include "args.h"

static __thread_local float blk[ST_R * ST_CB];
static __thread_local float col[ST_R];

void slave_crts_strided_kernel(void *arg) {
  struct crts_strided_args p = *(struct crts_strided_args *)arg;
  crts_rply_t reply = 0;
  int n = 0, i, j;
  int id = CRTS_tid;
  /* columns [id*ST_CB, id*ST_CB+ST_CB) of m: ST_R blocks of ST_CB floats,
   * (ST_K - ST_CB) floats skipped between blocks */
  CRTS_dma_iget_stride(&blk[0], p.m + id * ST_CB, ST_R * ST_CB * 4, ST_CB * 4,
                       (ST_K - ST_CB) * 4, &reply);
  CRTS_dma_wait_value(&reply, ++n);
  for (i = 0; i < ST_R * ST_CB; i++) blk[i] = 2.0f * blk[i] + (float)id;
  CRTS_dma_iput_stride(p.y + id * ST_CB, &blk[0], ST_R * ST_CB * 4, ST_CB * 4,
                       (ST_K - ST_CB) * 4, &reply);
  CRTS_dma_wait_value(&reply, ++n);
  for (j = 0; j < ST_CB; j++) {
    CRTS_dma_iget_stride(&col[0], p.m + id * ST_CB + j, ST_R * 4, 4, (ST_K - 1) * 4, &reply);
    CRTS_dma_wait_value(&reply, ++n);
    CRTS_dma_iput(p.t + (long)(id * ST_CB + j) * ST_R, &col[0], ST_R * 4, &reply);
    CRTS_dma_wait_value(&reply, ++n);
  }
}

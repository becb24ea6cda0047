/* CPE side of the barrier test: rounds of "write my value, barrier, read
 * everybody's, barrier" over the array, each row and each column. Without
 * the barriers the sums come out wrong. */
#include <slave.h>
#include "args.h"

static __thread_local int all[NCPE];
static __thread_local int mine;

static void put_mine(int *dst, volatile int *reply, int *n) {
  athread_put(PE_MODE, &mine, dst, 4, (void *)reply, 0, 0);
  (*n)++;
  while (*reply != *n)
    ;
}

void slave_barrier_kernel(void *arg) {
  struct barrier_args p = *(struct barrier_args *)arg;
  volatile int reply = 0;
  int n = 0, r, i;
  int id = _MYID, row = _ROW, col = _COL;
  int total = 0;
  /* the whole array */
  for (r = 0; r < BA_ROUNDS; r++) {
    mine = id * 1000 + r;
    put_mine(p.a + id, &reply, &n);
    if (!(p.deadlock && id == 0 && r == BA_ROUNDS - 1)) athread_syn(ARRAY_SCOPE, 0xffff);
    athread_get(PE_MODE, p.a, &all[0], NCPE * 4, (void *)&reply, 0, 0, 0);
    n++;
    while (reply != n)
      ;
    for (i = 0; i < NCPE; i++) total += all[i];
    athread_syn(ARRAY_SCOPE, 0xffff);
  }
  mine = total;
  put_mine(p.sum_all + id, &reply, &n);
  /* each row: 8 contiguous words */
  total = 0;
  for (r = 0; r < BA_ROUNDS; r++) {
    mine = id * 100 + r;
    put_mine(p.a + id, &reply, &n);
    athread_syn(ROW_SCOPE, 0xff);
    athread_get(PE_MODE, p.a + row * 8, &all[0], 8 * 4, (void *)&reply, 0, 0, 0);
    n++;
    while (reply != n)
      ;
    for (i = 0; i < 8; i++) total += all[i];
    athread_syn(ROW_SCOPE, 0xff);
  }
  mine = total;
  put_mine(p.sum_row + id, &reply, &n);
  /* each column: a strided gather of 8 words */
  total = 0;
  for (r = 0; r < BA_ROUNDS; r++) {
    mine = id * 10 + r;
    put_mine(p.a + id, &reply, &n);
    athread_syn(COL_SCOPE, 0xff);
    athread_get(PE_MODE, p.a + col, &all[0], 8 * 4, (void *)&reply, 0, 7 * 4, 4);
    n++;
    while (reply != n)
      ;
    for (i = 0; i < 8; i++) total += all[i];
    athread_syn(COL_SCOPE, 0xff);
  }
  mine = total;
  put_mine(p.sum_col + id, &reply, &n);
}

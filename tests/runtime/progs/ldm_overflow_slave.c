/* CPE side of the LDM overflow test: 70000 bytes of __thread_local data do
 * not fit in 64 KB of LDM. */
#include <slave.h>

#ifndef BIG_N
#define BIG_N 17500
#endif
__thread_local float big[BIG_N]; /* external: the compiler may not drop it */

void slave_big_kernel(void *arg) {
  int i;
  (void)arg;
  for (i = 0; i < BIG_N; i++) big[i] = (float)i;
}

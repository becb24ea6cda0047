/* CPE side of the LDM overflow test: 70000 bytes of __thread_local data do
 * not fit in 64 KB of LDM. */
#include <slave.h>

__thread_local float big[17500]; /* external: the compiler may not drop it */

void slave_big_kernel(void *arg) {
  int i;
  (void)arg;
  for (i = 0; i < 17500; i++) big[i] = (float)i;
}

/* CPE side of the SW26010-Pro LDM budget test: CRTS_LDM_FLOATS floats of
 * __thread_local data (default 51200 = 200 KB: fits in the Pro's 256 KB, not
 * in the SW26010's 64 KB; the build also makes a 300 KB variant). */
#include <crts.h>

#ifndef CRTS_LDM_FLOATS
#define CRTS_LDM_FLOATS 51200
#endif

__thread_local float big[CRTS_LDM_FLOATS]; /* external: the compiler may not drop it */

void slave_crts_big_kernel(void *arg) {
  int i;
  (void)arg;
  for (i = 0; i < CRTS_LDM_FLOATS; i++) big[i] = (float)i;
}

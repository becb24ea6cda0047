/* MPE side of the SW26010-Pro LDM budget test: prints "crts_ldm ran" if the
 * emulator accepted the kernel's __thread_local data. */
#include <crts.h>
#include <stdio.h>

extern void slave_crts_big_kernel(void *);

int main(void) {
  CRTS_init();
  CRTS_athread_spawn(crts_big_kernel, 0);
  CRTS_athread_join();
  printf("crts_ldm ran\n");
  return 0;
}

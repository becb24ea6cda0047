/* MPE side of the LDM overflow test: the emulator must stop at athread_init. */
#include <athread.h>
#include <stdio.h>

extern void slave_big_kernel(void *);

int main(void) {
  athread_init();
  athread_spawn(big_kernel, 0);
  athread_join();
  printf("ldm_overflow ran\n");
  return 0;
}

/* syscall_probe CALL: makes one system call that a task container's seccomp filter denies
 * and prints what the kernel answered, for tests/integration/runtime_confinement_test.cc.
 *
 *   add_key   adds a "user" key to the process keyring
 *   keyctl    asks for the ID of the session keyring
 *
 * Prints "CALL: ok" and exits 0 when the call succeeded, "CALL: <strerror>" and exits 1
 * when it failed, 2 on a usage error. Built static (gcc -static) into the test image. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEY_SPEC_SESSION_KEYRING (-3)
#define KEY_SPEC_PROCESS_KEYRING (-2)
#define KEYCTL_GET_KEYRING_ID 0

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: syscall_probe add_key|keyctl\n");
    return 2;
  }
  long r;
  if (strcmp(argv[1], "add_key") == 0) {
    r = syscall(SYS_add_key, "user", "shoal-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING);
  } else if (strcmp(argv[1], "keyctl") == 0) {
    r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1);
  } else {
    fprintf(stderr, "syscall_probe: unknown call %s\n", argv[1]);
    return 2;
  }
  if (r < 0) {
    printf("%s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  printf("%s: ok\n", argv[1]);
  return 0;
}

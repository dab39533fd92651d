/* The native side of bench/wakeup-floor.ts.
 *   echo PORT     connects to 127.0.0.1:PORT and writes back every byte it reads, one read and one write
 *                 per wake-up: its CPU per message is this machine's price of waking a process for one
 *                 small message, without a language runtime.
 *   echo syscall  prints the nanoseconds of the cheapest system call (getppid), in a hot loop. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int syscall_cost(void) {
  const int n = 1000000;
  double start = seconds();
  for (int i = 0; i < n; i++) syscall(SYS_getppid);
  printf("%.0f\n", (seconds() - start) / n * 1e9);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  if (strcmp(argv[1], "syscall") == 0) return syscall_cost();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) return 1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return 0;
    if (write(fd, buf, (size_t)n) != n) return 1;
  }
}

// stat() round trips on one path for a number of seconds; prints calls per second.
// usage: statloop <path> <seconds>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: statloop <path> <seconds>\n");
    return 2;
  }
  double seconds = atof(argv[2]);
  struct stat st;
  if (stat(argv[1], &st) != 0) {
    perror(argv[1]);
    return 1;
  }
  long calls = 0;
  double start = now(), end = start + seconds, t = start;
  // Check the clock every 256 calls: reading it costs little next to a FUSE round trip anyway.
  while (t < end) {
    for (int i = 0; i < 256; i++) {
      if (stat(argv[1], &st) != 0) {
        perror(argv[1]);
        return 1;
      }
    }
    calls += 256;
    t = now();
  }
  printf("%.0f\n", calls / (t - start));
  return 0;
}

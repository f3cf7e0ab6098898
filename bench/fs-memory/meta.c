// The metadata loop of the fs-memory benchmark: create, stat, list and unlink N files in one
// directory, timing each phase. Prints one JSON object of seconds per phase.
//   meta <dir> <count>
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void fail(const char *what, const char *path) {
  perror(path);
  fprintf(stderr, "meta: %s failed\n", what);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: meta <dir> <count>\n"); return 2; }
  if (chdir(argv[1]) != 0) fail("chdir", argv[1]);
  int count = atoi(argv[2]);
  char name[64];
  struct stat st;

  double t0 = now();
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "file-%06d", i);
    int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) fail("create", name);
    close(fd);
  }
  double t1 = now();
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "file-%06d", i);
    if (stat(name, &st) != 0) fail("stat", name);
  }
  double t2 = now();
  DIR *dir = opendir(".");
  if (dir == NULL) fail("opendir", ".");
  int seen = 0;
  while (readdir(dir) != NULL) seen++;
  closedir(dir);
  if (seen != count + 2) { fprintf(stderr, "meta: readdir saw %d entries, expected %d\n", seen, count + 2); return 1; }
  double t3 = now();
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "file-%06d", i);
    if (unlink(name) != 0) fail("unlink", name);
  }
  double t4 = now();
  printf("{\"create\":%f,\"stat\":%f,\"readdir\":%f,\"unlink\":%f}\n", t1 - t0, t2 - t1, t3 - t2, t4 - t3);
  return 0;
}

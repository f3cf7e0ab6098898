/*
 * The stat()/fstat() driver of fusekit's low-level benchmark, run as a child process (never by
 * the process that serves the mount).
 *
 *   statloop stat  <path> <seconds>   stat(path) in a loop; prints
 *                                     "<calls> <seconds> <calls/s> <warm-up calls>"
 *   statloop fstat <path> <seconds>   fstat() on one open fd of path, likewise
 *   statloop check <path> <size>      checks the size and a few reads of the peers' pattern
 *                                     (byte at offset o is o & 0xff); prints "ok" or fails
 *
 * A measuring run first warms up for a tenth of its duration, then counts calls until the
 * duration is over (the clock is read every 256 calls).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "statloop: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

/* Calls one stat or fstat; returns how many calls ran until `until`. */
static unsigned long loop(int use_fd, const char *path, int fd, double until)
{
	struct stat st;
	unsigned long n = 0;
	for (;;) {
		for (int i = 0; i < 256; i++) {
			if (use_fd ? fstat(fd, &st) : stat(path, &st))
				die(use_fd ? "fstat" : "stat", path);
		}
		n += 256;
		if (now() >= until)
			return n;
	}
}

static int check(const char *path, long long size)
{
	struct stat st;
	static unsigned char buf[1 << 20];
	const long long offsets[] = { 0, 4096, 12345, size / 2 + 77, size - 4096, size - 100 };
	if (stat(path, &st))
		die("stat", path);
	if (st.st_size != size) {
		fprintf(stderr, "statloop: %s has size %lld, expected %lld\n", path, (long long) st.st_size, size);
		return 1;
	}
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die("open", path);
	for (size_t k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
		long long off = offsets[k];
		size_t want = (size_t) (size - off < (long long) sizeof(buf) ? size - off : (long long) sizeof(buf));
		size_t got = 0;
		while (got < want) {
			ssize_t r = pread(fd, buf + got, want - got, off + got);
			if (r < 0)
				die("pread", path);
			if (r == 0)
				break;
			got += r;
		}
		if (got != want) {
			fprintf(stderr, "statloop: short read at %lld: %zu of %zu\n", off, got, want);
			return 1;
		}
		for (size_t i = 0; i < got; i++) {
			if (buf[i] != (unsigned char) ((off + i) & 0xff)) {
				fprintf(stderr, "statloop: wrong byte at %lld\n", off + (long long) i);
				return 1;
			}
		}
	}
	ssize_t r = pread(fd, buf, 4096, size);
	if (r != 0) {
		fprintf(stderr, "statloop: read past the end answered %zd\n", r);
		return 1;
	}
	close(fd);
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: statloop stat|fstat <path> <seconds> | statloop check <path> <size>\n");
		return 2;
	}
	const char *mode = argv[1], *path = argv[2];
	if (strcmp(mode, "check") == 0)
		return check(path, atoll(argv[3]));
	int use_fd = strcmp(mode, "fstat") == 0;
	if (!use_fd && strcmp(mode, "stat") != 0) {
		fprintf(stderr, "statloop: unknown mode %s\n", mode);
		return 2;
	}
	double seconds = atof(argv[3]);
	int fd = -1;
	if (use_fd && (fd = open(path, O_RDONLY)) < 0)
		die("open", path);
	unsigned long warm = loop(use_fd, path, fd, now() + seconds / 10);
	double start = now();
	unsigned long n = loop(use_fd, path, fd, start + seconds);
	double elapsed = now() - start;
	printf("%lu %.6f %.1f %lu\n", n, elapsed, n / elapsed, warm);
	if (fd >= 0)
		close(fd);
	return 0;
}

/*
  The C peer of fusekit's low-level benchmark: libfuse 3's low-level API, doing exactly what the
  other peers do. Adapted from libfuse's example/hello_ll.c (Debian ships it in
  /usr/share/doc/libfuse3-dev/examples): zero attr/entry timeouts, one 1 GiB file `data` whose
  byte at offset o is (o & 0xff), answered from memory, opened with direct_io.

  Copyright (C) 2001-2007  Miklos Szeredi <miklos@szeredi.hu> (hello_ll.c)
  This program can be distributed under the terms of the GNU GPLv2.

  Build: cc -O2 -Wall bench_ll.c $(pkg-config fuse3 --cflags --libs) -o bench_ll
  Run:   bench_ll -s -o default_permissions,auto_unmount <mountpoint>
  It prints "ready" once mounted; SIGINT/SIGTERM (also sent when its parent dies) unmount.
*/

#define FUSE_USE_VERSION 34

#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <sys/prctl.h>

#define FILE_SIZE (1024LL * 1024 * 1024)
#define MAX_READ (1024 * 1024)

static const char *file_name = "data";
/* The pattern repeats every 256 bytes, so any read is one slice of this buffer. */
static unsigned char pattern[MAX_READ + 256];

static int bench_stat(fuse_ino_t ino, struct stat *stbuf)
{
	stbuf->st_ino = ino;
	switch (ino) {
	case 1:
		stbuf->st_mode = S_IFDIR | 0755;
		stbuf->st_nlink = 2;
		break;
	case 2:
		stbuf->st_mode = S_IFREG | 0444;
		stbuf->st_nlink = 1;
		stbuf->st_size = FILE_SIZE;
		break;
	default:
		return -1;
	}
	return 0;
}

static void bench_init(void *userdata, struct fuse_conn_info *conn)
{
	(void) userdata;
	/* The same background limits fusekit asks for by default (async direct I/O uses them). */
	conn->max_background = 64;
	conn->congestion_threshold = 48;
}

static void bench_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat stbuf;
	(void) fi;
	memset(&stbuf, 0, sizeof(stbuf));
	if (bench_stat(ino, &stbuf) == -1)
		fuse_reply_err(req, ENOENT);
	else
		fuse_reply_attr(req, &stbuf, 0.0);
}

static void bench_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	if (parent != 1 || strcmp(name, file_name) != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = 2;
	e.attr_timeout = 0.0;
	e.entry_timeout = 0.0;
	bench_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

struct dirbuf {
	char *p;
	size_t size;
};

static void dirbuf_add(fuse_req_t req, struct dirbuf *b, const char *name, fuse_ino_t ino)
{
	struct stat stbuf;
	size_t oldsize = b->size;
	b->size += fuse_add_direntry(req, NULL, 0, name, NULL, 0);
	b->p = (char *) realloc(b->p, b->size);
	memset(&stbuf, 0, sizeof(stbuf));
	stbuf.st_ino = ino;
	fuse_add_direntry(req, b->p + oldsize, b->size - oldsize, name, &stbuf, b->size);
}

#define min(x, y) ((x) < (y) ? (x) : (y))

static void bench_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	struct dirbuf b;
	(void) fi;
	if (ino != 1) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	memset(&b, 0, sizeof(b));
	dirbuf_add(req, &b, ".", 1);
	dirbuf_add(req, &b, "..", 1);
	dirbuf_add(req, &b, file_name, 2);
	if ((size_t) off < b.size)
		fuse_reply_buf(req, b.p + off, min(b.size - off, size));
	else
		fuse_reply_buf(req, NULL, 0);
	free(b.p);
}

static void bench_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != 2)
		fuse_reply_err(req, EISDIR);
	else if ((fi->flags & O_ACCMODE) != O_RDONLY)
		fuse_reply_err(req, EACCES);
	else {
		fi->direct_io = 1;
		fuse_reply_open(req, fi);
	}
}

static void bench_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	(void) fi;
	if (ino != 2) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if (off >= FILE_SIZE) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	size = min(size, (size_t) (FILE_SIZE - off));
	size = min(size, (size_t) MAX_READ);
	fuse_reply_buf(req, (const char *) pattern + (off & 0xff), size);
}

static const struct fuse_lowlevel_ops bench_ll_oper = {
	.init		= bench_init,
	.lookup		= bench_lookup,
	.getattr	= bench_getattr,
	.readdir	= bench_readdir,
	.open		= bench_open,
	.read		= bench_read,
};

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_session *se;
	struct fuse_cmdline_opts opts;
	struct fuse_loop_config config;
	int ret = -1;

	/* The bench may be killed outright: then SIGTERM ends the loop and unmounts, as Ctrl-C does. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 1;

	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (unsigned char) (i & 0xff);

	if (fuse_parse_cmdline(&args, &opts) != 0)
		return 1;
	if (opts.show_help || opts.mountpoint == NULL) {
		printf("usage: %s [-s] [-o options] <mountpoint>\n\n", argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		ret = opts.show_help ? 0 : 1;
		goto err_out1;
	}

	se = fuse_session_new(&args, &bench_ll_oper, sizeof(bench_ll_oper), NULL);
	if (se == NULL)
		goto err_out1;
	if (fuse_set_signal_handlers(se) != 0)
		goto err_out2;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto err_out3;

	printf("ready\n");
	fflush(stdout);

	/* Block until SIGINT/SIGTERM or fusermount3 -u */
	if (opts.singlethread)
		ret = fuse_session_loop(se);
	else {
		config.clone_fd = opts.clone_fd;
		config.max_idle_threads = opts.max_idle_threads;
		ret = fuse_session_loop_mt(se, &config);
	}

	fuse_session_unmount(se);
err_out3:
	fuse_remove_signal_handlers(se);
err_out2:
	fuse_session_destroy(se);
err_out1:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	return ret ? 1 : 0;
}

// The cases: Python bodies over the probe helpers (see probe.ts), each run in a fresh directory.
// A case lists the errnos it is about, so a case that stops reaching its error path fails too.
import { asRoot, asUser, type PosixCase } from './case-kinds.js';
import { permissionCases } from './cases-permissions.js';

export type { PosixCase, Runner } from './case-kinds.js';

export const cases: PosixCase[] = [
  // ---- regular files
  asRoot(
    'create, write, read, fstat',
    `
    fd = open_('f', os.O_CREAT | os.O_RDWR, 0o644)
    write(fd, b'hello world'); pread(fd, 100, 0); pread(fd, 5, 6); pread(fd, 5, 100)
    fstat(fd); close(fd); stat('f'); cat('f')
  `,
  ),
  asRoot(
    'open errors',
    `
    put('f', b'x'); mkdir('d')
    open_('f', os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    open_('missing', os.O_RDONLY); open_('d', os.O_WRONLY); open_('d', os.O_RDWR)
    open_('f', os.O_RDONLY | os.O_DIRECTORY); open_('f/x', os.O_RDONLY); open_('f/x', os.O_CREAT | os.O_WRONLY, 0o644)
    open_('nodir/x', os.O_CREAT | os.O_WRONLY, 0o644)
  `,
    ['EEXIST', 'ENOENT', 'EISDIR', 'ENOTDIR'],
  ),
  asRoot(
    'O_TRUNC and O_APPEND',
    `
    put('f', b'0123456789')
    fd = open_('f', os.O_WRONLY | os.O_APPEND); write(fd, b'ab'); lseek(fd, 0, os.SEEK_SET); write(fd, b'cd'); close(fd)
    cat('f')
    fd = open_('f', os.O_RDWR | os.O_TRUNC); fstat(fd); write(fd, b'new'); close(fd); cat('f')
  `,
  ),
  asRoot(
    'truncate and ftruncate',
    `
    put('f', b'abcdef'); mkdir('d')
    truncate('f', 3); cat('f'); truncate('f', 10000); stat('f'); cat('f')
    truncate('f', 0); stat('f'); truncate('f', -1); truncate('d', 0); truncate('missing', 0)
    fd = open_('f', os.O_RDONLY); ftruncate(fd, 5); close(fd)
    fd = open_('f', os.O_RDWR); ftruncate(fd, 4096 * 3 + 7); fstat(fd); close(fd)
  `,
    ['EINVAL', 'EISDIR', 'ENOENT'],
  ),
  asRoot(
    'bad file descriptors',
    `
    put('f', b'abc')
    fd = open_('f', os.O_RDONLY); write(fd, b'x'); close(fd)
    fd = open_('f', os.O_WRONLY); read(fd, 3); close(fd)
    read(fd, 1); close(fd)
  `,
    ['EBADF'],
  ),
  asRoot(
    'a 5 GiB sparse file costs what is written',
    `
    fd = open_('big', os.O_CREAT | os.O_RDWR, 0o644)
    pwrite(fd, b'end', 5 * 2**30); pwrite(fd, b'start', 0); fstat(fd)
    pread(fd, 5, 0); pread(fd, 4, 2**32); pread(fd, 10, 5 * 2**30)
    lseek(fd, 4096, os.SEEK_DATA); lseek(fd, 0, os.SEEK_HOLE); close(fd)
  `,
  ),
  asRoot(
    'lseek SEEK_DATA and SEEK_HOLE',
    `
    fd = open_('f', os.O_CREAT | os.O_RDWR, 0o644)
    lseek(fd, 0, os.SEEK_DATA); lseek(fd, 0, os.SEEK_HOLE)
    pwrite(fd, b'a' * 100, 0); pwrite(fd, b'b' * 5000, 65536); ftruncate(fd, 200000)
    for off in [0, 50, 4095, 4096, 10000, 65536, 65537, 70000, 199999, 200000, 300000]:
        lseek(fd, off, os.SEEK_DATA); lseek(fd, off, os.SEEK_HOLE)
    lseek(fd, -1, os.SEEK_SET); close(fd)
  `,
    ['ENXIO', 'EINVAL'],
  ),
  asRoot(
    'fallocate: allocate, keep size, punch hole',
    `
    fd = open_('f', os.O_CREAT | os.O_RDWR, 0o644)
    posix_fallocate(fd, 0, 10000); fstat(fd)
    fallocate(fd, 1, 10000, 20000); fstat(fd)
    pwrite(fd, b'x' * 30000, 0)
    fallocate(fd, 3, 4096, 8192); fstat(fd); pread(fd, 10, 4096); pread(fd, 10, 4090)
    fallocate(fd, 3, 100, 10); pread(fd, 20, 95)
    fallocate(fd, 2, 0, 4096); fallocate(fd, 0, 0, 0); posix_fallocate(fd, -1, 10)
    close(fd); fd = open_('f', os.O_RDONLY); posix_fallocate(fd, 0, 10); close(fd)
  `,
    ['EINVAL', 'EBADF'],
  ),
  asRoot(
    'copy_file_range',
    `
    put('a', bytes(range(256)) * 100); put('b', b'')
    fa = open_('a', os.O_RDONLY); fb = open_('b', os.O_RDWR)
    copy_file_range(fa, fb, 1000, 10, 0); copy_file_range(fa, fb, 100000, 25000, 1000)
    copy_file_range(fa, fb, 10, 30000, 0); fstat(fb)
    copy_file_range(fb, fa, 10, 0, 0)
    close(fa); close(fb); cat('b')
  `,
    ['EBADF'],
  ),
  asRoot(
    'unlinked open file keeps its data until closed',
    `
    put('f', b'data')
    fd = open_('f', os.O_RDWR); unlink('f'); stat('f'); fstat(fd)
    pwrite(fd, b'more', 4); pread(fd, 10, 0); fstat(fd); close(fd); listdir()
  `,
    ['ENOENT'],
  ),
  asRoot(
    'O_TMPFILE files, then linkat from /proc/self/fd',
    `
    links = lambda fd: note('links', os.fstat(fd).st_nlink)
    mkdir('d'); fd = open_('d', os.O_TMPFILE | os.O_RDWR, 0o640); write(fd, b'unnamed'); links(fd); listdir('d')
    linkat_fd(fd, 'd/named'); links(fd); listdir('d'); cat('d/named'); linkat_fd(fd, 'd/named')
    pwrite(fd, b'more', 7); close(fd); cat('d/named'); lstat('d/named')
    ex = open_('d', os.O_TMPFILE | os.O_RDWR | os.O_EXCL, 0o600); links(ex); linkat_fd(ex, 'd/never'); close(ex)
    open_('d', os.O_TMPFILE | os.O_RDONLY); open_('d/named', os.O_TMPFILE | os.O_RDWR); listdir('d')
  `,
    ['EEXIST', 'ENOENT', 'EINVAL', 'ENOTDIR'],
  ),
  asRoot(
    'statx birth time: set once, kept through changes, renames and links',
    `
    put('f', b'x'); birth('f', 'f'); mkdir('d'); birth('d', 'd'); tick()
    put('f', b'more', 'ab'); chmod('f', 0o600); utime('f', ns=(5, 6)); birth('f', 'f'); tick()
    rename('f', 'd/g'); birth('f', 'd/g'); link('d/g', 'h'); birth('f', 'h'); put('d/x', b''); birth('d', 'd')
    fd = open_('d', os.O_TMPFILE | os.O_RDWR, 0o600); birth('t', '/proc/self/fd/%d' % fd); tick()
    linkat_fd(fd, 'd/t'); birth('t', 'd/t'); close(fd)
  `,
  ),
  asRoot(
    'names: NAME_MAX and ENAMETOOLONG',
    `
    n255 = 'n' * 255; n256 = 'n' * 256
    put(n255, b'x'); stat(n255); mkdir('d' * 255); listdir()
    open_(n256, os.O_CREAT | os.O_WRONLY, 0o644); mkdir(n256); stat(n256); symlink('x', n256)
    link(n255, n256); rename(n255, n256); namemax()
  `,
    ['ENAMETOOLONG'],
  ),
  asRoot(
    'paths deeper than PATH_MAX, reached step by step',
    `
    name = 'd' * 250
    for i in range(20):
        mkdir(name); os.chdir(name)
    put('f', b'deep'); cat('f'); stat('f'); symlink('f', 'l'); readlink('l'); lstat('l'); link('f', 'h'); stat('h')
    rename('h', 'g'); truncate('g', 2); cat('g'); chmod('g', 0o600); stat('g'); mknod('p', 0o600 | S.S_IFIFO)
    setxattr('g', 'user.deep', b'1'); getxattr('g', 'user.deep'); listxattr('g'); removexattr('g', 'user.deep')
    fd = open_('g', os.O_RDWR); ftruncate(fd, 3); fstat(fd); close(fd); utime('g', (1, 2)); times('g')
    mkdir('sub'); listdir(); rmdir('sub'); rmdir('g'); rename('g', 'f'); unlink('f'); unlink('l'); unlink('p'); listdir()
    for i in range(20):
        os.chdir('..'); rmdir(name)
    listdir()
  `,
    ['ENOTDIR'],
  ),
  asRoot(
    'names are bytes, not text',
    `
    for name in [b'caf\\xc3\\xa9', b'bad\\xff\\xfe', b' sp ace ', b'new\\nline', b'-dash']:
        put(name, name); cat(name)
    note('names', sorted(os.listdir(b'.')))
  `,
  ),
  asRoot(
    'symlink loops: ELOOP',
    `
    symlink('b', 'a'); symlink('a', 'b'); symlink('target', 'l'); put('target', b'x')
    open_('a', os.O_RDONLY); stat('a'); lstat('a')
    open_('l', os.O_RDONLY | os.O_NOFOLLOW); cat('l')
  `,
    ['ELOOP'],
  ),

  asRoot(
    'EXDEV across filesystems',
    `
    put('f', b'x'); mkdir('d')
    rename('f', '/sys/fusekit-exdev'); link('f', '/sys/fusekit-exdev'); rename('d', '/sys/fusekit-exdev')
    listdir()
  `,
    ['EXDEV'],
  ),

  // ---- directories
  asRoot(
    'mkdir and rmdir',
    `
    mkdir('d', 0o750); stat('d'); stat('.'); mkdir('d/e'); stat('d')
    mkdir('d'); mkdir('missing/x'); rmdir('d'); rmdir('d/e'); stat('d')
    put('f', b''); rmdir('f'); unlink('d'); rmdir('d/.'); rmdir('missing'); mkdir('f/x')
    rmdir('d'); stat('.')
  `,
    ['EEXIST', 'ENOENT', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR', 'EINVAL'],
  ),
  asRoot(
    'readdir lists every entry once',
    `
    for i in range(300): put('f%03d' % i, b'')
    for i in range(0, 300, 3): unlink('f%03d' % i)
    mkdir('sub'); symlink('x', 'sl')
    names = os.listdir('.'); note('count', len(names)); note('unique', len(set(names))); listdir()
    note('scandir', sorted((e.name, e.is_dir(follow_symlinks=False), e.is_symlink()) for e in os.scandir('.')))
    stat('.')
  `,
  ),
  asRoot(
    'readdir while entries come and go',
    `
    for i in range(400): put('k%03d' % i, b'')
    seen = []
    with os.scandir('.') as it:
        for n, e in enumerate(it):
            seen.append(e.name)
            if n % 7 == 0:
                _put('new%03d' % n, b'')
                try: os.unlink('k%03d' % (399 - n))
                except FileNotFoundError: pass
    stay = set('k%03d' % i for i in range(400)) - set('k%03d' % (399 - n) for n in range(0, 400, 7))
    note('no repeats', len(seen) == len(set(seen))); note('none skipped', stay <= set(seen))
  `,
  ),
  asRoot(
    'directory link counts and sizes',
    `
    mkdir('a'); mkdir('a/b'); mkdir('a/c'); put('a/f', b''); stat('a')
    rename('a/b', 'b'); stat('a'); stat('b'); rmdir('a/c'); stat('a')
  `,
  ),

  // ---- links
  asRoot(
    'hard links',
    `
    put('f', b'x'); mkdir('d')
    link('f', 'g'); stat('f'); link('f', 'd/h'); stat('d/h'); unlink('f'); stat('g')
    link('d', 'e'); link('g', 'd/h'); link('missing', 'x'); link('g', 'missing/x')
    cat('d/h')
  `,
    ['EPERM', 'EEXIST', 'ENOENT'],
  ),
  asRoot(
    'symbolic links',
    `
    symlink('target', 'l'); readlink('l'); lstat('l'); stat('l')
    put('target', b'abc'); stat('l'); cat('l')
    symlink('x', 'l'); readlink('target'); readlink('missing')
    symlink('t' * 4095, 'long'); readlink('long'); lstat('long'); symlink('t' * 4096, 'toolong')
    symlink('', 'empty'); lchown('l', 7, 8); lstat('l')
  `,
    ['EEXIST', 'EINVAL', 'ENOENT', 'ENAMETOOLONG'],
  ),

  // ---- rename
  asRoot(
    'rename',
    `
    put('a', b'a'); put('b', b'b'); mkdir('d'); mkdir('e'); mkdir('full'); put('full/x', b'')
    rename('a', 'a2'); rename('a2', 'd/a'); cat('d/a'); rename('d/a', 'b'); cat('b'); listdir()
    rename('b', 'd'); rename('d', 'b'); rename('d', 'full'); rename('d', 'd/sub'); rename('missing', 'x')
    rename('d', 'e'); listdir(); stat('.'); rename('e', 'full/e'); stat('full')
    link('b', 'b2'); rename('b', 'b2'); listdir(); rename('.', 'x'); rename('full', 'full/e/x')
  `,
    ['EISDIR', 'ENOTDIR', 'ENOTEMPTY', 'EINVAL', 'ENOENT'],
  ),
  asRoot(
    'a file keeps its inode number across renames, links and the kernel forgetting it',
    `
    put('a', b'a'); put('b', b'b'); mkdir('d'); ino = os.stat('a').st_ino; dino = os.stat('d').st_ino
    rename('a', 'b'); link('b', 'd/c'); note('renamed over, linked', [os.stat(p).st_ino == ino for p in ['b', 'd/c']])
    _put('/proc/sys/vm/drop_caches', b'2'); time.sleep(0.2)
    note('after the kernel forgot them', [os.stat(p).st_ino == ino for p in ['b', 'd/c']] + [os.stat('d/.').st_ino == dino])
    rename('d/c', 'e'); note('renamed once more', os.stat('e').st_ino == ino)
  `,
  ),
  asRoot(
    'rename with RENAME_NOREPLACE',
    `
    put('a', b'a'); put('b', b'b')
    renameat2('a', 'b', 1); renameat2('a', 'c', 1); listdir(); renameat2('missing', 'z', 1)
  `,
    ['EEXIST', 'ENOENT'],
  ),
  asRoot(
    'rename with RENAME_EXCHANGE',
    `
    put('f', b'file'); mkdir('d'); put('d/inner', b''); mkdir('p'); mkdir('p/q')
    renameat2('f', 'd', 2); cat('d'); listdir('f'); stat('.')
    renameat2('d', 'p/q', 2); stat('p'); stat('.'); listdir('p'); listdir('d')
    renameat2('f', 'missing', 2); renameat2('f', 'f', 3); renameat2('p', 'p/d', 2)
  `,
    ['ENOENT', 'EINVAL'],
  ),

  // ---- special files
  asRoot(
    'fifos, sockets and device nodes',
    `
    mkfifo('fifo', 0o640); lstat('fifo'); mkfifo('fifo')
    mknod('sock', S.S_IFSOCK | 0o600); lstat('sock')
    mknod('chr', S.S_IFCHR | 0o600, os.makedev(1, 3)); lstat('chr')
    mknod('blk', S.S_IFBLK | 0o600, os.makedev(7, 0)); lstat('blk')
    mknod('reg', S.S_IFREG | 0o600); lstat('reg'); listdir()
  `,
    ['EEXIST'],
  ),
  asUser(
    'device nodes need privilege',
    '',
    `
    mknod('chr', S.S_IFCHR | 0o600, os.makedev(1, 3)); mkfifo('fifo'); lstat('fifo')
  `,
    ['EPERM'],
  ),

  // ---- extended attributes
  asRoot(
    'xattrs: set, get, list, remove, flags',
    `
    put('f', b''); mkdir('d')
    setxattr('f', 'user.a', b'1'); setxattr('f', 'user.b', b''); getxattr('f', 'user.a'); getxattr('f', 'user.b')
    listxattr('f'); setxattr('f', 'user.a', b'2', os.XATTR_CREATE); setxattr('f', 'user.c', b'3', os.XATTR_REPLACE)
    setxattr('f', 'user.a', b'22', os.XATTR_REPLACE); getxattr('f', 'user.a'); setxattr('f', 'user.n', b'', os.XATTR_CREATE)
    removexattr('f', 'user.a'); removexattr('f', 'user.a'); getxattr('f', 'user.a'); listxattr('f')
    setxattr('d', 'user.dir', b'v'); getxattr('d', 'user.dir'); getxattr('missing', 'user.a')
    setxattr('f', 'trusted.t', b'root'); getxattr('f', 'trusted.t'); setxattr('f', 'security.s', b'x')
  `,
    ['EEXIST', 'ENODATA', 'ENOENT'],
  ),
  asRoot(
    'xattrs: limits and namespaces',
    `
    put('f', b''); symlink('f', 'l'); mkfifo('p')
    setxattr('f', 'user.big', b'v' * 65536); getxattr('f', 'user.big'); setxattr('f', 'user.huge', b'v' * 65537)
    setxattr('f', 'user.' + 'n' * 250, b''); setxattr('f', 'user.' + 'n' * 251, b'')
    setxattr('f', 'bogus.x', b''); getxattr('f', 'bogus.x')
    lsetxattr('l', 'user.x', b''); setxattr('p', 'user.x', b''); getxattr('p', 'user.x')
  `,
    ['E2BIG', 'ERANGE', 'ENOTSUP', 'EPERM'],
  ),
  asUser(
    'xattrs as a non-owner',
    `
    put('mine', b''); os.chown('mine', 1000, 1000); put('theirs', b''); os.chmod('theirs', 0o644)
    os.setxattr('theirs', 'user.x', b'1'); os.setxattr('theirs', 'trusted.t', b'1')
  `,
    `
    setxattr('mine', 'user.a', b'1'); getxattr('mine', 'user.a')
    setxattr('theirs', 'user.a', b'1'); getxattr('theirs', 'user.x'); listxattr('theirs'); removexattr('theirs', 'user.x')
    getxattr('theirs', 'trusted.t'); setxattr('mine', 'trusted.t', b'1')
  `,
    ['EACCES', 'EPERM'],
  ),
  ...permissionCases,

  // ---- timestamps: which of atime/mtime/ctime each call moves
  asRoot(
    'timestamps per operation',
    `
    mkdir('d'); put('d/f', b'x'); stamp('d', 'd/f'); tick()
    put('d/g', b''); changed('d', 'd/f'); stamp('d/g'); tick()
    put('d/f', b'more', 'ab'); changed('d', 'd/f'); tick()
    cat('d/f'); changed('d/f'); tick(); cat('d/f'); changed('d/f'); tick()
    chmod('d/f', 0o600); changed('d/f'); tick(); chown('d/f', 3, 3); changed('d/f'); tick()
    link('d/f', 'd/h'); changed('d', 'd/f'); tick(); unlink('d/h'); changed('d', 'd/f'); tick()
    rename('d/g', 'd/g2'); changed('d', 'd/f'); stamp('d/g2'); tick()
    truncate('d/f', 5); changed('d/f'); tick(); truncate('d/f', 2); changed('d/f'); tick()
    setxattr('d/f', 'user.x', b'1'); changed('d/f'); tick(); listdir('d'); changed('d'); tick()
    utime('d/f', ns=(123456789123456789, 987654321987654321)); times('d/f'); changed('d/f'); tick()
    fd = open_('d/f', os.O_WRONLY | os.O_TRUNC); changed('d/f'); close(fd); tick()
    mkdir('d/sub'); changed('d'); tick(); rmdir('d/sub'); changed('d'); tick()
    symlink('x', 'd/l'); changed('d'); stamp('d/l'); tick(); readlink('d/l'); changed('d/l')
  `,
  ),

  // ---- locks and memory mapping
  asRoot(
    'flock and POSIX record locks',
    `
    put('f', b'x' * 100)
    fd = open_('f', os.O_RDWR); flock(fd, fcntl.LOCK_EX); flock_other('f', fcntl.LOCK_SH | fcntl.LOCK_NB)
    flock(fd, fcntl.LOCK_UN); flock_other('f', fcntl.LOCK_EX | fcntl.LOCK_NB)
    lockf(fd, fcntl.LOCK_EX, 0, 10); lockf_child(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 5, 10)
    lockf_child(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 10); lockf(fd, fcntl.LOCK_UN, 0, 10)
    lockf_child(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 0, 10); close(fd)
  `,
    ['EAGAIN'],
  ),
  asRoot(
    'shared memory maps read and write the file',
    `
    put('f', b'\\0' * 8192)
    fd = os.open('f', os.O_RDWR); m = mmap.mmap(fd, 8192)
    m[0:5] = b'hello'; m[4096:4101] = b'world'; m.flush(); m.close(); os.close(fd)
    cat('f'); fd = open_('f', os.O_RDWR); pwrite(fd, b'HELLO', 0); m = mmap.mmap(fd, 8192); note('map', m[0:5]); m.close(); close(fd)
  `,
  ),
];

# The randomized exerciser: drives two directory trees (a filesystem under test and tmpfs) with
# the same seeded sequence of mixed operations, and after every step compares each operation's
# outcome and the full state of both trees. Prints a JSON summary; exits 1 at the first difference.
#   python3 exerciser.py <root-a> <root-b> <seed> <steps>
import ctypes, errno, hashlib, json, os, random, stat, sys

ROOTS = sys.argv[1:3]
rng = random.Random(int(sys.argv[3]))
STEPS = int(sys.argv[4])
libc = ctypes.CDLL(None, use_errno=True)
DIRS = ['', 'a', 'b', 'a/c']
NAMES = ['f0', 'f1', 'f2', 'f3', 'd0', 'l0']
fds = [[], []]  # descriptors kept open, the same positions in both trees


def check(r):
    if r != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def path():
    return os.path.join(rng.choice(DIRS), rng.choice(NAMES))


def choose():
    """Draws one operation: a name and arguments, identical for both trees."""
    op = rng.choice(['write', 'write', 'append', 'truncate', 'read', 'unlink', 'mkdir', 'rmdir', 'rename',
                     'rename2', 'link', 'symlink', 'chmod', 'setxattr', 'removexattr', 'punch', 'allocate',
                     'copy', 'keep', 'fdwrite', 'fdread', 'fdclose', 'utime', 'readdir'])
    p, q = path(), path()
    n = rng.randrange(0, 70000)
    off = rng.choice([0, rng.randrange(0, 4096), rng.randrange(0, 200000)])
    return op, p, q, n, off, rng.randrange(256), rng.randrange(3)


def apply(i, root, op, p, q, n, off, byte, flag):
    a, b = os.path.join(root, p), os.path.join(root, q)
    if op in ('write', 'append'):
        fd = os.open(a, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if op == 'append' else 0), 0o644)
        try:
            return os.pwrite(fd, bytes([byte]) * n, off) if op == 'write' else os.write(fd, bytes([byte]) * n)
        finally:
            os.close(fd)
    if op == 'truncate': return os.truncate(a, off)
    if op == 'read':
        with open(a, 'rb') as f:
            f.seek(off)
            return hashlib.sha1(f.read(n)).hexdigest()
    if op == 'unlink': return os.unlink(a)
    if op == 'mkdir': return os.mkdir(a, 0o755)
    if op == 'rmdir': return os.rmdir(a)
    if op == 'rename': return os.rename(a, b)
    if op == 'rename2': return check(libc.renameat2(-100, a.encode(), -100, b.encode(), flag))
    if op == 'link': return os.link(a, b)
    if op == 'symlink': return os.symlink(q, a)
    if op == 'chmod': return os.chmod(a, 0o600 + (n % 0o200))
    if op == 'setxattr': return os.setxattr(a, 'user.k%d' % flag, bytes([byte]) * (n % 300), follow_symlinks=False)
    if op == 'removexattr': return os.removexattr(a, 'user.k%d' % flag, follow_symlinks=False)
    if op in ('punch', 'allocate'):
        fd = os.open(a, os.O_WRONLY)
        try:
            return check(libc.fallocate(fd, 3 if op == 'punch' else flag & 1, ctypes.c_long(off), ctypes.c_long(n + 1)))
        finally:
            os.close(fd)
    if op == 'copy':
        src, dst = os.open(a, os.O_RDONLY), os.open(b, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            return os.copy_file_range(src, dst, n, 0, off)
        finally:
            os.close(src); os.close(dst)
    if op == 'keep':
        fds[i].append(os.open(a, os.O_RDWR))
        return len(fds[i])
    if op in ('fdwrite', 'fdread', 'fdclose'):
        if not fds[i]: return 'none'
        fd = fds[i][n % len(fds[i])]
        if op == 'fdwrite': return os.pwrite(fd, bytes([byte]) * (n % 9000), off)
        if op == 'fdread': return hashlib.sha1(os.pread(fd, n, off)).hexdigest()
        fds[i].remove(fd)
        return os.close(fd)
    if op == 'utime': return os.utime(a, ns=(off * 1000 + 7, n * 1000 + 9), follow_symlinks=False)
    if op == 'readdir': return sorted(os.listdir(a))


def outcome(i, root, step):
    try:
        return ['ok', apply(i, root, *step)]
    except OSError as e:
        return ['err', errno.errorcode.get(e.errno, e.errno)]


def snapshot(root):
    """Everything observable about a tree but timestamps (apart from explicitly set ones)."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            entry = [stat.filemode(st.st_mode), st.st_nlink, st.st_size, st.st_blocks]
            if stat.S_ISREG(st.st_mode):
                with open(full, 'rb') as f: entry.append(hashlib.sha1(f.read()).hexdigest())
            if stat.S_ISLNK(st.st_mode): entry.append(os.readlink(full))
            else: entry.append(sorted((k, os.getxattr(full, k).hex()) for k in os.listxattr(full)))
            state[os.path.relpath(full, root)] = entry
    return state


for d in DIRS[1:]:
    for root in ROOTS: os.makedirs(os.path.join(root, d), exist_ok=True)
counts = {}
for n in range(STEPS):
    step = choose()
    results = [outcome(i, root, step) for i, root in enumerate(ROOTS)]
    counts[step[0]] = counts.get(step[0], 0) + 1
    states = [snapshot(root) for root in ROOTS]
    if results[0] != results[1] or states[0] != states[1]:
        diff = {k: [states[0].get(k), states[1].get(k)] for k in set(states[0]) | set(states[1]) if states[0].get(k) != states[1].get(k)}
        print(json.dumps({'step': n, 'op': step, 'results': results, 'differences': diff}))
        sys.exit(1)
print(json.dumps({'steps': STEPS, 'ops': counts, 'entries': len(states[0])}))

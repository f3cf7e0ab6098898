// The cases about permissions and ownership, run as an unprivileged user (see cases.ts).
import { asRoot, asUser, type PosixCase } from './case-kinds.js';

export const permissionCases: PosixCase[] = [
  // ---- permissions and ownership, as an unprivileged user
  asUser(
    'permissions: a user in a directory owned by root',
    `
    os.mkdir('ro', 0o755); os.mkdir('priv', 0o700); put('priv/f', b''); put('secret', b's'); os.chmod('secret', 0o600)
    put('pub', b'p'); os.chmod('pub', 0o644); put('ro/f', b'')
  `,
    `
    open_('ro/new', os.O_CREAT | os.O_WRONLY, 0o644); mkdir('ro/d'); unlink('ro/f'); rename('ro/f', 'x')
    open_('secret', os.O_RDONLY); open_('pub', os.O_WRONLY); cat('pub'); stat('priv/f'); listdir('priv')
    chmod('pub', 0o777); chown('pub', 1000, 1000); utime('pub', ns=(1, 2)); utime('pub'); truncate('pub', 0)
    access('pub', os.R_OK); access('pub', os.W_OK); access('secret', os.R_OK); symlink('x', 'ro/l'); link('pub', 'ro/h')
  `,
    ['EACCES', 'EPERM'],
  ),
  asUser(
    'ownership: chmod, chown and chgrp by the owner',
    `
    put('f', b''); os.chown('f', 1000, 1000); put('g', b''); os.chown('g', 1000, 0)
  `,
    `
    chmod('f', 0o600); stat('f'); chown('f', 1001, -1); chown('f', -1, 1001); chown('f', -1, 1000); chown('f', 1000, -1)
    chmod('f', 0o2755); stat('f'); chmod('g', 0o2755); stat('g'); chmod('f', 0o4755); stat('f')
    utime('f', ns=(10**18 + 5, 10**18 + 7)); times('f'); utime('f'); open_('f', os.O_RDONLY | os.O_NOATIME)
  `,
    ['EPERM'],
  ),
  asUser(
    "the sticky bit protects other users' files",
    `
    os.mkdir('t'); os.chmod('t', 0o1777); put('t/theirs', b''); os.chown('t/theirs', 1001, 1001); os.chmod('t/theirs', 0o666)
    put('t/mine', b''); os.chown('t/mine', 1000, 1000)
  `,
    `
    unlink('t/theirs'); rename('t/theirs', 't/x'); rename('t/mine', 't/theirs'); put('t/theirs', b'w'); unlink('t/mine'); listdir('t')
  `,
    ['EPERM'],
  ),
  asUser(
    'setgid directories hand down their group',
    `
    os.mkdir('g'); os.chown('g', 0, 4242); os.chmod('g', 0o2777)
  `,
    `
    put('g/f', b''); stat('g/f'); mkdir('g/d'); stat('g/d'); mkdir('g/d/e'); stat('g/d/e')
    fd = open_('g/x', os.O_CREAT | os.O_WRONLY, 0o2775); fstat(fd); close(fd)
  `,
  ),
  asUser(
    'writing clears setuid and setgid',
    `
    put('f', b''); os.chown('f', 1000, 1000); os.chmod('f', 0o6777); put('r', b''); os.chmod('r', 0o4777)
  `,
    `
    stat('f'); put('f', b'x', 'ab'); stat('f'); stat('r'); put('r', b'x', 'ab'); stat('r')
  `,
  ),
  asUser(
    'truncating clears setuid and setgid, not a setgid without group execute',
    `
    for n in ('t', 'o', 'k'): put(n, b'abc'); os.chown(n, 1000, 1000)
    os.chmod('t', 0o6777); os.chmod('o', 0o6777); os.chmod('k', 0o2766)
  `,
    `
    truncate('t', 1); stat('t'); fd = open_('o', os.O_WRONLY | os.O_TRUNC); close(fd); stat('o')
    put('k', b'x', 'ab'); stat('k'); truncate('k', 1); stat('k')
  `,
  ),
  asUser(
    "a caller outside the file's group loses even a setgid without group execute",
    `
    for n in ('w', 't', 'o', 'f'): put(n, b'abc'); os.chown(n, 1001, 1001); os.chmod(n, 0o2767)
  `,
    `
    put('w', b'x', 'ab'); stat('w'); truncate('t', 1); stat('t')
    fd = open_('o', os.O_WRONLY | os.O_TRUNC); close(fd); stat('o')
    fd = open_('f', os.O_WRONLY); ftruncate(fd, 1); close(fd); stat('f')
  `,
  ),
  asUser(
    'chown by the owner keeps a setgid without group execute only from a group of theirs',
    `
    put('f', b''); os.chown('f', 1000, 1001); os.chmod('f', 0o2745)
    put('k', b''); os.chown('k', 1000, 1000); os.chmod('k', 0o2745)
  `,
    `
    chown('f', -1, 1000); stat('f'); chown('k', -1, 1000); stat('k')
  `,
  ),
  asRoot(
    'writing as root keeps setuid and setgid',
    `
    put('f', b''); chmod('f', 0o6755); put('f', b'x', 'ab'); stat('f'); truncate('f', 0); stat('f')
  `,
  ),
  asRoot(
    'chown by root clears setuid',
    `
    put('f', b''); chmod('f', 0o6755); chown('f', 5, 5); stat('f'); chmod('f', 0o6755); chown('f', -1, -1); stat('f')
  `,
  ),
  asUser(
    'umask applies to new files',
    '',
    `
    os.umask(0o027); put('f', b''); stat('f'); mkdir('d'); stat('d'); mkfifo('p'); lstat('p'); os.umask(0); mkdir('e', 0o777); stat('e')
  `,
  ),
  asUser(
    'a mode of 0 locks out the owner, not root',
    `
    put('f', b'x'); os.chown('f', 1000, 1000); os.chmod('f', 0)
  `,
    `
    open_('f', os.O_RDONLY); access('f', os.R_OK); chmod('f', 0o400); cat('f')
  `,
    ['EACCES'],
  ),
];

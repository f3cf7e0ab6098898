// Mounts with `mountFn`, says "ready", and unmounts on SIGINT/SIGTERM or when stdin closes
// (the bench died).
export async function serve(mountFn) {
  const mountpoint = process.argv[2];
  if (!mountpoint) {
    console.error('usage: node <peer>.mjs <mountpoint>');
    process.exit(2);
  }
  const session = await mountFn(mountpoint);
  console.log('ready');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    session.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop).resume();
  await session.closed;
}

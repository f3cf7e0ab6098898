# The metadata driver's four phases with the FUSE requests each sent, counted by the kernel's
# fuse:fuse_request_send tracepoint: shows how many unlinks needed a LOOKUP first (names past
# their entry timeout), which is what the four-phase unlink rate mostly depends on.
# As root, with perf (linux-perf), on a mounted filesystem:
#   python3 requests-per-phase.py <dir on the mount> <count>
import collections, os, re, subprocess, sys, tempfile, time

directory, count = sys.argv[1], int(sys.argv[2])
data = os.path.join(tempfile.mkdtemp(), 'requests.data')
# perf stamps events with CLOCK_MONOTONIC here, the clock of time.monotonic() below.
perf = subprocess.Popen(['perf', 'record', '-q', '-k', 'CLOCK_MONOTONIC', '-a', '-e', 'fuse:fuse_request_send', '-o', data],
                        stderr=subprocess.DEVNULL)
time.sleep(1.5)  # perf's start-up, before the first phase
os.mkdir(directory)
names = [f"{directory}/file-{i:05d}" for i in range(count)]
marks = [time.monotonic()]
for p in names: os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
marks.append(time.monotonic())
for p in names: os.stat(p)
marks.append(time.monotonic())
os.listdir(directory)
marks.append(time.monotonic())
for p in names: os.unlink(p)
marks.append(time.monotonic())
os.rmdir(directory)
perf.send_signal(2)
perf.wait()

script = subprocess.run(['perf', 'script', '-i', data, '-F', 'time,trace'], capture_output=True, text=True).stdout
phases = ['create', 'stat', 'readdir', 'unlink']
counts = [collections.Counter() for _ in phases]
for line in script.splitlines():
    m = re.match(r'\s*([\d.]+):.*\((FUSE_\w+)\)', line)
    if m is None: continue
    t = float(m.group(1))
    for k in range(len(phases)):
        if marks[k] <= t < marks[k + 1]: counts[k][m.group(2)[5:]] += 1
for k, phase in enumerate(phases):
    print('%-8s %9.0f/s  %s' % (phase, count / (marks[k + 1] - marks[k]), dict(counts[k].most_common())))

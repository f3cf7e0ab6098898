# Listing driver: lists directories of N names made on the host side (nothing through the mount has
# looked at them); prints names listed per second as JSON.
# - "getdents loop": os.listdir (opendir + readdir until the end, what `ls -f` does), median of 5
#   runs; the kernel asks READDIRPLUS for the first request of each run, READDIR after.
# - "ls -l": `ls -l` of another such directory, once: a listing, then lstat of every name, which
#   readdirplus answers ahead of time where the kernel asks for it.
#   python3 listing.py <dir on the mount> <the same dir on the host> <count>
import json, os, subprocess, sys, time

mount, host, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for d in ("plain", "long"):
    os.mkdir(f"{host}/{d}")
    for i in range(count): os.close(os.open(f"{host}/{d}/file-{i:05d}", os.O_CREAT | os.O_WRONLY, 0o644))

def timed(body):
    start = time.perf_counter()
    body()
    return time.perf_counter() - start

def listdir():
    assert len(os.listdir(f"{mount}/plain")) == count

runs = sorted(timed(listdir) for _ in range(5))
rates = {"getdents loop": count / runs[2]}
rates["ls -l"] = count / timed(lambda: subprocess.run(["ls", "-l", f"{mount}/long"], check=True, stdout=subprocess.DEVNULL))
print(json.dumps(rates))

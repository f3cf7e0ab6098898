# Metadata driver: create, stat, list and unlink N empty files in a fresh directory <dir>;
# prints each phase's rate (operations per second) as JSON.
#   python3 metadata.py <dir> <count>
import json, os, sys, time

directory, count = sys.argv[1], int(sys.argv[2])
os.mkdir(directory)
names = [f"{directory}/file-{i:05d}" for i in range(count)]
rates = {}

def phase(name, body, ops):
    start = time.perf_counter()
    body()
    rates[name] = ops / (time.perf_counter() - start)

def create():
    for p in names: os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
def stat():
    for p in names: os.stat(p)
def readdir():
    assert len(os.listdir(directory)) == count
def unlink():
    for p in names: os.unlink(p)

phase("create", create, count)
phase("stat", stat, count)
phase("readdir", readdir, count)
phase("unlink", unlink, count)
os.rmdir(directory)
print(json.dumps(rates))

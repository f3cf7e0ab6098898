# Metadata driver: create, stat, list and unlink N empty files in a fresh directory <dir>;
# prints each phase's rate (operations per second) as JSON.
# The kernel asks the filesystem again (LOOKUP) before unlinking a name whose entry timeout has run
# out, so how many of the four-phase unlinks cost two requests depends on how long the phases
# before took: a filesystem with a faster stat phase gets more expired names. A fifth phase
# unlinks N names all past their entry timeout (1 s under cache=auto), the same work on every peer.
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

os.mkdir(directory)
create()
time.sleep(1.5)
phase("unlink (entries expired)", unlink, count)
os.rmdir(directory)
print(json.dumps(rates))

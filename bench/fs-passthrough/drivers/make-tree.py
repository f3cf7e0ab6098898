# Writes a tarball of a generated source-like tree: 10 top directories x 10 subdirectories x
# 100 files (10,000 files, 110 directories), sizes 0-16 KiB, deterministic.
#   python3 make-tree.py <out.tar>
import io, random, sys, tarfile

rng = random.Random(42)
with tarfile.open(sys.argv[1], "w") as tar:
    for a in range(10):
        for b in range(10):
            for c in range(100):
                size = rng.choice([0, 100, 1000, 4000, 16000]) + rng.randrange(100)
                info = tarfile.TarInfo(f"tree/d{a}/s{b}/file-{c:03d}.txt")
                info.size, info.mode, info.mtime = size, 0o644, 1_600_000_000
                tar.addfile(info, io.BytesIO(bytes([97 + (a + b + c) % 26]) * size))

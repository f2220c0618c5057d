"""``vsg --help`` and ``vsg --version`` wall time (issue 16's target: < 0.5 s), against
``vsg games`` (which imports the library), best of 5 each.  Prints a table and writes
``benchmarks/results/bench_cli_startup.json``."""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path


def best_of(argv: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    vsg = shutil.which("vsg") or str(Path(sys.executable).with_name("vsg"))
    rows = {" ".join(args): best_of([vsg, *args]) for args in (["--help"], ["--version"],
                                                               ["games"])}
    for command, seconds in rows.items():
        print(f"vsg {command:<10} {seconds:.3f} s")
    out = Path(__file__).parent / "results" / "bench_cli_startup.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": "vsg start-up", "machine": platform.machine(),
                               "seconds": rows}, indent=1))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

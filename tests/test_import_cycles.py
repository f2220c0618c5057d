"""The package has no import cycle, counting function-level imports too
(tools/check_import_cycles.py builds the module graph from the source with ``ast``)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_no_import_cycles():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "check_import_cycles.py"),
                           str(ROOT / "vsg_pyro"), "--all"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 import cycle(s)" in done.stdout


def test_the_checker_finds_a_cycle(tmp_path):
    pkg = tmp_path / "cyc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from cyc import b\n")
    (pkg / "b.py").write_text("import cyc.a\n")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "check_import_cycles.py"),
                           str(pkg)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "cyc.a" in done.stdout and "cyc.b" in done.stdout

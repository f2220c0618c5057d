# All set-up goes through here: `make demo` and `make test` create .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow bench bench-peers lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The pinned CPU wheel first: any other torch requirement would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/vsg demo

test: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

bench: $(STAMP)
	$(PY) benchmarks/bench_vpg.py
	$(PY) benchmarks/bench_large_states.py
	$(PY) benchmarks/bench_sparse_states.py
	$(PY) benchmarks/bench_svi.py
	$(PY) benchmarks/bench_concepts.py
	$(PY) benchmarks/bench_mean_field.py
	$(PY) benchmarks/bench_opponent.py
	$(PY) benchmarks/bench_mai.py
	$(PY) benchmarks/bench_cli_startup.py

# Peers side by side, in their own virtualenv (the project never depends on them).
PEERS := .venv-peers
$(PEERS)/.installed: pyproject.toml
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet torch==2.13.0
	$(PEERS)/bin/python -m pip install --quiet -e . pygambit
	# sgamesolver 1.0.2 builds its Cython extension against the installed numpy and uses
	# np.NaN (removed in numpy 2), so numpy < 2 here, and a pandas built for it.
	$(PEERS)/bin/python -m pip install --quiet "numpy<2" "pandas<3" cython
	$(PEERS)/bin/python -m pip install --quiet --no-build-isolation sgamesolver==1.0.2
	touch $(PEERS)/.installed

# MFGLib 0.3.0 needs numpy >= 2 (sgamesolver above needs numpy < 2): its own virtualenv.
MFGLIB := .venv-mfglib
$(MFGLIB)/.installed: pyproject.toml
	$(PYTHON) -m venv $(MFGLIB)
	$(MFGLIB)/bin/python -m pip install --quiet --upgrade pip
	$(MFGLIB)/bin/python -m pip install --quiet torch==2.13.0
	$(MFGLIB)/bin/python -m pip install --quiet -e . mfglib==0.3.0
	touch $(MFGLIB)/.installed

# bench_peers.py runs its Gambit size sweep, then bench_peers_qre.py, bench_peers_markov.py
# and (in MFGLib's virtualenv) bench_peers_mfglib.py, and merges their JSON
bench-peers: $(PEERS)/.installed $(MFGLIB)/.installed
	$(PEERS)/bin/python benchmarks/bench_peers.py --mfglib-python $(MFGLIB)/bin/python

lint: $(STAMP)
	$(VENV)/bin/ruff check vsg_pyro tests benchmarks examples

clean:
	rm -rf $(VENV) $(PEERS) $(MFGLIB) build *.egg-info

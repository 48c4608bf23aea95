"""The warm parent of on-demand runs: the module the multiprocessing forkserver preloads.

Imported once per server process, in its forkserver only (never in the server): one BLAS
thread before numpy loads and no allocator thread, so the forkserver holds no thread but
its own when it forks (a forked child keeps only the thread that forked it: a pool's
other threads would be missing, and a pool waiting on them would hang); then the imports
and the BLAS buffers every run needs. Each child starts from this warm state in
milliseconds instead of paying ~1.3 CPU-seconds of imports.
"""
import importlib
import os
import sys

from experiments.framework.isolated import THREAD_VARIABLES, WARM_IMPORTS, warm_blas

if "numpy" in sys.modules:  # its BLAS pool is sized at import: too late to limit it here
    raise RuntimeError("experiments.framework.zygote must be imported before numpy")
os.environ.update(dict.fromkeys(THREAD_VARIABLES, "1"))
# pyarrow's bundled jemalloc (not its default pool) starts a purging thread when loaded
os.environ["JE_ARROW_MALLOC_CONF"] = "background_thread:false"

for _name in (*WARM_IMPORTS, "experiments.framework.registry", "experiments.framework.store",
              "experiments.framework.experiment", "experiments.framework.params"):
    importlib.import_module(_name)
warm_blas()

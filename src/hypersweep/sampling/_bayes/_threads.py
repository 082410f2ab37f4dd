"""Run the sampler's linear algebra on one BLAS thread.

The GP's matrices are small (at most a few thousand rows), so a multi-threaded BLAS
spends more time waking and joining its threads than it gains: on the 2-core benchmark
machine a suggestion at 200 observations took 0.19 s with OpenBLAS's default threads
and 0.10 s with one, and 0.42 s against 0.29 s at 1,000. The cores are better left to
the trials running next to the controller.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread"]

_controller: ThreadpoolController | None = None


def one_blas_thread() -> AbstractContextManager[object]:
    """A context in which BLAS calls of this process use a single thread."""
    global _controller
    if _controller is None:  # inspecting the loaded libraries costs about 1 ms, once
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")

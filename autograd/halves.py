"""A batch run as two halves at once, in this thread and in a helper thread.

The kernels and numpy's matrix products release the GIL, so two Python
threads, each on half of the batch with buffers of its own, keep both cores
busy; the two halves' parameter gradients are then added. The hand-off costs
tens of microseconds, so only a batch with enough work is split
(`PARALLEL_MIN_WORK`). `autograd.kernels.loss_and_grad` and
`autograd.blocks.Program.loss_and_grad` both split by this rule.

Examples
--------
>>> done = []
>>> run_halves(done.append)
>>> sorted(done)
[0, 1]
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait

from autograd.tape import Tape

PARALLEL_MIN_WORK = int(os.environ.get("TAPEGRAD_PARALLEL_MIN_WORK", 3_000_000))
"""The work (samples × (instructions + dot terms)) above which two halves pay off.

Below it, handing half the batch to a thread costs more than it saves
(measured by benchmarks/run.py, see its README).
"""

_helper_thread: ThreadPoolExecutor | None = None


def splits(tape: Tape, batch: int) -> bool:
    """Whether running ``batch`` samples of ``tape`` as two halves in two threads pays off.

    Examples
    --------
    >>> from autograd.tape import trace
    >>> tape = trace(lambda x: x[0] * x[1], n_inputs=2, params=[])
    >>> splits(tape, 1024), splits(tape, 10_000_000)  # one instruction: only a huge batch
    (False, True)
    """
    return batch % 2 == 0 and batch * (len(tape) + len(tape.terms)) >= PARALLEL_MIN_WORK


def run_halves(run: Callable[[int], None]) -> None:
    """``run(0)`` and ``run(1)`` at once: in this thread, and in a helper thread.

    Whichever thread is free first takes half 1: on a busy machine the helper
    may not get a core before this thread is done with half 0, which then
    runs half 1 too instead of waiting.
    """
    global _helper_thread
    if _helper_thread is None:
        _helper_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tapegrad")
    pending = [1]

    def claim() -> None:
        try:
            c = pending.pop()  # atomic: one thread gets it
        except IndexError:
            return
        run(c)

    helper = _helper_thread.submit(claim)
    try:
        run(0)
        claim()
    finally:  # the buffers are not free before the helper is done
        wait([helper])
    helper.result()

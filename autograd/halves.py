"""A batch run as two halves at once, in this thread and in a helper thread.

The kernels release the GIL, so two Python threads, each on half of the
batch with buffers of its own, keep both cores busy; the two halves'
parameter gradients are then added. The hand-off costs tens of microseconds
(waking the helper, and then this thread, are a system call each), so only a
batch with enough work is split
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
import threading
from collections.abc import Callable

from autograd.tape import Tape

PARALLEL_MIN_WORK = int(os.environ.get("TAPEGRAD_PARALLEL_MIN_WORK", 3_000_000))
"""The work (samples × (instructions + dot terms)) above which two halves pay off.

Below it, handing half the batch to a thread costs more than it saves
(measured by benchmarks/run.py, see its README).
"""


class _Helper:
    """A thread that runs one task at a time when ``go`` is released, then releases ``done``.

    Two plain locks as a hand-off: cheaper than an executor's queue and futures
    (about 15 µs a step of the hand-off's 70).
    """

    def __init__(self) -> None:
        self.go, self.done, self.busy = threading.Lock(), threading.Lock(), threading.Lock()
        self.go.acquire()
        self.done.acquire()
        self.task: Callable[[], None] = lambda: None
        self.error: BaseException | None = None
        threading.Thread(target=self._serve, name="tapegrad-halves", daemon=True).start()

    def _serve(self) -> None:
        while True:
            self.go.acquire()
            try:
                self.task()
            except BaseException as error:  # handed to the caller, raised there
                self.error = error
            finally:
                self.done.release()


_helper: _Helper | None = None


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
    runs half 1 too instead of waiting. Another thread already using the
    helper: this one runs both halves itself.
    """
    global _helper
    if _helper is None:
        _helper = _Helper()
    helper, pending = _helper, [1]

    def claim() -> None:
        try:
            c = pending.pop()  # atomic: one thread gets it
        except IndexError:
            return
        run(c)

    if not helper.busy.acquire(blocking=False):
        run(0)
        claim()
        return
    try:
        helper.task, helper.error = claim, None
        helper.go.release()
        try:
            run(0)
            claim()
        finally:  # the buffers are not free before the helper is done
            helper.done.acquire()
        if helper.error is not None:
            raise helper.error
    finally:
        helper.busy.release()

"""Two halves at once: each half runs once, an error in either reaches the caller."""

import threading
import time

import pytest

from autograd.halves import run_halves


def test_each_half_runs_once_and_the_helper_takes_one_when_it_can():
    threads = {}

    def run(c):
        threads.setdefault(c, []).append(threading.current_thread().name)
        if c == 0:
            time.sleep(0.002)  # native work, the GIL released: the helper has time to wake

    for _ in range(50):
        run_halves(run)
    assert all(len(threads[c]) == 50 for c in (0, 1))
    assert set(threads[0]) == {threading.current_thread().name}  # half 0: always the caller
    assert "tapegrad-halves" in threads[1]


def test_an_error_in_either_half_is_raised_and_the_helper_serves_the_next_call():
    for bad in (0, 1):

        def run(c, bad=bad):
            if c == bad:
                raise ZeroDivisionError(f"half {c}")

        with pytest.raises(ZeroDivisionError, match=f"half {bad}"):
            run_halves(run)
    done = []
    run_halves(done.append)
    assert sorted(done) == [0, 1]


def test_two_callers_at_once_each_get_both_halves():
    results = {}
    start = threading.Barrier(2)

    def caller(name):
        start.wait()
        done = []
        for _ in range(100):
            run_halves(done.append)
        results[name] = sorted(done)

    workers = [threading.Thread(target=caller, args=(k,)) for k in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert results == {0: sorted([0, 1] * 100), 1: sorted([0, 1] * 100)}

from __future__ import annotations

import threading

import pytest

from ctxasr.asr.background import Background


def test_result_is_the_calls_value_and_none_is_a_value() -> None:
    assert Background(lambda a, b: a + b, 2, 3).result() == 5
    assert Background(lambda: None).result() is None


def test_the_calls_exception_is_raised_in_the_callers_thread() -> None:
    def fail() -> int:
        raise ValueError("broken pass")

    work = Background(fail)
    with pytest.raises(ValueError, match="broken pass"):
        work.result()


def test_the_call_runs_beside_the_caller_and_is_timed() -> None:
    started = threading.Event()
    release = threading.Event()

    def call() -> str:
        started.set()
        release.wait(timeout=10)
        return "done"

    work = Background(call)
    assert started.wait(timeout=10)  # running before result() is asked for
    release.set()
    assert work.result() == "done"
    assert work.ms > 0.0


def test_wait_outlasts_the_call_and_keeps_its_error_for_result() -> None:
    release = threading.Event()

    def fail() -> int:
        release.wait(timeout=10)
        raise ValueError("broken pass")

    work = Background(fail)
    release.set()
    work.wait()  # returns once the call is over; the error is for result() to raise
    assert not work._thread.is_alive()
    with pytest.raises(ValueError, match="broken pass"):
        work.result()


def test_the_thread_is_waited_for_at_exit() -> None:
    # A daemon thread still inside PyTorch when Python finalises aborts the process.
    release = threading.Event()
    work = Background(release.wait, 10)
    assert not work._thread.daemon
    release.set()
    work.wait()

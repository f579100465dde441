"""Work that runs beside the caller: the biased pass beside the unbiased one, the scorer's
prefix passes beside the biased search. CTranslate2 and PyTorch release the GIL while they
compute, so two passes on two threads share the cores."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


class Background(Generic[T]):
    """``call(*args)`` on its own thread from construction; ``result`` waits for it and raises
    its exception, if any, in the caller's thread; ``wait`` only waits.

    Not a daemon thread: Python waits for it at exit. A daemon thread still inside PyTorch or
    CTranslate2 when the interpreter finalises is killed mid-unwind and aborts the process
    ("terminate called without an active exception")."""

    def __init__(self, call: Callable[..., T], *args: Any) -> None:
        self.ms = 0.0  # the call's own duration (it overlaps the caller's work)
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call, *args), daemon=False)
        self._thread.start()

    def _run(self, call: Callable[..., T], *args: Any) -> None:
        start = time.perf_counter()
        try:
            self._value = call(*args)
        except BaseException as exc:  # handed to the caller's thread by result()
            self._error = exc
        self.ms = (time.perf_counter() - start) * 1000.0

    def wait(self) -> None:
        """Until the call is over, whatever its outcome: no work outlives its owner."""
        self._thread.join()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)  # set: the call returned

"""Reading receipts off the event loop: a process pool with a time limit per receipt.

OCR costs a second or two of CPU; run on the bot's event loop it would hold up
every other chat. Workers are separate processes (the GIL would serialise threads),
two by default for a 2-core machine, each loading its engine once. A receipt that
takes longer than the limit gets a reading with ``problem`` set — the bot then
asks as it always did — and the stuck workers are replaced, so one pathological
photo never blocks the receipts behind it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from receipts.engines import ENGINES, Engine, EngineMissing
from receipts.reader import read_receipt
from service.receipts import ReceiptReading

log = logging.getLogger(__name__)
_engine: Engine | None = None
_missing = ""


def _start_worker(engine_name: str) -> None:
    """Load the engine once per worker process."""
    global _engine, _missing
    try:
        if engine_name not in ENGINES:
            raise EngineMissing(f"unknown engine {engine_name!r}; OCR is off")
        _engine = ENGINES[engine_name]()
    except EngineMissing as exc:
        _missing = f"OCR engine {engine_name} missing: {exc}"


def _read_in_worker(data: bytes, latest: date) -> ReceiptReading:
    reading = read_receipt(data, _engine, latest)
    if _engine is None and reading.problem and _missing:
        return ReceiptReading(problem=_missing, seconds=reading.seconds)
    return reading


class PooledReader:
    """The ``ReceiptReader`` port over a pool of worker processes."""

    def __init__(self, engine: str = "rapidocr", workers: int = 2,
                 time_limit: float = 20.0) -> None:
        self._engine, self._workers, self.time_limit = engine, workers, time_limit
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: forking a process that runs an event loop and threads is unsafe.
            self._pool = ProcessPoolExecutor(
                self._workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self._engine,))
        return self._pool

    async def read(self, data: bytes, latest: date | None = None) -> ReceiptReading:
        """The reading of ``data``, or one whose ``problem`` says why there is none."""
        loop = asyncio.get_running_loop()
        pool = self._executor()
        job = loop.run_in_executor(pool, _read_in_worker, data, latest or date.today())
        try:
            return await asyncio.wait_for(job, self.time_limit)
        except TimeoutError:
            log.warning("receipt not read within %.0f s; replacing the OCR workers",
                        self.time_limit)
            self._replace(pool)
            return ReceiptReading(problem=f"not read within {self.time_limit:.0f} s")
        except BrokenProcessPool:
            self._replace(pool)
            return ReceiptReading(problem="the OCR worker stopped")

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        """Stop a pool whose worker is stuck; the next read starts a fresh one."""
        if self._pool is pool:
            self._pool = None
        # The executor cannot cancel a running call; ending its processes is the only way.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers (at shutdown)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

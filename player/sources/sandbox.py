"""Work on untrusted bytes in a separate process with hard limits.

A picture whose header lies, a zip bomb inside a ``.docx``, a PDF that sends a C library
into a loop or a crash: none of these may take the player down. Decoding and document
parsing that can blow up run in a worker process (``python -m player.sources.sandbox``):

- **memory**: the worker's address space is capped (``RLIMIT_AS``, ``limits.worker_mib``);
  an allocation beyond it fails inside the worker (``MemoryError``) or ends it. The worker
  also volunteers as the OOM killer's first victim (``oom_score_adj`` 1000), so memory
  pressure from a hostile file never kills the player itself;
- **time**: the parent waits at most ``timeout`` seconds for an answer, then kills the
  worker;
- **crashes**: a segfault or abort ends only the worker. The job fails with
  :class:`SandboxError` naming what happened; the next job starts a fresh worker.

Jobs are module-level functions named ``"player.module:function"`` (only ``player.``
modules), called with plain values; results come back pickled over a pipe (the worker
runs our code only, so what it pickles is ours). A :class:`~player.model.problems.ContentError`
raised by a job arrives as the same ContentError in the parent. One job at a time per
:class:`Sandbox`; an idle worker exits after :data:`IDLE_EXIT` seconds (a Pi with 1 GB
does not keep a decoder resident for nothing) and is started again when needed.
"""

from __future__ import annotations

import enum
import importlib
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from player.model.problems import ContentError

log = logging.getLogger(__name__)

IDLE_EXIT = 60.0
DEFAULT_MEMORY = 768 * 1024 * 1024
_HEADER = struct.Struct(">Q")
_MAX_FRAME = 512 * 1024 * 1024
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)


class Failure(enum.Enum):
    """How a sandboxed job failed."""

    MEMORY = "memory"      # over the memory limit
    TIMEOUT = "timeout"    # no answer in time; the worker was killed
    CRASH = "crash"        # the worker died (signal or exit) while working
    ERROR = "error"        # the job raised an unexpected exception


class SandboxError(Exception):
    """A job that did not finish: ``failure`` says how, the message says what."""

    def __init__(self, failure: Failure, message: str) -> None:
        super().__init__(message)
        self.failure = failure


class Sandbox:
    """A lazily started worker process with a memory cap."""

    def __init__(self, memory_bytes: int = DEFAULT_MEMORY, name: str = "sandbox") -> None:
        self.memory_bytes = memory_bytes
        self.name = name
        self.jobs = 0
        self.restarts = 0
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def run(self, job: str, *args: Any, timeout: float = 30.0) -> Any:
        """Run ``job(*args)`` in the worker and return its result.

        Raises:
            ContentError: the job refused the input (its own message).
            SandboxError: out of memory, timed out, crashed, or an unexpected error.
        """
        if not job.startswith("player.") or ":" not in job:
            raise ValueError(f"not a sandbox job: {job!r}")
        with self._lock:
            self.jobs += 1
            for attempt in (1, 2):
                proc = self._worker()
                try:
                    _send(proc.stdin, (job, args))
                    break
                except (BrokenPipeError, OSError):
                    # The worker had just exited (idle) or died: start a fresh one, once.
                    self._reap(proc)
                    if attempt == 2:
                        raise SandboxError(Failure.CRASH, f"{self.name}: cannot start the worker") from None
            try:
                reply = _receive(proc.stdout, time.monotonic() + timeout)
            except TimeoutError:
                self._kill(proc)
                raise SandboxError(Failure.TIMEOUT, f"no result after {timeout:g} s") from None
            except (EOFError, OSError, pickle.UnpicklingError, ValueError):
                code = self._reap(proc)
                raise SandboxError(*_death(code, self.memory_bytes)) from None
        return _unpack(reply)

    def close(self) -> None:
        """Stop the worker (if running)."""
        with self._lock:
            if self._proc is not None:
                self._kill(self._proc)

    # -- the worker process ------------------------------------------------------------

    def _worker(self) -> subprocess.Popen:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            return proc
        if proc is not None:
            self._reap(proc)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        env["MALLOC_ARENA_MAX"] = "1"  # one arena: address space is memory, not reservations
        env.pop("PYTHONSTARTUP", None)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "player.sources.sandbox", str(self.memory_bytes), str(IDLE_EXIT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            close_fds=True, start_new_session=True)
        self.restarts += 1
        return self._proc

    def _kill(self, proc: subprocess.Popen) -> None:
        try:
            proc.kill()
        except OSError:
            pass
        self._reap(proc)

    def _reap(self, proc: subprocess.Popen) -> int | None:
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            code = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        if self._proc is proc:
            self._proc = None
        return code


def _death(code: int | None, memory: int) -> tuple[Failure, str]:
    if code is not None and code < 0:
        number = -code
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        if number == signal.SIGKILL:
            return Failure.MEMORY, f"worker killed ({name}; out of memory?)"
        return Failure.CRASH, f"worker crashed ({name})"
    return Failure.CRASH, f"worker exited with status {code}"


def _unpack(reply: Any) -> Any:
    kind = reply[0]
    if kind == "ok":
        return reply[1]
    if kind == "content":
        _kind, message, hint, line = reply
        raise ContentError(message, hint, line)
    if kind == "memory":
        raise SandboxError(Failure.MEMORY, reply[1])
    raise SandboxError(Failure.ERROR, reply[1])


# -- framing ---------------------------------------------------------------------------

def _send(stream, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks = []
    while size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _receive(stream, deadline: float | None) -> Any:
    fd = stream.fileno()
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    if size > _MAX_FRAME:
        raise ValueError("frame too large")
    return pickle.loads(_read_exactly(fd, size, deadline))


# -- the worker side ---------------------------------------------------------------------

def _limit_memory(memory: int) -> None:
    import resource
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ValueError, OSError):
        pass
    try:
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as handle:
            handle.write("1000")
    except OSError:
        pass


def _call(job: str, args: tuple) -> tuple:
    module_name, _, function_name = job.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
        return ("ok", function(*args))
    except ContentError as exc:
        return ("content", exc.message, exc.hint_zh, exc.line)
    except MemoryError:
        return ("memory", "out of memory while decoding")
    except Exception as exc:  # noqa: BLE001 - any failure of hostile input is reported, not fatal
        return ("error", f"{type(exc).__name__}: {str(exc)[:300]}")


def _serve(memory: int, idle: float) -> None:
    _limit_memory(memory)
    # Our protocol owns the real stdout; anything a library prints goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    fd = sys.stdin.fileno()
    while True:
        if not select.select([fd], [], [], idle)[0]:
            return  # idle: the parent starts a new worker when it needs one
        try:
            job, args = _receive(sys.stdin.buffer, None)
        except (EOFError, OSError):
            return
        try:
            reply = _call(job, args)
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", "out of memory while decoding"))
        except Exception as exc:  # noqa: BLE001 - an unpicklable result is an error, not a crash
            data = pickle.dumps(("error", f"result cannot be sent: {type(exc).__name__}"))
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), float(sys.argv[2]))

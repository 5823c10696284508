"""Log training to dl-lab as it goes: the `--metrics` file is complete and valid on disk after every call.

    from mypackage import dl_lab_log as dl

    with dl.start("tmp/run/metrics.json"):              # status "running" from here on
        dl.define("val_loss", "Mean cross-entropy on the validation split after the epoch.", "nats", higher_is_better=False, display_digits=3)
        dl.define("val_loss_best", "Lowest val_loss; it selects the checkpoint.", "nats", higher_is_better=False, display_digits=3)
        dl.primary("val_loss_best")
        for epoch in range(1, epochs + 1):
            dl.log(epoch, val_loss=val_loss)             # one history entry; refused: NaN, Infinity, undefined keys
            if val_loss < best_loss:                     # save the checkpoint file first, then say so
                best_loss = val_loss
                dl.checkpoint("tmp/run/best.pt", "val_loss", epoch, val_loss, val_loss_best=val_loss)
        dl.result("val_loss_best", best_loss)           # a headline number a paper may quote
    # leaving the block: "completed"; an exception: "failed" (its type and message); SIGTERM/SIGINT: "interrupted"

    dl-lab run M1 --metrics tmp/run/metrics.json          # seals whatever state the file is in

Files (format: schemas/metrics-input.schema.json, contract 1.1): `<path>`, the "head" (status,
definitions, metrics, results, checkpoint, this interpreter's sys.executable), and beside it `<stem>.history.jsonl`, the history, one
entry per line. `log` only writes its line, in one write() at the end of the history: a line is
there whole, or it lacks its line break and readers drop it. Every other call replaces the head
atomically (written beside, then renamed), recording how many history bytes it has seen and their
sha256, kept incrementally. So a process killed at any moment leaves a valid head and a valid
history, and the cost of a `log` does not grow with the history. A head still "running" is sealed by
`dl-lab run` as interrupted ("the log was never closed"). What this survives is the death of the
process, not a power cut (no fsync).

Only global rank 0 writes (RANK from torchrun, else SLURM_PROCID, OMPI_COMM_WORLD_RANK, PMI_RANK):
on every other rank each call does nothing. Python >= 3.9, standard library only.
"""
import hashlib
import json
import math
import numbers
import os
import re
import signal
import sys
import threading
from pathlib import Path

CONTRACT_VERSION = "1.1"
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,127}")
_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_RANK_VARIABLES = ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK")
_SIGNAL_CAUSES = {"SIGTERM": "terminated: Slurm's time limit, scancel or kill", "SIGINT": "Ctrl-C"}
_MAX_REASON = 4096
# The head's python.executable: an absolute path to a file named python…/pypy… (the schema's pattern),
# so `dl-lab run` describes this interpreter, not whichever python3 is first on PATH when it runs.
_INTERPRETER = re.compile(r"(/|[A-Za-z]:[\\/])(.*[\\/])?([Pp]ython|[Pp]y[Pp]y)[^\\/]*")


class Interrupted(SystemExit):
    """Raised by SIGTERM/SIGINT once the log says "interrupted": the process exits 128 + the signal's number."""

    def __init__(self, signum):
        super().__init__(128 + signum)
        self.signum = signum


def global_rank():
    """This process's global rank from the launcher's environment (0 when there is no launcher)."""
    for name in _RANK_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value.isdigit():
            return int(value)
    return 0


def _key(key, what="key"):
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"dl_lab_log: {what} {key!r} must match {_KEY.pattern} (a flat identifier)")
    return key


def _number(key, value):
    """A finite JSON number; ints stay ints (display_digits 0 counts), numpy/0-d tensor values are read with float()."""
    if isinstance(value, bool) or value is None:
        raise TypeError(f"dl_lab_log: {key} must be a number, got {value!r}")
    # Numbers, and what converts itself (numpy scalars, 0-d tensors); never text float() would parse.
    if not isinstance(value, numbers.Real) and not hasattr(type(value), "__float__"):
        raise TypeError(f"dl_lab_log: {key} must be a number, got {type(value).__name__}")
    if isinstance(value, numbers.Integral):
        return int(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"dl_lab_log: {key} must be a number, got {type(value).__name__}") from None
    if not math.isfinite(number):
        raise ValueError(f"dl_lab_log: {key} is {number} (JSON has no NaN or Infinity; did training diverge?)")
    return number


def _reason(text):
    text = " ".join(str(text).split()) or "no reason given"
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Log:
    """One training's metrics file. Use `start()` (module functions act on the log it opened) or this class directly."""

    def __init__(self, path, notes=None, rank=None, handle_signals=True):
        if notes is not None and not isinstance(notes, str):
            raise TypeError(f"dl_lab_log: notes must be text, got {type(notes).__name__}")
        self.path = Path(path)
        self.writes = (global_rank() if rank is None else rank) == 0
        self.closed = False
        self._definitions, self._metrics, self._results = {}, {}, {}
        self._primary = self._best = self._parent = None
        self._notes = notes
        self._status, self._status_reason = "running", None
        self._history = self.path.with_name(self.path.stem + ".history.jsonl")
        self._partial = self.path.with_name(self.path.name + ".partial")
        self._committed, self._digest = 0, hashlib.sha256()
        self._writing, self._pending_signal, self._handlers = False, None, {}
        self._signalled = None  # the signal that ended the run, once its handler ran
        if not self.writes:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A new training starts a new history (a previous one in this folder is replaced, as before).
        self._fd = os.open(self._history, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self._write_head()
        if handle_signals and threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                self._handlers[signum] = signal.signal(signum, self._on_signal)

    @property
    def metrics(self):
        """The metrics as written: those given to metric(), result() and checkpoint()."""
        return dict(self._metrics)

    # --- what training calls -------------------------------------------------------------------

    def define(self, key, definition, unit, higher_is_better, display_digits=None):
        """What a key means: dl-lab refuses any number without a definition, a unit and a direction
        (higher_is_better True or False; None for a number with no better direction, such as an epoch
        index, a count or a duration)."""
        if not self.writes:
            return
        _key(key)
        if key == "epoch":
            raise ValueError("dl_lab_log: 'epoch' is the history's step column, not a metric")
        entry = {"definition": definition, "unit": unit, "higher_is_better": higher_is_better}
        if not isinstance(definition, str) or not definition.strip() or not isinstance(unit, str) or not unit.strip():
            raise ValueError(f"dl_lab_log: define({key!r}): definition and unit must be non-empty text")
        if higher_is_better is not None and not isinstance(higher_is_better, bool):
            raise TypeError(f"dl_lab_log: define({key!r}): higher_is_better must be True, False or None (no direction)")
        if display_digits is not None:
            if isinstance(display_digits, bool) or not isinstance(display_digits, int) or not 0 <= display_digits <= 12:
                raise ValueError(f"dl_lab_log: define({key!r}): display_digits must be an integer from 0 to 12")
            entry["display_digits"] = display_digits
        if self._definitions.get(key, entry) != entry:
            raise ValueError(f"dl_lab_log: {key} is already defined differently: {self._definitions[key]}")
        self._definitions[key] = entry
        self._write_head()

    def primary(self, key):
        """The key that decides better/worse between runs."""
        if not self.writes:
            return
        self._primary = self._defined(key, "primary")
        self._write_head()

    def log(self, step, **values):
        """Append one history entry {"epoch": step, key: value, ...}: one write, the head is not rewritten."""
        if not self.writes:
            return
        self._open()
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
            raise ValueError(f"dl_lab_log: log(step={step!r}): the step or epoch must be an integer >= 0")
        entry = {"epoch": int(step)}
        for key, value in values.items():
            entry[self._defined(key, "log")] = _number(key, value)
        line = (json.dumps(entry, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")
        # Written at the end of the whole lines (not appended): a tail a failed write left is overwritten.
        written = os.pwrite(self._fd, line, self._committed)
        if written != len(line):
            os.ftruncate(self._fd, self._committed)
            raise OSError(f"dl_lab_log: short write to {self._history} ({written} of {len(line)} bytes; disk full?)")
        self._digest.update(line)
        self._committed += len(line)

    def metric(self, key, value):
        """A summary number to compare runs by (e.g. the best epoch's loss), not itself quoted in papers."""
        if not self.writes:
            return
        self._open()
        self._metrics[self._defined(key, "metric")] = _number(key, value)
        self._write_head()

    def result(self, key, value):
        """A headline number a paper may quote (analysis.json:results.<key>); it is a metric too."""
        if not self.writes:
            return
        self._open()
        self._results[self._defined(key, "result")] = self._metrics[key] = _number(key, value)
        self._write_head()

    def checkpoint(self, path, selected_by, epoch, metric_value, **metrics):
        """The selected checkpoint file (`dl-lab run` copies it unless --checkpoint names another), and the
        metrics at it (e.g. val_loss_best=...), written together: an interrupted run keeps its best so far."""
        if not self.writes:
            return
        self._open()
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
            raise ValueError(f"dl_lab_log: checkpoint(epoch={epoch!r}) must be an integer >= 0")
        where = os.path.relpath(os.path.abspath(path), os.path.abspath(self.path.parent))
        best = {"path": Path(where).as_posix(), "selected_by": self._defined(selected_by, "checkpoint selected_by"), "epoch": int(epoch), "metric_value": _number(selected_by, metric_value)}
        values = {self._defined(key, "checkpoint"): _number(key, value) for key, value in metrics.items()}
        self._best = best
        self._metrics.update(values)
        self._write_head()

    def resumed_from(self, tag, checkpoint_path):
        """This training started from run `tag`'s checkpoint file: `dl-lab run` records and checks the link."""
        if not self.writes:
            return
        self._open()
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            raise ValueError(f"dl_lab_log: resumed_from({tag!r}): not a run tag ({_TAG.pattern})")
        self._parent = {"tag": tag, "checkpoint_sha256": _sha256_file(checkpoint_path)}
        self._write_head()

    def close(self, status="completed", reason=None):
        """End the log: "completed" (needs a primary metric), "interrupted" or "failed" with a reason."""
        if not self.writes or self.closed:
            return
        if status not in ("completed", "interrupted", "failed"):
            raise ValueError(f"dl_lab_log: close(status={status!r}) must be completed, interrupted or failed")
        if status == "completed" and self._primary is None:
            raise ValueError("dl_lab_log: a completed run names its primary metric: call primary(key) before closing")
        self._status, self._status_reason = status, None if status == "completed" else _reason(reason or status)
        self.closed = True
        self._write_head()
        os.close(self._fd)
        for signum, previous in self._handlers.items():
            signal.signal(signum, previous)
        self._handlers = {}

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if self._signalled is not None and kind is not None and not issubclass(kind, Interrupted):
            # Another exception replaced the signal's while the stack unwound: a library's cleanup
            # failed (torch.save's zip writer, cut mid-file, raises as it closes). The log already
            # says "interrupted"; the exit status must still be 128 + the signal (Slurm, dl-lab sweep).
            print(f"dl_lab_log: after {signal.Signals(self._signalled).name}: {kind.__name__}: {error}", file=sys.stderr)
            raise Interrupted(self._signalled) from error
        if not self.writes or self.closed:
            return False
        if kind is None or (kind is SystemExit and error.code in (None, 0)):
            try:
                self.close("completed")
            except ValueError as problem:
                self.close("failed", f"ValueError: {problem}")
                raise
        elif issubclass(kind, KeyboardInterrupt):
            self.close("interrupted", "SIGINT (Ctrl-C)")
        else:
            message = str(error)
            self.close("failed", f"{kind.__name__}: {message}" if message else kind.__name__)
        return False

    # --- keeping the file on disk valid --------------------------------------------------------

    def _defined(self, key, call):
        if not isinstance(key, str) or key not in self._definitions:
            raise ValueError(f"dl_lab_log: {call}({key!r}): {key!r} is not defined; call define({key!r}, definition, unit, higher_is_better) first")
        return key

    def _open(self):
        if self.closed:
            raise RuntimeError(f"dl_lab_log: the log {self.path} is closed ({self._status})")

    def _head(self):
        head = {"schema_version": CONTRACT_VERSION, "status": self._status}
        if self._status_reason is not None:
            head["status_reason"] = self._status_reason
        if sys.executable and _INTERPRETER.fullmatch(sys.executable):
            head["python"] = {"executable": sys.executable}
        head.update(metrics=self._metrics, metric_definitions=self._definitions)
        if self._primary is not None:
            head["primary_metric"] = self._primary
        head["results"] = self._results
        if self._best is not None:
            head["best_checkpoint"] = self._best
        head["history_file"] = {"path": self._history.name, "bytes": self._committed, "sha256": self._digest.hexdigest()}
        if self._parent is not None:
            head["parent"] = self._parent
        if self._notes is not None:
            head["notes"] = self._notes
        return head

    def _write_head(self):
        """Written beside and renamed over, so a reader sees the old head or the new one, never half of one."""
        self._writing = True
        try:
            self._partial.write_text(json.dumps(self._head(), indent=2, allow_nan=False) + "\n", encoding="utf-8")
            os.replace(self._partial, self.path)
        finally:
            self._writing = False
        if self._pending_signal is not None:
            signum, self._pending_signal = self._pending_signal, None
            self._on_signal(signum, None)

    def _on_signal(self, signum, frame):
        if self._writing:  # finish the head being written first; _write_head comes back here
            self._pending_signal = signum
            return
        name = signal.Signals(signum).name
        if not self.closed:
            self.close("interrupted", f"{name} ({_SIGNAL_CAUSES.get(name, 'signal')})")
        self._signalled = signum
        raise Interrupted(signum)


# --- module-level calls: the log `start` opened --------------------------------------------------

_current = None


def start(path, notes=None, rank=None, handle_signals=True):
    """Open the log at `path` (status "running"); use it as a context manager. Only rank 0 writes."""
    global _current
    _current = Log(path, notes=notes, rank=rank, handle_signals=handle_signals)
    return _current


def _log():
    if _current is None:
        raise RuntimeError("dl_lab_log: call start(path) first")
    return _current


def define(key, definition, unit, higher_is_better, display_digits=None):
    _log().define(key, definition, unit, higher_is_better, display_digits)


def primary(key):
    _log().primary(key)


def log(step_or_epoch, **metrics):
    _log().log(step_or_epoch, **metrics)


def metric(key, value):
    _log().metric(key, value)


def result(key, value):
    _log().result(key, value)


def checkpoint(path, selected_by, epoch, metric_value, **metrics):
    _log().checkpoint(path, selected_by, epoch, metric_value, **metrics)


def resumed_from(tag, checkpoint_path):
    _log().resumed_from(tag, checkpoint_path)


def close(status="completed", reason=None):
    _log().close(status, reason)

"""The command line: ``python -m gdcore images | run | theory | diagnose | check | export``.

Bad input gets at most three lines on stderr naming the parameter, what is
allowed and what was given, and exit status 2; output that cannot be written
(a full disk, a closed standard output) gets one line and status 1; a reader
that stops early (``| head``) is no error. Never a traceback. Text that the
output's encoding cannot hold (``λ`` in cp1252) is written as ``\\u03bb``.

``run`` makes its output a few rates at a time (``CHUNK_VALUES``) and writes
each part before making the next, so memory stays bounded however many rates
and epochs are asked for; ``--summary`` keeps no weights at all.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, Protocol, TextIO

import numpy as np

from ._version import __version__
from .bowl.forecast import momentum_epochs_to_target
from .bowl.theory import epochs_to_target, theory
from .descent.engine import initial_weights, run_descent
from .descent.optimizer import OPTIMIZER_FIELDS, Optimizer
from .descent.runs import DescentResult
from .learner import export
from .learner.check import check_readings
from .learner.log_record import MAX_BYTES as MAX_LOG_BYTES
from .learner.logs import LogError, read_log
from .learner.printed_errors import read_errors
from .learner.setup import RAN, START, Setup, learner_pixels
from .params import (
    BATCH_SIZE,
    EPOCHS,
    LR,
    MAX_SIDE,
    MOMENTUM,
    NESTEROV,
    SCALE,
    SCHEDULE,
    SEED,
    SIZE,
    WARMUP,
    Param,
    minibatch_work_problem,
)
from .pixels.images import BUILTINS, builtin_image
from .pixels.loading import ImageError, load_image
from .pixels.quadratic import Quadratic, quadratic
from .pixels.table import PixelTable, pixel_table
from .verdicts.diagnosis import check_curve
from .verdicts.which_rules import diagnose_curve, diagnose_run

RUN_INIT = Param(
    "init", START.rule, "zero", "starting weights: zero, random (from --seed) or w0,w1,w2"
)
"""``run --init``: ``check``'s rule for the starting weights, with the run's own help."""
CHUNK_VALUES = 1_000_000
"""Rate-by-epoch values that ``run`` makes at once. With the weights and the
engine's temporaries that is about 120 MB, whatever the size of the output."""


class UsageError(Exception):
    """Bad input on the command line; the message is for the user."""


class OutputError(Exception):
    """The output could not be written; the message says why."""


class _Writer(Protocol):
    def write(self, text: str, /) -> int: ...


class _Output:
    """The commands' output: a failed write becomes ``OutputError``.

    A broken pipe stays ``BrokenPipeError``: the reader stopped, which is no error.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str, /) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # noqa: D401 - argparse hook
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _arg(param: Param) -> Callable[[str], Any]:
    """An argparse type that checks a value by its declaration in ``gdcore.params``."""

    def parse(text: str) -> Any:
        problem = param.problem(text)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem)
        return param.check(text)

    parse.__name__ = param.name  # argparse names the type in some messages
    return parse


def _option(sp: argparse.ArgumentParser, flag: str, param: Param, **kwargs: Any) -> None:
    """An option whose type, default and help come from its declaration."""
    default = kwargs.pop("default", param.default)
    shown = "" if default is None else f" (default {param.show(default)})"
    sp.add_argument(flag, type=_arg(param), default=default, help=param.help + shown, **kwargs)


def _optimizer_options(sp: argparse.ArgumentParser, fields: tuple[Param, ...]) -> None:
    """The optimizer's options, spelled as ``Optimizer.argv`` writes them (``--nesterov``: a flag)."""
    for param in fields:
        if param is NESTEROV:
            sp.add_argument("--" + param.name, action="store_true", help=param.help)
        else:
            _option(sp, "--" + param.name, param)


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m gdcore", description="Gradient descent on an image, fast and exact."
    )
    p.add_argument("--version", action="version", version=f"gdcore {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("images", help="list the built-in images")

    def image_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--image", required=True, help="a built-in image name or an image file")
        _option(sp, "--scale", SCALE)
        _option(sp, "--size", SIZE)
        _option(sp, "--max-side", MAX_SIDE)

    run = sub.add_parser("run", help="run gradient descent; CSV on stdout")
    image_args(run)
    _option(run, "--lr", LR, action="append", required=True, default=None)
    _option(run, "--epochs", EPOCHS, required=True, default=None)
    _option(run, "--batch-size", BATCH_SIZE)
    _option(run, "--seed", SEED)
    _option(run, "--init", RUN_INIT)
    _optimizer_options(run, OPTIMIZER_FIELDS)
    run.add_argument("--summary", action="store_true", help="one row per rate with a verdict")

    theory_cmd = sub.add_parser("theory", help="exact facts about an image's error bowl, as JSON")
    image_args(theory_cmd)
    _optimizer_options(theory_cmd, (MOMENTUM, NESTEROV))

    dg = sub.add_parser("diagnose", help="judge an error curve: too small, too large or good")
    dg.add_argument("values", nargs="*", help="error values, or - to read a log from stdin")
    dg.add_argument(
        "--file",
        help="a training log: numbers, a CSV/TSV/semicolon table (Keras, fastai, Lightning, "
        "W&B) or printed lines such as 'Epoch 3/10 - loss: 0.53'",
    )
    dg.add_argument("--column", help="the column to judge (default: chosen by rule, and said)")
    dg.add_argument(
        "--run",
        type=int,
        help="the run to judge when the log holds several, appended or resumed (1 for the "
        "first; default: the last, and said)",
    )
    _option(dg, "--lr", LR)

    ck = sub.add_parser("check", help="check your loop's printed errors against the exact curve")
    image_args(ck)
    _option(ck, "--lr", LR, required=True, default=None)
    _option(ck, "--init", START)
    _option(ck, "--seed", SEED)
    _optimizer_options(ck, OPTIMIZER_FIELDS)
    _option(ck, "--epochs", RAN)
    ck.add_argument("--file", help="a file of the errors your loop printed, epoch 0 first")
    ck.add_argument("--column", help="the column of a log to check (default: chosen by rule)")
    ck.add_argument("values", nargs="?", choices=["-"], help="- to read the errors from stdin")

    ex = sub.add_parser("export", help="the run as a Python script that prints its CSV")
    image_args(ex)
    for o in export.OPTIONS:  # every run option, declared once in export.OPTIONS
        flag = "--" + o.param.name.replace("_", "-")
        if o.param is NESTEROV:
            ex.add_argument(flag, action="store_true", help=o.param.help)
        else:
            _option(ex, flag, o.param, required=o.param in (LR, EPOCHS))
    _option(ex, "--framework", export.FRAMEWORK)
    return p


def _load(args: argparse.Namespace) -> np.ndarray:
    if args.image in BUILTINS:
        return builtin_image(args.image, args.size)
    if not Path(args.image).is_file():
        names = ", ".join(BUILTINS)
        raise UsageError(f"image: {args.image!r} is neither a built-in image ({names}) nor a file")
    return load_image(args.image, args.max_side).pixels


def _runs(
    args: argparse.Namespace, table: PixelTable, bowl: Quadratic, keep_weights: bool
) -> Iterator[DescentResult]:
    """The run a few rates at a time (``CHUNK_VALUES``).

    Every rate's run is its own (mini-batch rates share the seeded batches,
    whichever rates run beside them), so the parts are the whole run.
    """
    per = max(1, CHUNK_VALUES // (args.epochs + 1))
    for start in range(0, len(args.lr), per):
        yield run_descent(
            table,
            args.lr[start : start + per],
            args.epochs,
            seed=args.seed,
            batch_size=args.batch_size,
            bowl=bowl,
            keep_weights=keep_weights,
            init=args.init,
            optimizer=_optimizer(args),
        )


def _optimizer(args: argparse.Namespace) -> Optimizer:
    """The run's momentum, Nesterov, schedule and warm-up, with their joint rule checked.

    ``theory`` has no schedule or warm-up: they take their defaults there.
    """
    try:
        return Optimizer(
            args.momentum,
            args.nesterov,
            getattr(args, "schedule", SCHEDULE.default),
            getattr(args, "warmup", WARMUP.default),
        )
    except ValueError as e:  # each option passed its own rule: what is left is Nesterov's
        raise UsageError(f"{str(e).rstrip('.')} (add --momentum B with 0 < B < 1)") from None


def _cmd_run(args: argparse.Namespace, out: _Writer) -> None:
    _optimizer(args)  # a bad combination is refused before the image is read
    table = pixel_table(_load(args), args.scale)
    full = args.batch_size is None or args.batch_size >= table.n
    problem = None if full else minibatch_work_problem(table.n, args.epochs)
    if problem is not None:
        raise UsageError(
            f"epochs: {problem} (ask for fewer epochs, a smaller image with --size or "
            "--max-side, or leave out --batch-size for full batch, which costs the same on any image)"
        )
    bowl = quadratic(table)
    writer = csv.writer(out, lineterminator="\n")
    if args.summary:
        bowl_theory = theory(bowl)
        w0 = initial_weights(args.init, args.seed)
        writer.writerow(["lr", "final_error", "verdict", "diverged_epoch", "reason"])
        for result in _runs(args, table, bowl, keep_weights=not full):
            for i, lr in enumerate(result.lrs):
                d = diagnose_run(
                    result.errors[i],
                    float(lr),
                    bowl_theory,
                    w0,
                    full_batch=full,
                    optimizer=_optimizer(args),
                )
                div = int(result.diverged_epoch[i])
                writer.writerow(
                    [
                        repr(float(lr)),
                        repr(float(result.final_errors[i])),
                        d.verdict,
                        "" if div < 0 else div,
                        d.reason,
                    ]
                )
        return
    writer.writerow(["lr", "epoch", "error", "w0", "w1", "w2"])
    for result in _runs(args, table, bowl, keep_weights=True):
        for i, lr in enumerate(result.lrs):
            lr_text = repr(float(lr))
            rows = (
                f"{lr_text},{k},{e!r},{w[0]!r},{w[1]!r},{w[2]!r}\n"
                for k, (e, w) in enumerate(
                    zip(result.errors[i].tolist(), result.weights[i].tolist(), strict=True)
                )
            )
            out.write("".join(rows))  # one rate at a time: at most 100,001 rows


def _cmd_theory(args: argparse.Namespace, out: _Writer) -> None:
    """The bowl's numbers as JSON; with ``--momentum`` the critical rate is that β's.

    ``optimal_epochs`` and ``optimal_momentum_epochs`` count the epochs the best
    rate and the best pair need, from zero weights, to settle within 1% of E* (enter the
    band and stay in it for ever: ``bowl.settling``; the best pair's heavy ball may touch
    the band earlier and swing out again).
    """
    optimizer = _optimizer(args)
    bowl_theory = theory(quadratic(pixel_table(_load(args), args.scale)))
    w0 = initial_weights("zero")
    d = bowl_theory.as_dict()
    d["momentum"], d["nesterov"] = optimizer.momentum, optimizer.nesterov
    d["critical_lr"] = bowl_theory.critical_lr_for(optimizer)
    d["optimal_epochs"] = epochs_to_target(bowl_theory.bowl, bowl_theory.optimal_lr, w0)
    d["optimal_momentum_epochs"] = momentum_epochs_to_target(
        bowl_theory.bowl,
        bowl_theory.optimal_momentum_lr,
        w0,
        Optimizer(bowl_theory.optimal_momentum),
    )
    if bowl_theory.singular:
        d["explanation"] = bowl_theory.explanation
    out.write(json.dumps(d) + "\n")


def _cmd_diagnose(args: argparse.Namespace, out: _Writer, stdin: TextIO | None) -> None:
    if (args.file is None) == (not args.values):
        raise UsageError(
            "values: give error values, - (a log on stdin) or --file PATH, one of them"
        )
    data: bytes | str
    if args.file is not None:
        where, data = "--file", read_log_file(args.file)
    elif args.values == ["-"]:
        if stdin is None:
            raise UsageError("values: standard input is closed, so - has nothing to read")
        where, data = "stdin", read_log_stdin(stdin)
    else:
        where, data = "values", " ".join(args.values)
    try:
        log = read_log(data, args.column, args.run)
    except LogError as exc:
        choose = ""
        if exc.candidates:
            names = ", ".join(shlex.quote(c) for c in exc.candidates[:10])
            choose = f" Choose one with --column NAME ({names})."
        raise UsageError(f"{where}: {exc}{choose}") from None
    try:
        values = check_curve(log.values)
    except ValueError as exc:  # say what was read: "1 value of 'loss'" explains "got 1"
        raise UsageError(f"{str(exc).rstrip('.')}: {log.said}") from None
    d = diagnose_curve(values, args.lr, axis=log.axis)
    out.write(f"{d.verdict}\n{d.reason}\n")
    if d.suggested_lr is not None:
        out.write(f"suggested next rate: {d.suggested_lr:.6g}\n")
    said = log.said.replace("; choose a run to", "; --run N to")
    out.write(said + "\n")


def read_log_stdin(stdin: TextIO) -> bytes | str:
    """A log on standard input, at most one byte past the reader's cap (which refuses it).

    The bytes, when the stream has them, so that a BOM, UTF-16 or a file that is
    not UTF-8 is told by the reader as it is for a file.
    """
    raw = getattr(stdin, "buffer", None)
    return raw.read(MAX_LOG_BYTES + 1) if raw is not None else stdin.read(MAX_LOG_BYTES + 1)


def read_log_file(path: str) -> bytes:
    """A log file's bytes for ``--file``; a missing, special or too large file is one sentence.

    The size is checked before anything is read, and only regular files are opened.
    """
    p = Path(path)
    try:
        if not p.is_file():
            raise UsageError(f"--file: {path!r} is not a file")
        size = p.stat().st_size
        if size > MAX_LOG_BYTES:
            raise UsageError(
                f"--file: the file is {size:,} bytes; at most {MAX_LOG_BYTES:,} are read"
            )
        return p.read_bytes()
    except OSError as exc:
        raise UsageError(f"--file: cannot read {path!r}: {exc.strerror or exc}") from None


def _cmd_check(args: argparse.Namespace, out: _Writer, stdin: TextIO | None) -> None:
    _optimizer(args)  # a bad combination is refused before anything is read
    if (args.file is None) == (args.values is None):
        raise UsageError("errors: give one of --file PATH or - (the errors on stdin)")
    data: str | bytes
    if args.file is not None:
        where, data = "--file", read_log_file(args.file)
    elif stdin is None:
        raise UsageError("values: standard input is closed, so - has nothing to read")
    else:
        where, data = "stdin", stdin.read(MAX_LOG_BYTES + 1)
    try:
        values, said = read_errors(data, args.column)
    except LogError as exc:
        choose = ""
        if exc.candidates:
            names = ", ".join(shlex.quote(c) for c in exc.candidates[:10])
            choose = f" Choose one with --column NAME ({names})."
        raise UsageError(f"{where}: {exc}{choose}") from None
    optimizer = _optimizer(args)
    setup = Setup(_load(args), args.scale, args.lr, args.init, args.seed, optimizer, args.epochs)
    others = {}  # the file as the learner's code reads it, when gdcore does not average it
    if args.image not in BUILTINS and args.max_side is None:
        pil = learner_pixels(args.image)
        others = {} if pil is None else {"PIL": pil}
    found = check_readings(setup, values, others)
    out.write(f"{found.headline}\n{found.evidence}\n{said}\n")
    for finding in found.findings:
        out.write(f"fix: {finding.line}  # {finding.why}\n")


def _cmd_export(args: argparse.Namespace, out: _Writer) -> None:
    optimizer = _optimizer(args)
    pixels = _load(args)  # a bad image is refused now, not when the script runs
    n = pixels.size
    if args.image in BUILTINS:
        image = export.Image(args.image, args.size)
    else:  # the script writes the pixel table out
        path = str(Path(args.image).resolve())
        image = export.Image(path, max_side=args.max_side, file=True, pixels=pixels)
    options = {
        o.param.name: getattr(args, o.param.name)
        for o in export.OPTIONS
        if o.param not in OPTIMIZER_FIELDS
    }
    command = export.command_line(
        image, args.framework, scale=args.scale, optimizer=optimizer, **options
    )
    out.write(
        export.script(
            image, args.framework, command, n=n, scale=args.scale, optimizer=optimizer, **options
        )
    )


def main(
    argv: list[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit status (0, 1 for output errors, 2 for bad input).

    ``out``, ``err`` and ``stdin`` default to the process's own streams, which
    may be closed (``None``).
    """
    own = out is None
    if own:
        out = sys.stdout
        if out is not None and hasattr(out, "reconfigure"):
            out.reconfigure(errors="backslashreplace")  # λ on a cp1252 console: \u03bb
    err, stdin = err or sys.stderr, stdin or sys.stdin
    try:
        if out is None:
            raise OutputError("standard output is closed")
        output = _Output(out)
        _command(argv, output, stdin)
        output.flush()
    except (UsageError, ImageError, ValueError) as exc:
        return _fail(err, str(exc), 2)
    except OutputError as exc:
        if own:
            _discard(out)
        return _fail(err, f"cannot write the output: {exc}", 1)
    except BrokenPipeError:
        if own:
            _discard(out)
    return 0


def _command(argv: list[str] | None, out: _Output, stdin: TextIO | None) -> None:
    args = _build_parser().parse_args(argv)
    if args.command == "images":
        for b in BUILTINS.values():
            out.write(f"{b.name}\t{b.description}\n")
    elif args.command == "run":
        _cmd_run(args, out)
    elif args.command == "theory":
        _cmd_theory(args, out)
    elif args.command == "check":
        _cmd_check(args, out, stdin)
    elif args.command == "export":
        _cmd_export(args, out)
    else:
        _cmd_diagnose(args, out, stdin)


def _fail(err: TextIO | None, message: str, status: int) -> int:
    """One line on stderr (if there is one to write to), and the status."""
    if err is not None:
        try:
            err.write(f"gdcore: error: {message.strip().splitlines()[0][:400]}\n")
            err.flush()
        except OSError:
            pass
    return status


def _discard(stream: TextIO | None) -> None:
    """Point a stream that failed at /dev/null, so the flush at exit has nothing to say."""
    if stream is None:
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def main_entry() -> None:
    """The ``gdcore`` console script."""
    sys.exit(main())

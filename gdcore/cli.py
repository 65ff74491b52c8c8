"""The command line: ``python -m gdcore images | run | theory | diagnose``.

Bad input gets at most three lines on stderr naming the parameter, what is
allowed and what was given, and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np

from ._version import __version__
from .curves import parse_numbers
from .diagnosis import check_curve, diagnose_curve, diagnose_run
from .engine import initial_weights, run_descent
from .images import BUILTINS, builtin_image
from .loading import ImageError, load_image
from .params import BATCH_SIZE, EPOCHS, LR, MAX_SIDE, SCALE, SEED, SIZE, Param
from .quadratic import quadratic
from .table import pixel_table
from .theory import theory


class UsageError(Exception):
    """Bad input on the command line; the message is for the user."""


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
    run.add_argument("--summary", action="store_true", help="one row per rate with a verdict")

    th = sub.add_parser("theory", help="exact facts about an image's error bowl, as JSON")
    image_args(th)

    dg = sub.add_parser("diagnose", help="judge an error curve: too small, too large or good")
    dg.add_argument("values", nargs="+", help="error values, or - to read them from stdin")
    _option(dg, "--lr", LR)
    return p


def _load(args: argparse.Namespace) -> np.ndarray:
    if args.image in BUILTINS:
        return builtin_image(args.image, args.size)
    if not Path(args.image).is_file():
        names = ", ".join(BUILTINS)
        raise UsageError(f"image: {args.image!r} is neither a built-in image ({names}) nor a file")
    return load_image(args.image, args.max_side).pixels


def _cmd_run(args: argparse.Namespace, out: TextIO) -> None:
    table = pixel_table(_load(args), args.scale)
    bowl = quadratic(table)
    result = run_descent(
        table, args.lr, args.epochs, seed=args.seed, batch_size=args.batch_size, bowl=bowl
    )
    writer = csv.writer(out, lineterminator="\n")
    if args.summary:
        th = theory(bowl)
        w0 = initial_weights("zero")
        full = args.batch_size is None or args.batch_size >= table.n
        writer.writerow(["lr", "final_error", "verdict", "diverged_epoch", "reason"])
        for i, lr in enumerate(result.lrs):
            d = diagnose_run(result.errors[i], float(lr), th, w0, full_batch=full)
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
    for i, lr in enumerate(result.lrs):
        lr_text = repr(float(lr))
        rows = (
            f"{lr_text},{k},{e!r},{w[0]!r},{w[1]!r},{w[2]!r}\n"
            for k, (e, w) in enumerate(
                zip(result.errors[i].tolist(), result.weights[i].tolist(), strict=True)
            )
        )
        out.writelines(rows)


def _cmd_diagnose(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> None:
    text = stdin.read() if args.values == ["-"] else " ".join(args.values)
    values = check_curve(parse_numbers(text))
    d = diagnose_curve(values, args.lr)
    out.write(f"{d.verdict}\n{d.reason}\n")
    if d.suggested_lr is not None:
        out.write(f"suggested next rate: {d.suggested_lr:.6g}\n")


def main(
    argv: list[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit status."""
    out, err, stdin = out or sys.stdout, err or sys.stderr, stdin or sys.stdin
    try:
        args = _build_parser().parse_args(argv)
        if args.command == "images":
            for b in BUILTINS.values():
                out.write(f"{b.name}\t{b.description}\n")
        elif args.command == "run":
            _cmd_run(args, out)
        elif args.command == "theory":
            th = theory(quadratic(pixel_table(_load(args), args.scale)))
            d = th.as_dict()
            if th.singular:
                d["explanation"] = th.explanation
            out.write(json.dumps(d) + "\n")
        else:
            _cmd_diagnose(args, out, stdin)
    except (UsageError, ImageError, ValueError) as exc:
        message = str(exc).strip().splitlines()[0][:400]
        err.write(f"gdcore: error: {message}\n")
        return 2
    except BrokenPipeError:
        return 0
    return 0


def main_entry() -> None:
    """The ``gdcore`` console script."""
    sys.exit(main())

"""The command line: ``python -m gdcore images | run | theory | diagnose``.

Bad input gets at most three lines on stderr naming the parameter, what is
allowed and what was given, and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

import numpy as np

from .curves import parse_numbers
from .diagnosis import check_curve, diagnose_curve, diagnose_run
from .engine import MAX_EPOCHS, initial_weights, run_descent
from .images import BUILTINS, DEFAULT_SIZE, MAX_SIZE, MIN_SIZE, builtin_image
from .loading import ImageError, load_image
from .quadratic import quadratic
from .table import SCALES, pixel_table
from .theory import theory


class UsageError(Exception):
    """Bad input on the command line; the message is for the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D401 - argparse hook
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _number(kind=float, low=None, high=None, low_open=False):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if kind is float and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and value > high
        if too_low or too_high:
            lo = f"> {low}" if low_open else f">= {low}"
            rng = f"{lo} and <= {high:,}" if high is not None else lo
            raise argparse.ArgumentTypeError(f"must be {rng}, got {text}")
        return value

    return parse


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m gdcore", description="Gradient descent on an image, fast and exact."
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("images", help="list the built-in images")

    def image_args(sp):
        sp.add_argument("--image", required=True, help="a built-in image name or an image file")
        sp.add_argument("--scale", default="unit", choices=SCALES)
        sp.add_argument(
            "--size",
            type=_number(int, MIN_SIZE, MAX_SIZE),
            default=DEFAULT_SIZE,
            help=f"side of a built-in image in pixels (default {DEFAULT_SIZE})",
        )
        sp.add_argument(
            "--max-side",
            type=_number(int, 1),
            default=None,
            help="downsample a file so no side exceeds this (default: full size)",
        )

    run = sub.add_parser("run", help="run gradient descent; CSV on stdout")
    image_args(run)
    run.add_argument(
        "--lr",
        type=_number(float, 0, low_open=True),
        action="append",
        required=True,
        help="a learning rate > 0 (repeat for several)",
    )
    run.add_argument("--epochs", type=_number(int, 1, MAX_EPOCHS), required=True)
    run.add_argument("--batch-size", type=_number(int, 1), default=None)
    run.add_argument("--seed", type=_number(int, 0), default=0)
    run.add_argument("--summary", action="store_true", help="one row per rate with a verdict")

    th = sub.add_parser("theory", help="exact facts about an image's error bowl, as JSON")
    image_args(th)

    dg = sub.add_parser("diagnose", help="judge an error curve: too small, too large or good")
    dg.add_argument("values", nargs="+", help="error values, or - to read them from stdin")
    dg.add_argument(
        "--lr",
        type=_number(float, 0, low_open=True),
        default=None,
        help="the rate used, to suggest the next one",
    )
    return p


def _load(args) -> np.ndarray:
    if args.image in BUILTINS:
        return builtin_image(args.image, args.size)
    if not Path(args.image).is_file():
        names = ", ".join(BUILTINS)
        raise UsageError(f"image: {args.image!r} is neither a built-in image ({names}) nor a file")
    return load_image(args.image, args.max_side).pixels


def _cmd_run(args, out) -> None:
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


def _cmd_diagnose(args, out, stdin) -> None:
    text = stdin.read() if args.values == ["-"] else " ".join(args.values)
    values = check_curve(parse_numbers(text))
    d = diagnose_curve(values, args.lr)
    out.write(f"{d.verdict}\n{d.reason}\n")
    if d.suggested_lr is not None:
        out.write(f"suggested next rate: {d.suggested_lr:.6g}\n")


def main(argv: list[str] | None = None, out=None, err=None, stdin=None) -> int:
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

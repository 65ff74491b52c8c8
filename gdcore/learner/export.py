"""Any run as code: a short Python script that prints the run's numbers itself.

The script builds the pixel table, writes the textbook loop out (or, for
PyTorch, the same loop with ``torch.optim.SGD`` and autograd) and prints CSV
``epoch,error,w0,w1,w2``: run as it is, the same numbers as ``python -m gdcore
run`` (1e-9 relative, the same blow-up epoch). It needs only NumPy (PyTorch's:
only torch, and NumPy for a mini-batch's seeded shuffles), never ``gdcore``: a
built-in image is drawn by a small function written into the script (``script_images.RECIPES``,
``TORCH_RECIPES``: the same code as ``gdcore.pixels.images``); an image file's
pixel table is written out as numbers (and ``noise``'s in PyTorch: NumPy's
generator), as are random starting weights in PyTorch.

Each run option is one line of ``OPTIONS``: its declaration (``gdcore.params``),
how the script sets it, and when it is written at all. Lines of the loop that
only some runs need carry a tag ``«name»`` and are kept only when that option
is in use, so a new option is one more line in the table plus, where it changes
the loop, its tagged lines in the two templates (``script_templates``).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..descent.engine import INIT_SCALE, initial_weights
from ..descent.optimizer import OPTIMIZER_FIELDS, Optimizer
from ..descent.schedules import is_constant
from ..params import (
    BATCH_SIZE,
    EPOCHS,
    INIT,
    LR,
    MOMENTUM,
    NESTEROV,
    SCALE,
    SCHEDULE,
    SEED,
    WARMUP,
    Choice,
    Param,
    schedule_parts,
)
from .script_images import Image, docstring_text, one_line
from .script_templates import (
    NUMPY,
    PYTORCH,
    SCALE_LINES,
    STANDARDIZE,
    TABLE,
    TAG,
    TORCH_SCALE_LINES,
    TORCH_STANDARDIZE,
    TORCH_TABLE,
)

FRAMEWORK = Param(
    "framework",
    Choice(("numpy", "pytorch")),
    "numpy",
    "the script's loop: numpy written out, or PyTorch's torch.optim.SGD with autograd",
)


def _always(settings: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Option:
    """One run option in a script: its declaration, its line, and when it is in use.

    ``line`` is formatted with ``v`` (the value as Python) and every setting by
    name; ``used`` says whether the run uses the option (else the line and the
    loop's lines tagged with its name are left out).
    """

    param: Param
    line: str
    used: Callable[[dict[str, Any]], bool] = _always


def _start(s: dict[str, Any], framework: str) -> str:
    if framework == "pytorch":  # gdcore's draw written out: torch's generator is not NumPy's
        w = initial_weights(s["init"], s["seed"])
        return "torch.zeros(3)" if s["init"] == "zero" else f"torch.tensor({w.tolist()!r})"
    if s["init"] == "zero":
        return "np.zeros(3)"
    return f"np.random.default_rng(seed).normal(0.0, {INIT_SCALE!r}, 3)"


def _factor(s: dict[str, Any]) -> str:
    """The schedule as a function of the epoch: the rate of epoch k is ``lr * factor(k)``."""
    if not _scheduled(s):
        return ""
    parts = schedule_parts(s["schedule"])
    assert not isinstance(parts, str)  # checked by SCHEDULE already
    kind, args = parts
    formula = {
        "constant": "1.0",
        "step": f"{args[-1]!r} ** (k // {int(args[0])})" if kind == "step" else "",
        "exp": f"{args[0]!r} ** k" if args else "",
        "inverse": f"1 / (1 + k / {args[0]!r})" if args else "",
        "cosine": "0.5 * (1 + math.cos(math.pi * k / epochs))",
    }[kind]
    lines = [
        "",
        "",
        "def factor(k):",
        f'    """The schedule {s["schedule"]}: epoch k steps with the rate lr * factor(k)."""',
        f"    f = {formula}",
    ]
    if s["warmup"] > 1:
        lines += [
            "    if k < warmup:  # warm-up: a growing share of the rate",
            "        f *= (k + 1) / warmup",
        ]
    return "\n".join([*lines, "    return f", "", ""])


def _scheduled(s: dict[str, Any]) -> bool:
    return not is_constant(s["schedule"], s["warmup"])


OPTIONS = (
    Option(LR, "lr = {v}  # the learning rate: how far each step goes against the slope"),
    Option(EPOCHS, "epochs = {v}"),
    Option(
        SEED,
        "seed = {v}",
        lambda s: (
            (s["init"] == "random" and s.get("framework") != "pytorch")
            or s["batch_size"] is not None
        ),
    ),
    Option(INIT, "w = {start}  # the starting weights w0, w1, w2 ({v})"),
    Option(
        BATCH_SIZE, "batch_size = {v}  # pixels per step", lambda s: s["batch_size"] is not None
    ),
    Option(
        MOMENTUM, "momentum = {v}  # β: each step keeps β of the last", lambda s: s["momentum"] > 0
    ),
    Option(
        NESTEROV,
        "# Nesterov: the step adds β x the new momentum to the slope",
        lambda s: s["nesterov"],
    ),
    Option(WARMUP, "warmup = {v}  # warm-up epochs", lambda s: s["warmup"] > 1),
    Option(SCHEDULE, "{factor}", _scheduled),
)
"""The run's options as the scripts write them (``scale`` and the image build the table)."""


def _kept(template: str, settings: dict[str, Any]) -> str:
    """The template's lines, each tagged one kept only when its option is (``-``: is not) in use."""
    used = {o.param.name: o.used(settings) for o in OPTIONS}
    out = []
    for line in template.splitlines():
        keep = True
        while (m := TAG.match(line)) is not None:
            keep &= used[m.group(2)] != (m.group(1) == "-")
            line = line[m.end() :]
        if keep:
            out.append(line)
    return "\n".join(out)


def settings_of(optimizer: Optimizer = Optimizer(), **given: Any) -> dict[str, Any]:
    """Every option's value, checked by its declaration; options not given take their defaults.

    The optimizer's fields (momentum, Nesterov, schedule, warm-up) come from ``optimizer``.
    """
    names = {o.param.name for o in OPTIONS if o.param not in OPTIMIZER_FIELDS} | {"scale"}
    unknown = set(given) - names
    if unknown:
        raise ValueError(
            f"export: unknown options {sorted(unknown)}; known: {sorted(names)}, and optimizer."
        )
    out: dict[str, Any] = {"scale": SCALE.check(given.get("scale", SCALE.default))}
    for o in OPTIONS:
        value = given.get(o.param.name, o.param.default)
        if o.param in OPTIMIZER_FIELDS:
            value = getattr(optimizer, o.param.name)
        out[o.param.name] = None if value is None else o.param.check(value)
    if out["lr"] is None or out["epochs"] is None:
        raise ValueError("export: give a learning rate (lr) and a number of epochs.")
    return out


def script(
    image: Image,
    framework: str = "numpy",
    command: str = "",
    n: int | None = None,
    optimizer: Optimizer = Optimizer(),
    **options: Any,
) -> str:
    """A runnable Python script for one run (see the module notes).

    Parameters
    ----------
    image : Image
        How the script makes the image.
    framework : {"numpy", "pytorch"}
    command : str
        The command that made it (``command_line``), written as a comment under the
        docstring.
    n : int, optional
        The image's number of pixels: a batch of at least that many is full batch.
    optimizer : Optimizer
        Momentum, Nesterov, schedule and warm-up.
    **options
        ``scale`` and the other options of ``OPTIONS`` by name: ``lr``, ``epochs``,
        ``init``, ``seed``, ``batch_size``.

    Examples
    --------
    >>> text = script(Image("plane", 8), lr=0.5, epochs=3)
    >>> "w = w - lr * slope" in text, "torch" in text
    (True, False)
    """
    framework = FRAMEWORK.check(framework)
    s = settings_of(optimizer, **options)
    s["framework"] = framework
    if s["batch_size"] is not None and n is not None and s["batch_size"] >= n:
        s["batch_size"] = None  # a batch of the whole image is full batch, as in gdcore
    make = image.code(framework)
    title = (
        f"Gradient descent on {docstring_text(image.name)}, {s['scale']} scale, rate {s['lr']!r}, "
        f"{s['epochs']} epochs" + ("" if framework == "numpy" else ", with PyTorch") + "."
    )
    head = [
        f'"""{title}',
        "",
        "It prints CSV: epoch,error,w0,w1,w2 (epoch 0 is the start).",
        '"""',
    ]
    if command:  # a comment, so the path keeps every character (``command_line`` quotes it)
        head.append(f"# Made by: {one_line(command)}")
    head.append("")
    if s["schedule"] == "cosine" and _scheduled(s):
        head.append("import math")
    if framework == "numpy" or s["batch_size"] is not None:
        head.append("import numpy as np")
    if framework == "pytorch":
        head += ["import torch", "", "torch.set_default_dtype(torch.float64)  # as gdcore computes"]
    settings = [
        o.line.format(v=repr(s[o.param.name]), start=_start(s, framework), factor=_factor(s), **s)
        for o in OPTIONS
        if o.used(s)
    ]
    numpy = framework == "numpy"
    table = (TABLE if numpy else TORCH_TABLE).format(
        scale_lines="\n".join((SCALE_LINES if numpy else TORCH_SCALE_LINES)[s["scale"]])
    )
    body = [
        *head,
        (STANDARDIZE if numpy else TORCH_STANDARDIZE).rstrip() if s["scale"] == "standard" else "",
        "",
        make,
        table.rstrip(),
        "",
        *settings,
        _kept(NUMPY if framework == "numpy" else PYTORCH, s).rstrip(),
    ]
    text = "\n".join(body) + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


def command_line(
    image: Image, framework: str, optimizer: Optimizer = Optimizer(), **options: Any
) -> str:
    r"""The ``python -m gdcore export`` command for these settings, as a shell reads it.

    Each word is quoted for a POSIX shell (``shlex.quote``); a word with a character
    that cannot be printed (a new line in a file name) is written ``$'…'`` with escapes,
    which bash and zsh read back exactly. The line is then printable throughout, so it
    can stand in a Python comment. The optimizer is written as the command line writes
    it (``Optimizer.argv``).

    >>> print(command_line(Image('my "best"\n.png', max_side=64, file=True), "numpy",
    ...                    lr=0.5, epochs=10))
    python -m gdcore export --image $'my "best"\n.png' --max-side 64 --scale unit --lr 0.5 --epochs 10 --framework numpy
    """
    s = settings_of(optimizer, **options)
    parts = ["python", "-m", "gdcore", "export", "--image", image.name]
    if image.file and image.max_side is not None:
        parts += ["--max-side", str(image.max_side)]
    elif image.size is not None:
        parts += ["--size", str(image.size)]
    parts += ["--scale", s["scale"]]
    for o in OPTIONS:
        v = s[o.param.name]
        if o.param in OPTIMIZER_FIELDS:
            continue
        if o.used(s) and v is not None and v != o.param.default:
            parts += ["--" + o.param.name.replace("_", "-"), o.param.show(v)]
        elif o.param in (LR, EPOCHS):
            parts += ["--" + o.param.name, o.param.show(v)]
    parts += optimizer.argv()
    parts += ["--framework", framework]
    return " ".join(_shell_word(p) for p in parts)


_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _shell_word(word: str) -> str:
    """One word for a POSIX shell: ``shlex.quote``, or ``$'…'`` if it has an unprintable
    character (a byte that was not UTF-8, kept by Python as U+DC80-U+DCFF, is ``\\xNN``)."""
    if word.isprintable():
        return shlex.quote(word)
    out = []
    for c in word:
        n = ord(c)
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif c.isprintable():
            out.append(c)
        elif 0xDC80 <= n <= 0xDCFF:
            out.append(f"\\x{n - 0xDC00:02x}")
        elif n < 0x100:
            out.append(f"\\x{n:02x}")
        else:
            out.append(f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")
    return "$'" + "".join(out) + "'"


__all__ = [
    "FRAMEWORK",
    "OPTIONS",
    "Option",
    "command_line",
    "script",
    "settings_of",
]

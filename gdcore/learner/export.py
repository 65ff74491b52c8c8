"""Any run as code: a short Python script that prints the run's numbers itself.

The script builds the pixel table, writes the textbook loop out (or, for
PyTorch, the same loop with ``torch.optim.SGD`` and autograd) and prints CSV
``epoch,error,w0,w1,w2``: run as it is, the same numbers as ``python -m gdcore
run`` (1e-9 relative, the same blow-up epoch). It needs only NumPy (PyTorch's:
only torch, and NumPy for a mini-batch's seeded shuffles), never ``gdcore``: a
built-in image is drawn by a small function written into the script (``RECIPES``,
``TORCH_RECIPES``: the same code as ``gdcore.pixels.images``); an image file's
pixel table is written out as numbers (and ``noise``'s in PyTorch: NumPy's
generator), as are random starting weights in PyTorch.

Each run option is one line of ``OPTIONS``: its declaration (``gdcore.params``),
how the script sets it, and when it is written at all. Lines of the loop that
only some runs need carry a tag ``«name»`` and are kept only when that option
is in use, so a new option is one more line in the table plus, where it changes
the loop, its tagged lines in the two templates below.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..descent.engine import INIT_SCALE, initial_weights
from ..descent.optimizer import KNOBS, Optimizer
from ..descent.runs import BLOWUP_ERROR
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
from ..pixels.images import BUILTINS, NOISE_SEED

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

SCALE_LINES = {
    "raw": (
        "x = cols.ravel().astype(float)  # raw scale: pixel indices and brightness 0-255",
        "y = rows.ravel().astype(float)",
        "t = pixels.ravel()",
    ),
    "unit": (
        "x = cols.ravel() / (W - 1) if W > 1 else np.zeros(H * W)  # unit scale: each in 0-1",
        "y = rows.ravel() / (H - 1) if H > 1 else np.zeros(H * W)",
        "t = pixels.ravel() / 255",
    ),
    "standard": (
        "x = standardize(cols.ravel().astype(float))  # standard scale: mean 0, spread 1",
        "y = standardize(rows.ravel().astype(float))",
        "t = standardize(pixels.ravel())",
    ),
}
STANDARDIZE = '''

def standardize(v):
    """Shift and scale to mean 0 and spread 1; a constant column (to rounding) becomes 0."""
    sd = v.std()
    if not sd > 1e-12 * max(1.0, abs(v).max()):
        return np.zeros_like(v)
    return (v - v.mean()) / sd
'''

TORCH_SCALE_LINES = {
    "raw": (
        "x = cols.ravel()  # raw scale: pixel indices and brightness 0-255",
        "y = rows.ravel()",
        "t = pixels.ravel()",
    ),
    "unit": (
        "x = cols.ravel() / (W - 1) if W > 1 else torch.zeros(H * W)  # unit scale: each in 0-1",
        "y = rows.ravel() / (H - 1) if H > 1 else torch.zeros(H * W)",
        "t = pixels.ravel() / 255",
    ),
    "standard": (
        "x = standardize(cols.ravel())  # standard scale: mean 0, spread 1",
        "y = standardize(rows.ravel())",
        "t = standardize(pixels.ravel())",
    ),
}
TORCH_STANDARDIZE = '''

def standardize(v):
    """Shift and scale to mean 0 and spread 1; a constant column (to rounding) becomes 0."""
    sd = v.std(correction=0).item()
    if not sd > 1e-12 * max(1.0, v.abs().max().item()):
        return torch.zeros_like(v)
    return (v - v.mean()) / sd
'''

TORCH_TABLE = """
# The pixel table: one row [1, x, y] per pixel (row by row), and its brightness t.
H, W = pixels.shape
rows, cols = torch.meshgrid(torch.arange(H * 1.0), torch.arange(W * 1.0), indexing="ij")
{scale_lines}
X = torch.column_stack([torch.ones(H * W), x, y])
"""

TABLE = """
# The pixel table: one row [1, x, y] per pixel (row by row), and its brightness t.
H, W = pixels.shape
rows, cols = np.indices((H, W))
{scale_lines}
X = np.column_stack([np.ones(H * W), x, y])
"""

BLOWN = f"""\
    if not error <= {BLOWUP_ERROR:g}:  # blown up (gdcore's rule): this epoch and every later one is nan
        for k in range(epoch, epochs + 1):
            print(f"{{k}},nan,nan,nan,nan")
        break
"""

NUMPY = (
    """
print("epoch,error,w0,w1,w2")
«batch_size»rng = np.random.default_rng(seed)  # the batches' shuffles
«momentum»buf = None  # the momentum: nothing before the first step
for epoch in range(epochs + 1):
«-batch_size»    predicted = X @ w  # 1. predict
«-batch_size»    difference = t - predicted
«-batch_size»    error = 0.5 * np.mean(difference**2)  # 2. error: half the mean squared difference
«batch_size»    error = 0.5 * np.mean((t - X @ w) ** 2)  # 2. error, on the whole image
"""
    + BLOWN
    + """\
    print(f"{epoch},{error},{w[0]},{w[1]},{w[2]}")
    if epoch == epochs:
        break
«schedule»    rate = lr * factor(epoch)  # this epoch's rate
«-batch_size»    slope = -(X.T @ difference) / len(t)  # 3. slope of each weight
«-batch_size»«momentum»    buf = slope if buf is None else momentum * buf + slope  # the momentum
«-batch_size»«momentum»«-nesterov»    slope = buf
«-batch_size»«nesterov»    slope = slope + momentum * buf
«-batch_size»«-schedule»    w = w - lr * slope  # 4. new weight = old weight - rate x slope
«-batch_size»«schedule»    w = w - rate * slope  # 4. new weight = old weight - rate x slope
«batch_size»    order = rng.permutation(len(t))  # a new shuffle every epoch
«batch_size»    for start in range(0, len(t), batch_size):
«batch_size»        batch = order[start : start + batch_size]
«batch_size»        difference = t[batch] - X[batch] @ w  # 1. predict, on the batch
«batch_size»        slope = -(X[batch].T @ difference) / len(batch)  # 3. slope of each weight
«batch_size»«momentum»        buf = slope if buf is None else momentum * buf + slope  # the momentum
«batch_size»«momentum»«-nesterov»        slope = buf
«batch_size»«nesterov»        slope = slope + momentum * buf
«batch_size»«-schedule»        w = w - lr * slope  # 4. new weight = old weight - rate x slope
«batch_size»«schedule»        w = w - rate * slope  # 4. new weight = old weight - rate x slope
"""
)

PYTORCH = (
    """
w.requires_grad_(True)
«-momentum»optimizer = torch.optim.SGD([w], lr=lr)
«momentum»«-nesterov»optimizer = torch.optim.SGD([w], lr=lr, momentum=momentum)
«nesterov»optimizer = torch.optim.SGD([w], lr=lr, momentum=momentum, nesterov=True)
«schedule»scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
«batch_size»generator = np.random.default_rng(seed)  # the batches' shuffles

print("epoch,error,w0,w1,w2")
for epoch in range(epochs + 1):
    with torch.no_grad():
        error = 0.5 * torch.mean((t - X @ w) ** 2).item()  # 2. error, on the whole image
"""
    + BLOWN
    + """\
    print(f"{epoch},{error}," + ",".join(str(v) for v in w.tolist()))
    if epoch == epochs:
        break
«-batch_size»    optimizer.zero_grad()
«-batch_size»    loss = 0.5 * torch.mean((t - X @ w) ** 2)  # 1. predict, 2. error
«-batch_size»    loss.backward()  # 3. slope of each weight, by autograd
«-batch_size»    optimizer.step()  # 4. new weight = old weight - rate x slope
«batch_size»    order = torch.from_numpy(generator.permutation(len(t)))  # a new shuffle every epoch
«batch_size»    for start in range(0, len(t), batch_size):
«batch_size»        batch = order[start : start + batch_size]
«batch_size»        optimizer.zero_grad()
«batch_size»        loss = 0.5 * torch.mean((t[batch] - X[batch] @ w) ** 2)  # 1. predict, 2. error
«batch_size»        loss.backward()  # 3. slope of each weight, by autograd
«batch_size»        optimizer.step()  # 4. new weight = old weight - rate x slope
«schedule»    scheduler.step()  # the next epoch's rate
"""
)

_TAG = re.compile(r"^«(-?)(\w+)»")


_GRID = (
    "    u = np.linspace(0.0, 1.0, size)\n"
    "    x, y = u[None, :], u[:, None]  # each pixel's column and row position, 0 to 1\n"
)
RECIPES = {
    "plane": _GRID + "    return 40.0 + 150.0 * x + 60.0 * y\n",
    "diagonal": _GRID
    + """\
    s = (x + y) / 2.0
    return 60.0 + 140.0 * s * s * (3.0 - 2.0 * s)  # a smoothstep along the diagonal
""",
    "spot": _GRID
    + """\
    r2 = (x - 0.5) ** 2 + (y - 0.5) ** 2  # squared distance from the centre
    return 20.0 + 220.0 * np.exp(-r2 / (2 * 0.15**2))
""",
    "stripes": _GRID
    + """\
    band = np.floor(x * 8.0 - 1e-9).clip(0) % 2  # 8 bands across: 0, 1, 0, 1...
    return np.tile(40.0 + 180.0 * band, (size, 1))  # the same row on every line
""",
    "checkerboard": _GRID
    + """\
    cells = (np.floor(x * 6.0 - 1e-9).clip(0) + np.floor(y * 6.0 - 1e-9).clip(0)) % 2
    return 30.0 + 195.0 * cells  # 6 x 6 cells
""",
    "noise": f"    return np.random.default_rng({NOISE_SEED}).uniform(0.0, 255.0, size=(size, size))\n",
    "scene": _GRID
    + """\
    img = np.tile(235.0 - 90.0 * y, (1, size))  # sky: bright at the top, darker lower down
    img[(x - 0.72) ** 2 + (y - 0.25) ** 2 < 0.11**2] = 255.0  # the sun
    hill_a = 0.70 + 0.08 * np.cos(2 * np.pi * (x - 0.2))
    hill_b = 0.82 + 0.05 * np.sin(2 * np.pi * x * 1.5)
    img = np.where(y > hill_a, 90.0 - 30.0 * (y - hill_a), img)
    img = np.where(y > hill_b, 55.0 - 20.0 * (y - hill_b), img)
    return np.clip(img, 0.0, 255.0)
""",
}
"""Each built-in image's code as the script writes it: the body of ``make_image(size)``,
the same arithmetic as ``gdcore.pixels.images`` (``tests/test_export.py`` holds them equal)."""

_TORCH_GRID = (
    "    u = torch.linspace(0.0, 1.0, size)\n"
    "    x, y = u[None, :], u[:, None]  # each pixel's column and row position, 0 to 1\n"
)
TORCH_RECIPES = {
    "plane": _TORCH_GRID + "    return 40.0 + 150.0 * x + 60.0 * y\n",
    "diagonal": _TORCH_GRID
    + """\
    s = (x + y) / 2.0
    return 60.0 + 140.0 * s * s * (3.0 - 2.0 * s)  # a smoothstep along the diagonal
""",
    "spot": _TORCH_GRID
    + """\
    r2 = (x - 0.5) ** 2 + (y - 0.5) ** 2  # squared distance from the centre
    return 20.0 + 220.0 * torch.exp(-r2 / (2 * 0.15**2))
""",
    "stripes": _TORCH_GRID
    + """\
    band = torch.floor(x * 8.0 - 1e-9).clip(0) % 2  # 8 bands across: 0, 1, 0, 1...
    return (40.0 + 180.0 * band).repeat(size, 1)  # the same row on every line
""",
    "checkerboard": _TORCH_GRID
    + """\
    cells = (torch.floor(x * 6.0 - 1e-9).clip(0) + torch.floor(y * 6.0 - 1e-9).clip(0)) % 2
    return 30.0 + 195.0 * cells  # 6 x 6 cells
""",
    "scene": _TORCH_GRID
    + """\
    img = (235.0 - 90.0 * y).repeat(1, size)  # sky: bright at the top, darker lower down
    img[(x - 0.72) ** 2 + (y - 0.25) ** 2 < 0.11**2] = 255.0  # the sun
    hill_a = 0.70 + 0.08 * torch.cos(2 * torch.pi * (x - 0.2))
    hill_b = 0.82 + 0.05 * torch.sin(2 * torch.pi * x * 1.5)
    img = torch.where(y > hill_a, 90.0 - 30.0 * (y - hill_a), img)
    img = torch.where(y > hill_b, 55.0 - 20.0 * (y - hill_b), img)
    return img.clip(0.0, 255.0)
""",
}
"""The same images in PyTorch, to rounding (``noise`` is NumPy's generator: its pixel
table is written out)."""

MAX_TABLE = 512 * 512
"""The most pixels a script writes out (the dashboard's largest image)."""


@dataclass(frozen=True)
class Image:
    """How the script makes its image: a built-in drawn by code, or a file's pixel table.

    A built-in is ``name`` at ``size``. An image file (``file=True``) gives its
    ``pixels`` as loaded (by ``load_image``, averaged as the run uses them); the
    script writes them out, so it needs neither the file nor gdcore. ``max_side``
    is only for the command line that made it.
    """

    name: str
    size: int | None = None
    max_side: int | None = None
    file: bool = False
    pixels: NDArray[np.float64] | None = field(default=None, compare=False, repr=False)

    def code(self, framework: str = "numpy") -> str:
        """The lines that make ``pixels``, brightness 0-255, row 0 at the top."""
        recipes = RECIPES if framework == "numpy" else TORCH_RECIPES
        if not self.file and self.name in recipes:
            b = BUILTINS[self.name]
            return (
                "def make_image(size):\n"
                f'    """The built-in image {b.name!r} ({_shown(b.description)}), size x size."""\n'
                f"{recipes[b.name]}\n\n"
                f"pixels = make_image({self.size})  # brightness 0-255, row 0 at the top"
            )
        pixels = self.pixels if self.file else BUILTINS[self.name].make(self.size or 0)
        if pixels is None:
            raise ValueError("export: an image file needs its pixels.")
        h, w = pixels.shape
        if h * w > MAX_TABLE:
            raise ValueError(
                f"export: the script writes the image's pixel table out, at most "
                f"{MAX_TABLE:,} pixels; this image has {h} x {w} = {h * w:,}: give a "
                "smaller max side (--max-side 512 or less)."
            )
        rows = "\n".join(" ".join(row) for row in _numbers(pixels))
        read = "torch.tensor" if framework == "pytorch" else "np.array"
        return (
            f"# The image {_one_line(_shown(self.name))} as the run used it: {h} rows of {w}\n"
            "# brightness values (0-255), row 0 at the top, one row a line.\n"
            f'PIXELS = """\n{rows}\n"""\n'
            f"pixels = {read}([float(v) for v in PIXELS.split()]).reshape({h}, {w})"
        )


def _numbers(pixels: NDArray[np.float64]) -> list[list[str]]:
    """Each value as text that reads back exactly: ``255`` for a whole number (all whole:
    an image not averaged), else the shortest repr, ``127.33333333333333``.

    >>> _numbers(np.array([[255.0, 0.1 + 0.2]]))
    [['255.0', '0.30000000000000004']]
    >>> _numbers(np.array([[255.0, 3.0]]))
    [['255', '3']]
    """
    if np.array_equal(pixels, np.round(pixels)):
        return [list(map(str, row)) for row in pixels.astype(np.int64).tolist()]
    return [list(map(repr, row)) for row in pixels.tolist()]


def _shown(text: str) -> str:
    r"""Text for the script's docstring: quotes, backslashes and unprintable characters
    of a path would end it or escape in it, so they become ``?`` (the code lines carry
    the exact path as a Python literal).

    >>> print(_shown('C:\\photos\\my "best".png'))
    C:?photos?my ?best?.png
    """
    return "".join("?" if c in '"\\' or not c.isprintable() else c for c in text)


def _kept(template: str, settings: dict[str, Any]) -> str:
    """The template's lines, each tagged one kept only when its option is (``-``: is not) in use."""
    used = {o.param.name: o.used(settings) for o in OPTIONS}
    out = []
    for line in template.splitlines():
        keep = True
        while (m := _TAG.match(line)) is not None:
            keep &= used[m.group(2)] != (m.group(1) == "-")
            line = line[m.end() :]
        if keep:
            out.append(line)
    return "\n".join(out)


def settings_of(optimizer: Optimizer = Optimizer(), **given: Any) -> dict[str, Any]:
    """Every option's value, checked by its declaration; options not given take their defaults.

    The optimizer's fields (momentum, Nesterov, schedule, warm-up) come from ``optimizer``.
    """
    names = {o.param.name for o in OPTIONS if o.param not in KNOBS} | {"scale"}
    unknown = set(given) - names
    if unknown:
        raise ValueError(
            f"export: unknown options {sorted(unknown)}; known: {sorted(names)}, and optimizer."
        )
    out: dict[str, Any] = {"scale": SCALE.check(given.get("scale", SCALE.default))}
    for o in OPTIONS:
        value = given.get(o.param.name, o.param.default)
        if o.param in KNOBS:
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
        f"Gradient descent on {_shown(image.name)}, {s['scale']} scale, rate {s['lr']!r}, "
        f"{s['epochs']} epochs" + ("" if framework == "numpy" else ", with PyTorch") + "."
    )
    head = [
        f'"""{title}',
        "",
        "It prints CSV: epoch,error,w0,w1,w2 (epoch 0 is the start).",
        '"""',
    ]
    if command:  # a comment, so the path keeps every character (``command_line`` quotes it)
        head.append(f"# Made by: {_one_line(command)}")
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
        if o.param in KNOBS:
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


def _one_line(text: str) -> str:
    """``text`` safe on one comment line: anything unprintable (a new line) becomes ``?``."""
    return "".join(c if c.isprintable() else "?" for c in text)

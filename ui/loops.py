"""The learner's own loop: the script of the run on screen, and errors a wrong loop prints."""

from __future__ import annotations

from typing import Any

import numpy as np

import gdcore
import gdcore.learner.check
import gdcore.learner.export
import gdcore.learner.script_images
import gdcore.learner.setup
from ui import cached
from ui.image import ImageChoice


def example_errors(
    key: tuple,
    scale: str,
    lr: float,
    init: str,
    seed: int,
    _pixels: np.ndarray,
    optimizer: gdcore.Optimizer = gdcore.learner.setup.PLAIN,
) -> str:
    """Errors a loop without the ½ prints on this setup, to try the page with."""
    return gdcore.learner.check.example(
        gdcore.learner.setup.Setup(_pixels, scale, lr, init, seed, optimizer)
    )


def run_script(choice: ImageChoice, scale: str, framework: str, **run: Any) -> str:
    """The script of the run on screen (``gdcore.learner.export``); ``run`` holds its options
    by name and its ``optimizer``. A built-in image is drawn by its code in the script; an
    upload's pixel table is written out (up to 512 x 512 values, so the text is cached)."""
    kind, name, size = choice.key
    if kind != "builtin":
        optimizer = run.pop("optimizer", gdcore.Optimizer())
        return cached.upload_script(
            choice.key, scale, framework, tuple(sorted(run.items())), optimizer, choice.pixels
        )
    image = gdcore.learner.script_images.Image(name, size)
    command = gdcore.learner.export.command_line(image, framework, scale=scale, **run)
    return gdcore.learner.export.script(
        image, framework, command, n=int(choice.pixels.size), scale=scale, **run
    )

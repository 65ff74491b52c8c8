"""gdcore: gradient descent on the pixels of an image, exact and fast.

An image becomes a table of rows ``[1, x, y]`` with the pixel's brightness; the
model ``w0 + w1*x + w2*y`` is fitted by gradient descent on
``E(w) = 1/2 * mean((t - Xw)^2)``. No Streamlit here: use it from a notebook,
from ``python -m gdcore`` or from the dashboard.

>>> import gdcore
>>> table = gdcore.pixel_table(gdcore.builtin_image("scene", 32), "unit")
>>> bowl_theory = gdcore.theory(gdcore.quadratic(table))
>>> result = gdcore.run_descent(table, [bowl_theory.optimal_lr], 100)
>>> gdcore.diagnose_run(result.errors[0], bowl_theory.optimal_lr, bowl_theory, gdcore.initial_weights()).verdict
'good'
"""

from . import params
from ._version import __version__
from .bowl.fastest import Fastest, fastest_rate
from .bowl.theory import (
    Theory,
    behaviour,
    epoch_error_exceeds,
    epochs_to_target,
    theory,
    three_rates,
)
from .descent.engine import check_epochs, check_rates, initial_weights, run_descent
from .descent.model import error, one_weight_step, predict, slopes
from .descent.optimizer import Optimizer
from .descent.runs import BLOWUP_ERROR, DescentResult
from .learner.logs import Log, LogError, read_log
from .params import MAX_EPOCHS, MAX_RATES, SCALES
from .pixels.images import BUILTINS, DEFAULT_SIZE, builtin_image
from .pixels.loading import MAX_PIXELS, ImageError, LoadedImage, load_image
from .pixels.quadratic import Quadratic, quadratic
from .pixels.table import PixelTable, pixel_table
from .verdicts.diagnosis import GOOD, TOO_LARGE, TOO_SMALL, Diagnosis, good_rule, lesson_line
from .verdicts.which_rules import diagnose, diagnose_curve, diagnose_run

__all__ = [
    "good_rule",
    "lesson_line",
    "__version__",
    "params",
    "BLOWUP_ERROR",
    "BUILTINS",
    "DEFAULT_SIZE",
    "GOOD",
    "MAX_EPOCHS",
    "MAX_PIXELS",
    "MAX_RATES",
    "SCALES",
    "TOO_LARGE",
    "TOO_SMALL",
    "DescentResult",
    "Diagnosis",
    "Fastest",
    "ImageError",
    "LoadedImage",
    "Log",
    "LogError",
    "Optimizer",
    "PixelTable",
    "Quadratic",
    "Theory",
    "behaviour",
    "builtin_image",
    "check_epochs",
    "check_rates",
    "diagnose",
    "diagnose_curve",
    "diagnose_run",
    "epoch_error_exceeds",
    "epochs_to_target",
    "error",
    "fastest_rate",
    "initial_weights",
    "load_image",
    "one_weight_step",
    "pixel_table",
    "predict",
    "quadratic",
    "read_log",
    "run_descent",
    "slopes",
    "theory",
    "three_rates",
]

"""Sentences the pages show, made from the engine's numbers (never typed-in numbers).

Each function returns Markdown built from its arguments only, so a page and a
test can compare the words with the numbers they came from.
"""

from __future__ import annotations

import gdcore


def quoted(raw: str, most: int = 40) -> str:
    """Text from a link or a file, made safe to show inside backticks: printable, short."""
    clean = "".join(c if c.isprintable() and c != "`" else "?" for c in raw)
    return clean if len(clean) <= most else clean[:most] + "…"


def theory_bullets(th: gdcore.Theory, lr: float, reach: int | None) -> str:
    """What the bowl's theory says about this image and this rate, as a bullet list."""
    behaviour = gdcore.behaviour(th, lr)
    ratio = lr / th.critical_lr
    reach_text = (
        f"reaches within 1% of E* at epoch {reach:,}"
        if reach is not None
        else "never gets within 1% of E*"
    )
    kappa = "∞" if th.singular else f"{th.condition_number:.4g}"
    w = th.w_star
    return (
        f"- The error is a bowl in the three weights. Its steepest curvature λmax = "
        f"{th.lambda_max:.4g} sets the **critical rate 2/λmax = {th.critical_lr:.4g}**: any "
        "faster and each step overshoots by more than it gains.\n"
        f"- Its flattest curvature λmin = {th.lambda_min:.4g} sets how slowly the last stretch "
        f"goes; the ratio **κ = {kappa}** says how stretched the bowl is. The **best constant "
        f"rate {th.optimal_lr:.4g}** still leaves {th.optimal_factor:.3f} of the distance every "
        "epoch.\n"
        f"- Your rate {lr:g} is **{ratio:.3g}× the critical rate**: full-batch descent "
        f"**{behaviour}** and {reach_text}.\n"
        f"- The lowest possible error is **E\\* = {th.error_star:.4g}**, at w* = "
        f"({w[0]:.4g}, {w[1]:.4g}, {w[2]:.4g})."
    )

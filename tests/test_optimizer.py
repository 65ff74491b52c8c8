"""The optimizer value and its one step map.

``Optimizer`` is checked by the parameter declaration (the messages are the
declaration's), written and read back as text exactly, and ``step_map`` is held
to one step of the textbook recurrence (``torch.optim.SGD``'s, written out) for
scalar and matrix curvatures, plain, heavy ball and Nesterov.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcore import Optimizer
from gdcore.bowl.theory import critical_lr
from gdcore.descent.optimizer import OPTIMIZER_FIELDS, step_map
from gdcore.descent.schedules import rate_factors
from gdcore.params import MOMENTUM, SCHEDULE, WARMUP

# --- the value -------------------------------------------------------------


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"momentum": 1.0}, "momentum: must be a number >= 0 and < 1, got 1."),
        ({"momentum": -0.1}, "momentum: must be a number >= 0 and < 1, got -0.1."),
        ({"momentum": float("nan")}, "momentum: must be a number >= 0 and < 1, got nan."),
        ({"momentum": "fast"}, "momentum: must be a number >= 0 and < 1, got 'fast'."),
        ({"nesterov": 2}, "nesterov: must be 0 or 1, got 2."),
        ({"warmup": -1}, "warmup: must be a whole number >= 0, got -1."),
        ({"warmup": 2.5}, "warmup: must be a whole number >= 0, got 2.5."),
        ({"schedule": "exp:1.5"}, "schedule: must be constant, step:EVERY:FACTOR"),
        ({"schedule": "linear"}, "(unknown schedule 'linear')"),
        ({"nesterov": True}, "nesterov: needs a momentum > 0"),
    ],
)
def test_bad_values_get_the_declarations_sentence(kw, message):
    with pytest.raises(ValueError) as info:
        Optimizer(**kw)
    assert message in str(info.value)
    if "needs" not in message:  # the sentence is the declaration's, word for word
        param = next(p for p in OPTIMIZER_FIELDS if p.name == next(iter(kw)))
        assert str(info.value) == f"{param.name}: {param.problem(kw[param.name])}."


def test_the_value_is_immutable_canonical_and_hashable():
    opt = Optimizer(0.9, True, " step:10:0.50 ", 5)
    assert opt.schedule == "step:10:0.5" and opt.warmup == 5 and opt.nesterov is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.momentum = 0.5  # type: ignore[misc]
    assert opt == Optimizer(0.9, True, "step:10:0.5", 5)
    assert len({opt, Optimizer(0.9, True, "step:10:0.5", 5), Optimizer()}) == 2
    # A change goes through the same checks.
    with pytest.raises(ValueError, match="momentum: must be"):
        dataclasses.replace(opt, momentum=1.5)
    assert dataclasses.replace(opt, nesterov=False).nesterov is False


def test_defaults_are_the_declarations():
    opt = Optimizer()
    assert (opt.momentum, opt.schedule, opt.warmup) == (
        MOMENTUM.default,
        SCHEDULE.default,
        WARMUP.default,
    )
    assert opt.plain and opt.constant_rate and str(opt) == "plain" and opt.text == ""


@pytest.mark.parametrize(
    "opt, plain, constant",
    [
        (Optimizer(), True, True),
        (Optimizer(warmup=1), True, True),  # a warm-up of one epoch multiplies by 1/1
        (Optimizer(warmup=2), False, False),
        (Optimizer(schedule="cosine"), False, False),
        (Optimizer(0.5), False, True),
        (Optimizer(0.5, True, "exp:0.9"), False, False),
    ],
)
def test_plain_means_no_momentum_and_a_constant_rate(opt, plain, constant):
    assert opt.plain is plain and opt.constant_rate is constant


def test_rate_factors_are_the_schedules():
    opt = Optimizer(0.3, schedule="step:3:0.5", warmup=4)
    assert opt.factors(10).tolist() == rate_factors("step:3:0.5", 10, 4).tolist()
    assert opt.rates(2.0, 10).tolist() == (2.0 * rate_factors("step:3:0.5", 10, 4)).tolist()


def test_repr_names_what_is_set():
    assert repr(Optimizer()) == "Optimizer()"
    assert repr(Optimizer(0.9)) == "Optimizer(momentum=0.9)"
    opt = Optimizer(0.5, True, "inverse:20", 3)
    assert repr(opt) == "Optimizer(momentum=0.5, nesterov=True, schedule='inverse:20', warmup=3)"
    assert eval(repr(opt), {"Optimizer": Optimizer}) == opt


def test_text_query_and_argv_say_the_same():
    opt = Optimizer(0.9999999999999999, True, "exp:0.99", 5)
    assert opt.text == "momentum=0.9999999999999999 nesterov schedule=exp:0.99 warmup=5"
    assert opt.query() == {
        "momentum": "0.9999999999999999",
        "nesterov": "1",
        "schedule": "exp:0.99",
        "warmup": "5",
    }
    assert opt.argv() == [
        "--momentum",
        "0.9999999999999999",
        "--nesterov",
        "--schedule",
        "exp:0.99",
        "--warmup",
        "5",
    ]
    assert Optimizer.parse(opt.text) == opt
    # The link's parameters read back by their declarations give the same value.
    back = {p.name: p.parse(opt.query()[p.name]) for p in OPTIMIZER_FIELDS}
    assert Optimizer(**back) == opt


def test_the_command_line_reads_the_argv():
    from gdcore.cli import _build_parser

    opt = Optimizer(0.95, True, "step:50:0.5", 7)
    args = _build_parser().parse_args(
        ["run", "--image", "plane", "--lr", "0.1", "--epochs", "3", *opt.argv()]
    )
    assert Optimizer(args.momentum, args.nesterov, args.schedule, args.warmup) == opt


@pytest.mark.parametrize(
    "text, message",
    [
        ("momentum=0.9 speed=3", "optimizer: unknown setting 'speed=3'"),
        ("momentum=", "optimizer: unknown setting 'momentum='"),
        ("momentum=1", "momentum: must be a number >= 0 and < 1, got '1'."),
        ("nesterov", "nesterov: needs a momentum > 0"),
        ("momentum=0.5 nesterov=2", "nesterov: must be 0 or 1, got '2'."),
        ("warmup=x", "warmup: must be a whole number >= 0, got 'x'."),
    ],
)
def test_bad_text_is_named(text, message):
    with pytest.raises(ValueError) as info:
        Optimizer.parse(text)
    assert message in str(info.value)
    assert isinstance(Optimizer.problem(text), str)


SCHEDULES = st.one_of(
    st.just("constant"),
    st.just("cosine"),
    st.builds(
        lambda e, f: f"step:{e}:{f!r}",
        st.integers(1, 10_000),
        st.floats(0, 1, exclude_min=True),
    ),
    st.builds(lambda f: f"exp:{f!r}", st.floats(0, 1, exclude_min=True)),
    st.builds(
        lambda t: f"inverse:{t!r}", st.floats(0, 1e300, exclude_min=True, allow_infinity=False)
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    momentum=st.one_of(
        st.floats(0, 1, exclude_max=True),
        st.sampled_from([0.0, 0.9999999999999999, 0.9999999, 5e-324]),
    ),
    nesterov=st.booleans(),
    schedule=SCHEDULES,
    warmup=st.integers(0, 10**6),
)
def test_text_round_trips_exactly(momentum, nesterov, schedule, warmup):
    opt = Optimizer(momentum, nesterov and momentum > 0, schedule, warmup)
    back = Optimizer.parse(opt.text)
    assert back == opt
    assert back.momentum == opt.momentum  # every bit of β: 0.9999999999999999 is not 1
    assert Optimizer.parse(str(opt)) == opt


# --- the step map ----------------------------------------------------------


def textbook_step(G, x, buf, r, beta, nesterov):
    """One step of ``torch.optim.SGD`` (``dampening=0``), as ``textbook.descend_sgd`` writes it."""
    slope = G @ x if np.ndim(G) == 2 else G * x
    if beta > 0:
        buf = beta * buf + slope
        step = slope + beta * buf if nesterov else buf
    else:
        buf, step = slope, slope
    return x - r * step, buf


OPTIMIZERS = [Optimizer(), Optimizer(0.9), Optimizer(0.7, nesterov=True), Optimizer(0.3)]


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=repr)
def test_the_step_map_is_one_textbook_step_per_direction(opt):
    rng = np.random.default_rng(1)
    lam = np.array([0.0, 1e-6, 0.37, 4.2])
    r = 0.41
    x, buf = rng.normal(size=4), rng.normal(size=4)
    if opt.momentum == 0:
        buf = np.zeros(4)  # without momentum there is no buffer to carry
    A = step_map(lam, r, opt)
    assert A.shape == (4, 2, 2)
    got = np.einsum("dij,jd->id", A, np.stack([x, buf]))
    want_x, want_buf = textbook_step(lam, x, buf, r, opt.momentum, opt.nesterov)
    np.testing.assert_allclose(got[0], want_x, rtol=1e-14, atol=1e-15)
    if opt.momentum > 0:
        np.testing.assert_allclose(got[1], want_buf, rtol=1e-14, atol=1e-15)
    G = step_map(lam, r, opt, minus_identity=True)
    np.testing.assert_allclose(G + np.eye(2), A, rtol=1e-15, atol=1e-16)


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=repr)
def test_the_step_matrix_is_one_textbook_step_on_a_batch(opt):
    rng = np.random.default_rng(2)
    B = rng.normal(size=(5, 3))
    H = B.T @ B / 5  # a batch's curvature
    r = 0.23
    x, buf = rng.normal(size=3), rng.normal(size=3)
    if opt.momentum == 0:
        buf = np.zeros(3)
    A = step_map(H, r, opt, matrix=True)
    assert A.shape == (6, 6)
    got = A @ np.concatenate([x, buf])
    want_x, want_buf = textbook_step(H, x, buf, r, opt.momentum, opt.nesterov)
    np.testing.assert_allclose(got[:3], want_x, rtol=1e-13, atol=1e-15)
    if opt.momentum > 0:
        np.testing.assert_allclose(got[3:], want_buf, rtol=1e-13, atol=1e-15)
    # Per direction (H diagonal) the matrix is the scalar maps, entry by entry.
    D = step_map(np.diag([0.5, 2.0]), r, opt, matrix=True)
    one = step_map(np.array([0.5, 2.0]), r, opt)
    for i in range(2):
        np.testing.assert_array_equal(D[np.ix_([i, 2 + i], [i, 2 + i])], one[i])


@pytest.mark.parametrize("opt", OPTIMIZERS[1:], ids=repr)
def test_many_steps_of_the_map_are_the_textbook_loop(opt):
    """Applied epoch after epoch with a schedule's rates, the map is the recurrence itself."""
    lam = np.array([0.02, 0.5, 3.0])
    rates = 0.6 * rate_factors("step:7:0.5", 40, 5)
    x, buf = np.array([1.0, -2.0, 0.5]), np.zeros(3)
    state = np.stack([x, buf])
    for r in rates:
        state = np.einsum("dij,jd->id", step_map(lam, r, opt), state)
        x, buf = textbook_step(lam, x, buf, r, opt.momentum, opt.nesterov)
    np.testing.assert_allclose(state[0], x, rtol=1e-12, atol=1e-14)


def test_the_rate_scales_only_the_offsets_row():
    """What ``directions`` relies on to build the maps once and scale by the schedule."""
    lam = np.array([0.1, 2.0])
    for opt in OPTIMIZERS:
        a, b = (
            step_map(lam, 0.8, opt, minus_identity=True),
            step_map(lam, 0.8 * 0.3, opt, minus_identity=True),
        )
        np.testing.assert_allclose(b[:, 0], 0.3 * a[:, 0], rtol=1e-15)
        np.testing.assert_array_equal(b[:, 1], a[:, 1])


def test_the_map_keeps_long_double_and_its_digits():
    wide = np.longdouble
    G = step_map(np.array([1.0], wide), wide(1e-20), Optimizer(0.5), minus_identity=True)
    assert G.dtype == wide and G[0, 0, 0] == wide(-1e-20)


@pytest.mark.parametrize("lam", [3.7, 1e-6, 2.5e5])
@pytest.mark.parametrize("opt", [*OPTIMIZERS, Optimizer(0.9999999999999999, True)], ids=repr)
def test_the_edge_rate_read_off_the_map_is_the_closed_form(opt, lam):
    """``theory.critical_lr`` reads the edge off the step map; the closed forms agree."""
    b = opt.momentum
    closed = 2 * (1 + b) / ((1 + 2 * b) * lam) if opt.nesterov else 2 * (1 + b) / lam
    assert critical_lr(lam, opt) == pytest.approx(closed, rel=1e-15)


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=repr)
def test_the_edge_rate_is_where_the_map_reaches_minus_one(opt):
    """``theory.critical_lr`` is the rate where ``det(I + A) = 0``: a root of -1."""
    lam = 3.7
    edge = critical_lr(lam, opt)
    A = step_map(lam, edge, opt)
    assert np.linalg.det(np.eye(2) + A) == pytest.approx(0.0, abs=1e-12)
    for r, settles in ((0.99 * edge, True), (1.01 * edge, False)):
        factor = np.abs(np.linalg.eigvals(step_map(lam, r, opt))).max()
        assert bool(factor < 1) is settles


def test_without_momentum_the_offset_block_alone_is_the_step():
    """``velocity=False`` (mini-batch without momentum: 4 x 4 maps) drops only a zero column."""
    H = np.array([[2.0, 0.5], [0.5, 1.0]])
    full = step_map(H, 0.3, Optimizer(), matrix=True)
    alone = step_map(H, 0.3, Optimizer(), matrix=True, velocity=False)
    np.testing.assert_array_equal(full[:2, 2:], 0.0)  # the buffer never reaches the offset
    np.testing.assert_array_equal(alone, full[:2, :2])
    np.testing.assert_array_equal(
        step_map(2.0, 0.3, Optimizer(), velocity=False), step_map(2.0, 0.3, Optimizer())[:1, :1]
    )
    with pytest.raises(ValueError, match="with momentum the map needs the velocity"):
        step_map(H, 0.3, Optimizer(0.5), matrix=True, velocity=False)

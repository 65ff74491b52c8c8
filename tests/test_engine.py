"""The fast engine against the textbook loop, the oracle."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdcore import builtin_image, pixel_table, quadratic, run_descent, theory
from gdcore.descent.runs import BLOWUP_ERROR
from gdcore.descent.testing import assert_runs_equal
from gdcore.descent.textbook import textbook_run

# Rates as multiples of the critical rate 2/lambda_max: small, good, overshooting, diverging.
CRITICAL_MULTIPLES = [1e-3, 0.1, 0.5, 0.9, 0.999, 1.2, 4.0]


def _setup(name, scale, size=12):
    table = pixel_table(builtin_image(name, size), scale)
    th = theory(quadratic(table))
    return table, th


def _oracle(table, lrs, epochs, **kw):
    return textbook_run(table.design_matrix(), table.target_vector(), lrs, epochs, **kw)


@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
@pytest.mark.parametrize("name", ["plane", "diagonal", "spot", "stripes", "noise", "scene"])
def test_full_batch_equals_textbook(name, scale):
    table, th = _setup(name, scale)
    lrs = [m * th.critical_lr for m in CRITICAL_MULTIPLES]
    # Start away from w*: for a symmetric image on the standard scale w* = 0,
    # so a zero start would sit at the optimum (see the test below).
    w0 = th.w_star + np.array([0.5, -0.3, 0.2]) * np.abs(th.w_star).max(initial=1.0)
    fast = run_descent(table, lrs, 400, init=w0)
    assert_runs_equal(fast, _oracle(table, lrs, 400, w_init=w0))
    # The strongly diverging rate must actually blow up within 400 epochs.
    assert fast.diverged_epoch[-1] > 0


def test_start_at_the_optimum_diverges_only_from_rounding():
    # Symmetric spot, standard scale: w* = 0 exactly, so the zero start is the
    # bottom. A diverging rate then grows nothing but rounding noise, which
    # differs between implementations; both must still blow up, and agree
    # while the error is still at E* to full precision.
    table, th = _setup("spot", "standard")
    assert np.abs(th.w_star).max() < 1e-12
    lrs = [4 * th.critical_lr]
    fast, slow = run_descent(table, lrs, 400), _oracle(table, lrs, 400)
    assert fast.diverged_epoch[0] > 0 and slow.diverged_epoch[0] > 0
    np.testing.assert_allclose(fast.errors[0, :5], slow.errors[0, :5], rtol=1e-9)


@pytest.mark.parametrize("init", ["zero", "random", [100.0, -3.0, 2.5]])
def test_initial_weights(init):
    table, th = _setup("scene", "unit")
    lrs = [0.3 * th.critical_lr, 1.5 * th.critical_lr]
    fast = run_descent(table, lrs, 200, init=init, seed=7)
    w0 = fast.weights[0, 0]
    slow = _oracle(table, lrs, 200, w_init=w0)
    assert_runs_equal(fast, slow)
    if init == "random":
        assert np.all(np.abs(w0) < 0.1) and np.any(w0 != 0)
        np.testing.assert_array_equal(
            w0, run_descent(table, lrs, 2, init="random", seed=7).weights[0, 0]
        )


def test_lesson_sized_steps_and_raw_scale_long_run():
    table, th = _setup("scene", "raw", size=20)
    lrs = [1e-6, 0.5 * th.critical_lr, th.optimal_lr]
    assert_runs_equal(run_descent(table, lrs, 3000), _oracle(table, lrs, 3000))


@pytest.mark.parametrize("batch", [1, 7, 50, 144])
@pytest.mark.parametrize("scale", ["unit", "standard"])
def test_minibatch_equals_textbook(batch, scale):
    table, th = _setup("scene", scale)
    lrs = [0.01 * th.critical_lr, 0.2 * th.critical_lr, 0.9 * th.critical_lr, 5 * th.critical_lr]
    fast = run_descent(table, lrs, 15, batch_size=batch, seed=3)
    slow = _oracle(table, lrs, 15, batch_size=batch, seed=3)
    assert_runs_equal(fast, slow)


def test_minibatch_with_whole_image_equals_full_batch():
    table, th = _setup("spot", "unit")
    lrs = [0.1 * th.critical_lr, 0.9 * th.critical_lr]
    full = run_descent(table, lrs, 50)
    slow = _oracle(table, lrs, 50, batch_size=table.n, seed=1)
    assert_runs_equal(full, slow)
    # A batch larger than the image is the whole image.
    assert_runs_equal(run_descent(table, lrs, 50, batch_size=10 * table.n), full)


def test_minibatch_same_batches_for_every_rate():
    table, _ = _setup("noise", "unit")
    together = run_descent(table, [0.05, 0.2], 5, batch_size=9, seed=11)
    alone = run_descent(table, [0.2], 5, batch_size=9, seed=11)
    np.testing.assert_allclose(together.errors[1], alone.errors[0], rtol=1e-12)
    other_seed = run_descent(table, [0.2], 5, batch_size=9, seed=12)
    assert not np.allclose(other_seed.errors[0, 1:], alone.errors[0, 1:], rtol=1e-6)


def test_early_stop_matches_textbook():
    table, th = _setup("scene", "unit")
    lrs = [0.05 * th.critical_lr, 0.9 * th.critical_lr, 1.5 * th.critical_lr]
    fast = run_descent(table, lrs, 2000, early_stop_tol=1e-6)
    slow = _oracle(table, lrs, 2000, early_stop_tol=1e-6)
    assert_runs_equal(fast, slow)
    assert (fast.stopped_epoch > 0).all()
    k = fast.stopped_epoch[0]
    e = fast.errors[0]
    assert e[k - 1] - e[k] <= 1e-6 * e[k - 1] and np.isnan(e[k + 1 :]).all()
    assert (e[1 : k - 1] - e[2:k] > 1e-6 * e[1 : k - 1]).all()


def test_divergence_is_silent_and_cut_with_nan(recwarn):
    table, th = _setup("scene", "raw")
    res = run_descent(table, [50 * th.critical_lr], 5000)
    k = res.diverged_epoch[0]
    assert 0 < k < 5000
    assert np.isfinite(res.errors[0, :k]).all() and np.isnan(res.errors[0, k:]).all()
    assert np.isnan(res.weights[0, k:]).all()
    assert res.errors[0, k - 1] <= BLOWUP_ERROR
    assert res.final_errors[0] == np.inf
    assert len(recwarn) == 0


def test_hundred_thousand_epochs():
    table, th = _setup("scene", "unit", size=8)
    res = run_descent(table, [1e-4 * th.critical_lr, th.optimal_lr], 100_000)
    assert res.errors.shape == (2, 100_001)
    # The slow run creeps down monotonically; the good one sits at E*.
    assert (np.diff(res.errors[0]) <= 0).all()
    np.testing.assert_allclose(res.errors[1, -1], th.error_star, rtol=1e-12)
    # Spot checks of the slow run against the textbook loop at its end.
    slow = _oracle(table, [1e-4 * th.critical_lr], 100_000)
    np.testing.assert_allclose(res.errors[0, -10:], slow.errors[0, -10:], rtol=1e-9)


def test_errors_never_below_optimum_and_exact_near_bottom():
    table, th = _setup("plane", "unit")
    res = run_descent(table, [th.optimal_lr], 3000)
    assert (res.errors[0] >= th.error_star).all()
    # For an exact plane E* is 0; the excess shrinks geometrically, far below
    # where subtracting two numbers of size E(0) could resolve it.
    assert th.error_star < 1e-25 * res.errors[0, 0]
    assert 0 <= res.errors[0, -1] - th.error_star < 1e-100


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"lrs": [0.0]}, r"lr: must be 1 to 256 values .* each a number > 0, got 0 \(value 1\)"),
        ({"lrs": [np.inf]}, r"a number > 0, got inf \(value 1\)"),
        ({"lrs": [0.1, -1.0]}, r"a number > 0, got -1 \(value 2\)"),
        ({"lrs": []}, "lr: must be 1 to 256 values .*, got 0 values"),
        ({"epochs": 0}, "epochs: must be a whole number from 1 to 100,000, got 0"),
        ({"epochs": 100_001}, "epochs: must be a whole number from 1 to 100,000, got 100001"),
        ({"epochs": 2.5}, "epochs: must be a whole number from 1 to 100,000, got 2.5"),
        ({"batch_size": 0}, "batch_size: must be a whole number >= 1, got 0"),
        ({"init": "ones"}, "init: must be one of zero, random, got 'ones'"),
        ({"init": [1, 2]}, "init: must be zero, random or three finite numbers"),
        ({"early_stop_tol": -1.0}, "early_stop_tol: must be a number >= 0, got -1"),
    ],
)
def test_bad_arguments_raise_sentences(kw, match):
    table, _ = _setup("plane", "unit", size=4)
    args = {"lrs": [0.1], "epochs": 5} | kw
    lrs, epochs = args.pop("lrs"), args.pop("epochs")
    with pytest.raises(ValueError, match=match):
        run_descent(table, lrs, epochs, **args)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["diagonal", "spot", "noise", "scene", "checkerboard"]),
    scale=st.sampled_from(["raw", "unit", "standard"]),
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    multiples=st.lists(st.floats(1e-4, 3.0), min_size=1, max_size=4),
    epochs=st.integers(1, 300),
    init=st.lists(st.floats(-50, 50), min_size=3, max_size=3),
)
def test_random_cases_equal_textbook(name, scale, h, w, multiples, epochs, init):
    pixels = builtin_image(name, 9)[:h, :w]
    table = pixel_table(pixels, scale)
    th = theory(quadratic(table))
    lrs = [m * th.critical_lr for m in multiples]
    fast = run_descent(table, lrs, epochs, init=init)
    assert_runs_equal(fast, _oracle(table, lrs, epochs, w_init=np.array(init)))


@settings(max_examples=25, deadline=None)
@given(
    scale=st.sampled_from(["unit", "standard"]),
    batch=st.integers(1, 40),
    multiples=st.lists(st.floats(1e-3, 1.5), min_size=1, max_size=3),
    epochs=st.integers(1, 6),
    seed=st.integers(0, 1000),
)
def test_random_minibatch_cases_equal_textbook(scale, batch, multiples, epochs, seed):
    table = pixel_table(builtin_image("scene", 6), scale)
    th = theory(quadratic(table))
    lrs = [m * th.critical_lr for m in multiples]
    fast = run_descent(table, lrs, epochs, batch_size=batch, seed=seed)
    assert_runs_equal(fast, _oracle(table, lrs, epochs, batch_size=batch, seed=seed))


def test_errors_without_weights_are_the_same_errors():
    table, th = _setup("scene", "raw")
    lrs = [m * th.critical_lr for m in CRITICAL_MULTIPLES]
    full = run_descent(table, lrs, 500)
    lean = run_descent(table, lrs, 500, keep_weights=False)
    np.testing.assert_array_equal(lean.errors, full.errors)
    np.testing.assert_array_equal(lean.diverged_epoch, full.diverged_epoch)
    assert lean.weights.shape == (len(lrs), 501, 0)


def test_a_start_so_close_to_the_bottom_that_its_square_underflows():
    # Found by hypothesis: d0 = 3.5e-243 made d0² underflow to 0 inside the
    # closed form, so the growing error was lost; the engine now scales first.
    table = pixel_table(builtin_image("diagonal", 9)[:1, :1], "standard")
    lrs = [3.0 * theory(quadratic(table)).critical_lr]
    init = [3.4968054317122584e-243, 0.0, 0.0]
    fast = run_descent(table, lrs, 128, init=init)
    assert fast.errors[0, -1] > 1e-307
    assert_runs_equal(fast, _oracle(table, lrs, 128, w_init=np.array(init)))


def test_work_in_blocks_gives_the_same_numbers_and_calls_back_between_blocks(monkeypatch):
    """The closed form by blocks of rates gives exactly the numbers of one block, mini-batch by
    chunks of batches the textbook's (a chunk's maps are multiplied in another order), and both
    call back between blocks (where ui.turns lets others go)."""
    from gdcore.descent import batches, engine

    table = pixel_table(builtin_image("scene", 12), "unit")
    lrs = list(np.geomspace(0.05, 4.0, 7))
    whole = run_descent(table, lrs, 40)
    calls = [0]

    def between():
        calls[0] += 1

    monkeypatch.setattr(engine, "BLOCK_ELEMENTS", 2 * 41)  # two rates of 41 epochs a block
    blocks = run_descent(table, lrs, 40, between=between)
    assert calls[0] == 3  # 7 rates: 4 blocks, 3 gaps
    np.testing.assert_array_equal(blocks.errors, whole.errors)
    np.testing.assert_array_equal(blocks.weights, whole.weights)
    assert_runs_equal(blocks, _oracle(table, lrs, 40))

    monkeypatch.setattr(batches, "CHUNK_BATCHES", 4)  # 144 pixels in batches of 5: 29 a pass
    calls[0] = 0
    chunked = run_descent(table, [0.3, 0.9], 3, batch_size=5, between=between)
    assert calls[0] == 3 * 8  # ceil(29 / 4) chunks each epoch
    assert_runs_equal(chunked, _oracle(table, [0.3, 0.9], 3, batch_size=5))


def test_run_seconds_grows_with_the_work_it_counts():
    from gdcore.descent.engine import SECONDS_PER, run_seconds

    assert run_seconds(4096, 200, 20_000) == pytest.approx(200 * 20_000 * SECONDS_PER["rate-epoch"])
    assert run_seconds(100, 3, 10, batch_size=100) == run_seconds(100, 3, 10)  # whole image
    mb = run_seconds(1000, 1, 10, batch_size=10)
    expected = 10 * (1000 * SECONDS_PER["pixel-epoch"] + 100 * 1.0 * SECONDS_PER["batch-epoch"])
    assert mb == pytest.approx(expected)
    assert run_seconds(1000, 1, 10, batch_size=10, momentum=0.9) > mb
    assert run_seconds(1000, 4, 10, batch_size=10) > mb

"""The lesson's numbers, the slopes, and the pixel table's scales."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcore import builtin_image, error, one_weight_step, pixel_table, slopes
from gdcore.descent.textbook import descend


def test_lesson_one_weight_example():
    s = one_weight_step(weight=1.0, lr=0.01)  # input 2, true answer 10
    assert s.prediction == 2.0 and s.difference == 8.0 and s.squared_error == 64.0
    assert s.slope == -16.0
    assert s.new_weight == pytest.approx(1.16, abs=1e-12)
    at_bottom = one_weight_step(weight=5.0, lr=0.01)
    assert at_bottom.slope == 0.0 and at_bottom.new_weight == 5.0


def test_three_weight_loop_with_lesson_data():
    # One example with x = 2 and the other inputs zero is the one-weight lesson.
    X, t = np.array([[0.0, 2.0, 0.0]]), np.array([10.0])
    errors, weights = descend(X, t, 0.01, 1, w_init=np.array([0.0, 1.0, 0.0]))
    assert errors[0] == 32.0  # half of the squared error 64
    np.testing.assert_allclose(weights[1], [0.0, 1.16, 0.0], rtol=1e-15)


@settings(max_examples=30, deadline=None)
@given(
    w=st.lists(st.floats(-100, 100), min_size=3, max_size=3),
    scale=st.sampled_from(["raw", "unit", "standard"]),
)
def test_slopes_match_finite_differences(w, scale):
    table = pixel_table(builtin_image("scene", 8), scale)
    X, t, w = table.design_matrix(), table.target_vector(), np.array(w)
    g = slopes(X, t, w)
    for i in range(3):
        h = 1e-4 * max(1.0, abs(w[i]))
        e = np.zeros(3)
        e[i] = h
        # E is quadratic, so the central difference is exact up to rounding.
        fd = (error(X, t, w + e) - error(X, t, w - e)) / (2 * h)
        assert fd == pytest.approx(g[i], rel=1e-6, abs=1e-6 * (1 + abs(error(X, t, w))))


def test_raw_table_rows_and_order():
    img = np.array([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]])
    table = pixel_table(img, "raw")
    np.testing.assert_array_equal(
        table.design_matrix(), [[1, 0, 0], [1, 1, 0], [1, 2, 0], [1, 0, 1], [1, 1, 1], [1, 2, 1]]
    )
    np.testing.assert_array_equal(table.target_vector(), [10, 20, 30, 40, 50, 60])
    np.testing.assert_array_equal(table.head(4)[3], [1, 0, 1, 40])


def test_unit_scale():
    table = pixel_table(np.full((3, 5), 255.0), "unit")
    X = table.design_matrix()
    assert X[:, 1].max() == 1 and X[:, 2].max() == 1 and X[:, 1:].min() == 0
    np.testing.assert_array_equal(table.target_vector(), 1.0)
    one_wide = pixel_table(np.ones((4, 1)), "unit")
    np.testing.assert_array_equal(one_wide.design_matrix()[:, 1], 0.0)


@pytest.mark.parametrize("name", ["scene", "noise", "stripes"])
def test_standard_scale_has_mean_zero_sd_one(name):
    table = pixel_table(builtin_image(name, 17), "standard")
    X = np.column_stack([table.design_matrix()[:, 1:], table.target_vector()])
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1, rtol=1e-12)


def test_standard_scale_constant_columns_become_zero():
    table = pixel_table(np.full((1, 6), 7.0), "standard")
    X = table.design_matrix()
    np.testing.assert_array_equal(X[:, 2], 0.0)
    np.testing.assert_array_equal(table.target_vector(), 0.0)


def test_head_builds_only_what_it_shows():
    import tracemalloc

    table = pixel_table(builtin_image("scene", 1024), "unit")
    tracemalloc.start()
    head = table.head(5)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The full table would be 1024² rows x 3 columns x 8 bytes = 25 MB.
    assert peak < 100_000, f"head(5) allocated {peak:,} bytes"
    assert head.shape == (5, 4)
    np.testing.assert_array_equal(head[:, 1], np.arange(5) / 1023)
    assert pixel_table(np.ones((2, 2))).head(100).shape == (4, 4)


@pytest.mark.parametrize(
    ("pixels", "scale", "match"),
    [
        (np.ones((2, 2)), "log", "scale: must be one of raw, unit, standard"),
        (np.ones((0, 3)), "unit", "non-empty 2-D"),
        (np.ones(4), "unit", "non-empty 2-D"),
        (np.array([[1.0, np.nan]]), "unit", "finite"),
    ],
)
def test_table_rejects_bad_input(pixels, scale, match):
    with pytest.raises(ValueError, match=match):
        pixel_table(pixels, scale)


@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
def test_best_prediction_in_brightness_is_the_same_on_every_scale(scale):
    from gdcore import quadratic

    pixels = builtin_image("scene", 12)
    table = pixel_table(pixels, scale)
    X = pixel_table(pixels, "raw").design_matrix()
    w_raw = np.linalg.lstsq(X, pixels.ravel(), rcond=None)[0]
    expected = (X @ w_raw).reshape(pixels.shape)
    got = table.predicted_brightness(quadratic(table).w_star)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def test_constant_image_predicts_its_constant():
    table = pixel_table(np.full((3, 3), 80.0), "standard")
    np.testing.assert_array_equal(table.predicted_brightness(np.array([5.0, 1.0, 1.0])), 80.0)

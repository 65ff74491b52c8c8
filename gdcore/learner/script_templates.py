"""The text of an exported script: the pixel table on each scale and the loop, NumPy and PyTorch.

Lines of the loop that only some runs need carry a tag ``«name»`` (``«-name»``: only
when the option is not in use); ``export`` keeps the lines whose options the run uses.
"""

from __future__ import annotations

import re

from ..descent.runs import BLOWUP_ERROR

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

TAG = re.compile(r"^«(-?)(\w+)»")


__all__ = [
    "BLOWN",
    "NUMPY",
    "PYTORCH",
    "SCALE_LINES",
    "STANDARDIZE",
    "TABLE",
    "TAG",
    "TORCH_SCALE_LINES",
    "TORCH_STANDARDIZE",
    "TORCH_TABLE",
]

"""Write training logs with the real frameworks, at a too-small, a good and a diverging rate.

The logs in this folder were made by this script (tests/test_frameworks.py reads them):

    python3 -m venv /work/venvs/logs
    /work/venvs/logs/bin/pip install torch==2.13.0 lightning keras transformers fastai tensorboard
    /work/venvs/logs/bin/python tests/data/frameworks/make_logs.py [framework ...]

Every framework fits the lesson's model, brightness = w0 + w1·x + w2·y, to the same pixel
table (a 16 × 32 image whose brightness is not a plane, so a mini-batch of 32 pixels scatters
around the trend) by plain SGD, 10 epochs of 16 mini-batches, validated on 128 other pixels.
The rates: 0.001 (too small), 0.3 (good) and 0.8 (diverging: past the edge rate 2 / λmax ≈
0.62 of the mean squared error, which frameworks do not halve).
"""

from __future__ import annotations

import csv
import os
import pty
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
RATES = {"small": 0.001, "good": 0.3, "diverging": 0.8}
EPOCHS, BATCH, SEED = 10, 32, 0


def pixels() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The training and validation pixels: (x, y) in [0, 1], brightness in [0, 1]."""
    rng = np.random.default_rng(SEED)
    h, w = 16, 40
    yy, xx = np.mgrid[0:h, 0:w]
    x, y = (xx / (w - 1)).ravel(), (yy / (h - 1)).ravel()
    b = 0.2 + 0.6 * x - 0.3 * y + 0.15 * np.sin(6 * x) * np.cos(5 * y)
    b = np.clip(b + rng.normal(0, 0.08, b.size), 0, 1)
    order = rng.permutation(b.size)
    xy = np.stack([x, y], axis=1).astype(np.float32)[order]
    b = b.astype(np.float32)[order, None]
    return xy[:512], b[:512], xy[512:], b[512:]


def torch_data():
    import torch

    xt, bt, xv, bv = (torch.from_numpy(a) for a in pixels())
    return xt, bt, xv, bv


def printed_loop(rate: float) -> str:
    """A plain PyTorch loop printing one line an epoch, as tutorials do."""
    import torch

    torch.manual_seed(SEED)
    xt, bt, xv, bv = torch_data()
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=rate)
    lines = []
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(xt))
        total = 0.0
        for i in range(0, len(xt), BATCH):
            idx = perm[i : i + BATCH]
            loss = torch.nn.functional.mse_loss(model(xt[idx]), bt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        with torch.no_grad():
            val = torch.nn.functional.mse_loss(model(xv), bv).item()
        lines.append(
            f"Epoch {epoch + 1}/{EPOCHS}, loss: {total / len(xt):.4f}, val_loss: {val:.4f}"
        )
    return "\n".join(lines) + "\n"


def printed_steps(rate: float) -> str:
    """The PyTorch tutorial's print: ``[epoch, batch] loss: …`` every 4 mini-batches."""
    import torch

    torch.manual_seed(SEED)
    xt, bt, _, _ = torch_data()
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=rate)
    lines = []
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(xt))
        running = 0.0
        for k, i in enumerate(range(0, len(xt), BATCH)):
            idx = perm[i : i + BATCH]
            loss = torch.nn.functional.mse_loss(model(xt[idx]), bt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item()
            if k % 4 == 3:
                lines.append(f"[{epoch + 1}, {k + 1:5d}] loss: {running / 4:.3f}")
                running = 0.0
    return "\n".join(lines) + "\n"


def lightning(rate: float, kind: str, out: Path) -> None:
    """Lightning's CSVLogger: ``kind`` "epoch" logs once an epoch, "step" every step."""
    import lightning as L
    import torch
    from lightning.pytorch.loggers import CSVLogger

    L.seed_everything(SEED, verbose=False)
    xt, bt, xv, bv = torch_data()

    class Plane(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.model = torch.nn.Linear(2, 1)

        def training_step(self, batch, _):
            loss = torch.nn.functional.mse_loss(self.model(batch[0]), batch[1])
            self.log("train_loss", loss, on_step=kind == "step", on_epoch=kind == "epoch")
            return loss

        def validation_step(self, batch, _):
            loss = torch.nn.functional.mse_loss(self.model(batch[0]), batch[1])
            self.log("val_loss", loss, on_epoch=True)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=rate)

    train = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(xt, bt), batch_size=BATCH, shuffle=True
    )
    val = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xv, bv), batch_size=128)
    tmp = out.parent / f"_lightning_{kind}"
    logger = CSVLogger(tmp, name="", version=0)
    trainer = L.Trainer(
        max_epochs=EPOCHS,
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        accelerator="cpu",
        detect_anomaly=False,
    )
    trainer.fit(Plane(), train, val)
    out.write_text((tmp / "version_0" / "metrics.csv").read_text())


def keras_csv(rate: float, out: Path, verbose: int = 0, append: bool = False) -> None:
    os.environ["KERAS_BACKEND"] = "torch"
    import keras

    keras.utils.set_random_seed(SEED)
    xt, bt, xv, bv = pixels()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=rate), loss="mse")
    model.fit(
        xt,
        bt,
        batch_size=BATCH,
        epochs=EPOCHS,
        validation_data=(xv, bv),
        callbacks=[keras.callbacks.CSVLogger(str(out), append=append)]
        if out.suffix == ".csv"
        else [],
        verbose=verbose,
    )


def keras_fit_captured(rate: float) -> str:
    """Keras's ``fit`` progress bar in a terminal, saved as a notebook does: each \\r a new line."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal, so Keras draws its bar with \r
        keras_csv(rate, Path("none.txt"), verbose=1)
        os._exit(0)
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def huggingface(rate: float) -> str:
    """Hugging Face's Trainer (transformers 5): what it prints with logging every 4 steps."""
    code = f"""
import sys, torch
sys.path.insert(0, {str(HERE)!r})
from make_logs import torch_data, SEED, EPOCHS, BATCH
from transformers import Trainer, TrainingArguments
torch.manual_seed(SEED)
xt, bt, xv, bv = torch_data()
class Pixels(torch.utils.data.Dataset):
    def __init__(self, x, b): self.x, self.b = x, b
    def __len__(self): return len(self.x)
    def __getitem__(self, i): return {{"x": self.x[i], "labels": self.b[i]}}
class Plane(torch.nn.Module):
    def __init__(self):
        super().__init__(); self.model = torch.nn.Linear(2, 1)
    def forward(self, x, labels=None):
        out = self.model(x)
        return {{"loss": torch.nn.functional.mse_loss(out, labels), "logits": out}}
args = TrainingArguments(output_dir={str(HERE / "_hf")!r}, num_train_epochs=EPOCHS,
    per_device_train_batch_size=BATCH, per_device_eval_batch_size=128, learning_rate={rate},
    optim="sgd", lr_scheduler_type="constant", weight_decay=0.0, max_grad_norm=0.0,
    logging_steps=4, eval_strategy="epoch", save_strategy="no", report_to=[],
    disable_tqdm=True, seed=SEED, use_cpu=True)
Trainer(model=Plane(), args=args, train_dataset=Pixels(xt, bt), eval_dataset=Pixels(xv, bv)).train()
"""
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=HERE
    )
    return "".join(line + "\n" for line in run.stdout.splitlines() if line.startswith("{"))


def fastai(rate: float, out: Path) -> None:
    import torch
    from fastai.callback.progress import CSVLogger
    from fastai.data.core import DataLoaders
    from fastai.learner import Learner
    from fastai.optimizer import SGD

    torch.manual_seed(SEED)
    xt, bt, xv, bv = torch_data()
    train = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(xt, bt), batch_size=BATCH, shuffle=True
    )
    val = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(xv, bv), batch_size=128)
    learn = Learner(
        DataLoaders(train, val),
        torch.nn.Linear(2, 1),
        loss_func=torch.nn.functional.mse_loss,
        opt_func=SGD,
        cbs=[CSVLogger(fname=str(out.resolve()))],
    )
    with learn.no_bar(), learn.no_logging():
        learn.fit(EPOCHS, lr=rate)


def tensorboard(rate: float, out: Path) -> None:
    """Per-step losses written by ``SummaryWriter``, downloaded as TensorBoard's CSV does."""
    import shutil

    import torch
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from torch.utils.tensorboard import SummaryWriter

    torch.manual_seed(SEED)
    xt, bt, _, _ = torch_data()
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=rate)
    logdir = out.parent / "_tb"
    shutil.rmtree(logdir, ignore_errors=True)
    writer = SummaryWriter(str(logdir))
    step = 0
    for _ in range(EPOCHS):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), BATCH):
            idx = perm[i : i + BATCH]
            loss = torch.nn.functional.mse_loss(model(xt[idx]), bt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            writer.add_scalar("Loss/train", loss.item(), step)
            step += 1
    writer.close()
    events = EventAccumulator(str(logdir), size_guidance={"scalars": 0})
    events.Reload()
    with out.open("w", newline="") as f:  # the download's columns and number format
        w = csv.writer(f)
        w.writerow(["Wall time", "Step", "Value"])
        for e in events.Scalars("Loss/train"):
            w.writerow([repr(e.wall_time), e.step, repr(float(np.float32(e.value)))])
    shutil.rmtree(logdir, ignore_errors=True)


def main(which: list[str]) -> None:
    import shutil

    for name, rate in RATES.items():
        if "loop" in which:
            (HERE / f"torch_loop_{name}.txt").write_text(printed_loop(rate))
            (HERE / f"torch_steps_{name}.txt").write_text(printed_steps(rate))
        if "lightning" in which:
            for kind in ("epoch", "step"):
                lightning(rate, kind, HERE / f"lightning_{kind}_{name}.csv")
                shutil.rmtree(HERE / f"_lightning_{kind}", ignore_errors=True)
        if "keras" in which:
            keras_csv(rate, HERE / f"keras_{name}.csv")
            (HERE / f"keras_fit_{name}.txt").write_text(keras_fit_captured(rate))
    if "keras" in which or "keras-append" in which:  # CSVLogger(append=True): two runs, one file
        appended = HERE / "keras_appended.csv"
        appended.unlink(missing_ok=True)
        keras_csv(RATES["diverging"], appended, append=True)
        keras_csv(RATES["good"], appended, append=True)
        if "huggingface" in which:
            (HERE / f"huggingface_{name}.txt").write_text(huggingface(rate))
            shutil.rmtree(HERE / "_hf", ignore_errors=True)
        if "fastai" in which:
            fastai(rate, HERE / f"fastai_{name}.csv")
        if "tensorboard" in which:
            tensorboard(rate, HERE / f"tensorboard_{name}.csv")


if __name__ == "__main__":
    main(sys.argv[1:] or ["loop", "lightning", "keras", "huggingface", "fastai", "tensorboard"])

"""Train a small neural network on scikit-learn's bundled digits, epoch by epoch.

Each epoch is one pass of ``MLPClassifier.partial_fit`` over the training split; after it
the script logs the validation accuracy as ``accuracy`` (the sweep's primary metric, so
early-termination policies can compare runs epoch by epoch), the training loss as
``loss`` and the epoch number as ``epoch``. It saves a checkpoint (model and epoch) to
the relative path ``outputs/model.pkl`` after every epoch, as HyperDrive scripts do, and
with ``--resume-from FOLDER`` (or ``HYPERSWEEP_RESUME_FROM``, set when hypersweep resumes
a run) continues after the checkpoint's epoch. Runs offline: the data ship with
scikit-learn.

    python train.py --learning_rate 0.01 --hidden_size 64 --epochs 20
"""

from __future__ import annotations

import argparse
import os
import pickle

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits  # installed with scikit-learn

try:
    from hypersweep import Run

    get_context = Run.get_context
except ImportError:  # a hypersweep without the top-level Run: the client itself
    from hypersweep.tracking import get_context

CHECKPOINT = os.path.join("outputs", "model.pkl")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learning_rate", type=float, default=0.001,
                        help="Adam's initial step size")
    parser.add_argument("--hidden_size", type=int, default=64, help="units in the hidden layer")
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty")
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20, help="total epochs, resumed ones "
                        "included")
    parser.add_argument("--seed", type=int, default=0, help="weights and data split")
    parser.add_argument("--resume-from", "--resume_from", dest="resume_from", default=None,
                        help="a previous run's outputs folder holding model.pkl")
    return parser.parse_args(argv)


def load_data(seed: int) -> tuple[np.ndarray, ...]:
    """Train and validation splits of the 8x8 digits, pixels scaled to [0, 1]."""
    x, y = load_digits(return_X_y=True)
    return tuple(train_test_split(x / 16.0, y, test_size=0.25, random_state=seed,
                                  stratify=y))


def load_checkpoint(folder: str | None) -> tuple[MLPClassifier | None, int]:
    """The model and epoch saved in ``folder``/model.pkl, or (None, 0) to start afresh."""
    path = os.path.join(folder, "model.pkl") if folder else None
    if not path or not os.path.exists(path):
        if folder:
            print(f"no checkpoint in {folder}: starting from epoch 1")
        return None, 0
    with open(path, "rb") as fh:
        state = pickle.load(fh)
    print(f"resuming from {path} after epoch {state['epoch']}")
    return state["model"], state["epoch"]


def save_checkpoint(model: MLPClassifier, epoch: int) -> None:
    """Write the checkpoint atomically, so a run killed mid-save keeps the previous one."""
    os.makedirs(os.path.dirname(CHECKPOINT), exist_ok=True)
    with open(CHECKPOINT + ".tmp", "wb") as fh:
        pickle.dump({"model": model, "epoch": epoch}, fh)
    os.replace(CHECKPOINT + ".tmp", CHECKPOINT)


def main(argv: list[str] | None = None) -> float:
    args = parse_args(argv)
    run = get_context()
    x_train, x_val, y_train, y_val = load_data(args.seed)
    model, done = load_checkpoint(args.resume_from or getattr(run, "resume_from", None))
    if model is None:
        model = MLPClassifier(hidden_layer_sizes=(args.hidden_size,), alpha=args.alpha,
                              learning_rate_init=args.learning_rate,
                              batch_size=args.batch_size, random_state=args.seed)
    classes = np.arange(10)
    # One BLAS thread: the matrices are tiny (threads cost more than they save) and a
    # sweep already runs trials side by side on the machine's cores.
    with threadpool_limits(limits=1):
        for epoch in range(done + 1, args.epochs + 1):
            model.partial_fit(x_train, y_train, classes=classes)
            run.log("accuracy", model.score(x_val, y_val))
            run.log("loss", model.loss_)
            run.log("epoch", epoch)
            save_checkpoint(model, epoch)
    if done >= args.epochs:  # nothing left to train: keep the model in this run's outputs
        save_checkpoint(model, done)
    accuracy = float(model.score(x_val, y_val))
    print(f"validation accuracy after epoch {max(done, args.epochs)}: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()

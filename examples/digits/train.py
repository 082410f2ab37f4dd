"""Train a small neural network on scikit-learn's bundled digits, epoch by epoch.

Logs validation accuracy every epoch as ``accuracy`` (the sweep's primary metric) and the
training loss as ``loss``; saves a checkpoint to ``outputs/model.pkl`` after each epoch
and continues from one with ``--resume-from FOLDER`` (as HyperDrive's resume_child_runs
passes it). Runs offline: the digits data ship with scikit-learn.

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
from sklearn.preprocessing import StandardScaler

from hypersweep import Run


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learning_rate", type=float, default=0.001)
    parser.add_argument("--hidden_size", type=int, default=64)
    parser.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty")
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--resume-from", dest="resume_from",
                        default=os.environ.get("HYPERSWEEP_RESUME_FROM"),
                        help="a previous run's outputs folder holding model.pkl")
    return parser.parse_args()


def load_checkpoint(folder: str | None):
    path = os.path.join(folder, "model.pkl") if folder else None
    if path and os.path.exists(path):
        with open(path, "rb") as fh:
            state = pickle.load(fh)
        print(f"resuming from {path} after epoch {state['epoch']}")
        return state["model"], state["epoch"]
    return None, 0


def main() -> None:
    args = parse_args()
    run = Run.get_context()
    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=0,
                                                      stratify=y)
    scaler = StandardScaler().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    model, done = load_checkpoint(args.resume_from)
    if model is None:
        model = MLPClassifier(hidden_layer_sizes=(args.hidden_size,), alpha=args.alpha,
                              learning_rate_init=args.learning_rate, batch_size=args.batch_size,
                              random_state=0)
    classes = np.unique(y)
    os.makedirs("outputs", exist_ok=True)
    for epoch in range(done + 1, args.epochs + 1):
        model.partial_fit(x_train, y_train, classes=classes)
        accuracy = float(model.score(x_val, y_val))
        run.log("accuracy", accuracy)
        run.log("loss", float(model.loss_))
        run.log("epoch", epoch)
        with open("outputs/model.pkl.tmp", "wb") as fh:
            pickle.dump({"model": model, "epoch": epoch}, fh)
        os.replace("outputs/model.pkl.tmp", "outputs/model.pkl")
    print(f"final validation accuracy {model.score(x_val, y_val):.4f}")


if __name__ == "__main__":
    main()

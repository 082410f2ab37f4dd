"""An SVC on scikit-learn's bundled iris data, in the style of HyperDrive's scikit-learn
sample: the kernel and the penalty come from the command line, the script logs them with
the test accuracy and saves the model to ``outputs/model.joblib``.

    python train.py --kernel rbf --penalty 1.0
"""

import argparse
import os

import joblib
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

try:
    from hypersweep import Run

    get_context = Run.get_context
except ImportError:  # a hypersweep without the top-level Run: the client itself
    from hypersweep.tracking import get_context

run = get_context()


def main():
    parser = argparse.ArgumentParser(description="SVC on the iris data")
    parser.add_argument("--kernel", type=str, default="linear",
                        help="kernel of the SVC: linear, rbf, poly or sigmoid")
    parser.add_argument("--penalty", type=float, default=1.0,
                        help="penalty C of the error term")
    args = parser.parse_args()
    run.log("Kernel", np.str_(args.kernel))  # numpy values are logged as plain ones
    run.log("Penalty", np.float64(args.penalty))

    iris = datasets.load_iris()
    x_train, x_test, y_train, y_test = train_test_split(iris.data, iris.target,
                                                        test_size=0.3, random_state=0)
    model = SVC(kernel=args.kernel, C=args.penalty).fit(x_train, y_train)
    accuracy = model.score(x_test, y_test)
    print(f"Accuracy of the SVC on the test set: {accuracy:.2f}")
    run.log("Accuracy", np.float64(accuracy))

    os.makedirs("outputs", exist_ok=True)
    joblib.dump(model, "outputs/model.joblib")


if __name__ == "__main__":
    main()

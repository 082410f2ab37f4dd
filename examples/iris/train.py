"""An SVC on scikit-learn's bundled iris data, in the style of HyperDrive's sample.

    python train.py --kernel rbf --penalty 1.0
"""

import argparse
import os

import joblib
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from hypersweep import Run

run = Run.get_context()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernel", type=str, default="linear",
                        help="Kernel type to be used in the algorithm")
    parser.add_argument("--penalty", type=float, default=1.0, help="Penalty parameter of the "
                        "error term")
    args = parser.parse_args()
    run.log("Kernel", np.str_(args.kernel))
    run.log("Penalty", np.float64(args.penalty))

    iris = datasets.load_iris()
    x_train, x_test, y_train, y_test = train_test_split(iris.data, iris.target, test_size=0.3,
                                                        random_state=0)
    svm_model = SVC(kernel=args.kernel, C=args.penalty).fit(x_train, y_train)
    accuracy = svm_model.score(x_test, y_test)
    print(f"Accuracy of SVM classifier on test set: {accuracy:.2f}")
    run.log("Accuracy", np.float64(accuracy))

    os.makedirs("outputs", exist_ok=True)
    joblib.dump(svm_model, "outputs/model.joblib")


if __name__ == "__main__":
    main()

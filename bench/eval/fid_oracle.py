"""pytorch-fid's calculate_frechet_distance, with numpy only (scipy's sqrtm is replaced by the
eigenvalues of the non-symmetric product S1 S2, as torchmetrics does), as an oracle for the Java FID.

usage: fid_oracle.py FEATURES1.f64 FEATURES2.f64 DIM  -> JSON on stdout
Inputs are little-endian float64 row-major [n, DIM] arrays.
"""
import json
import sys

import numpy as np


def stats(path, dim):
    x = np.fromfile(path, dtype="<f8").reshape(-1, dim)
    return np.mean(x, axis=0), np.cov(x, rowvar=False)


def frechet(mu1, s1, mu2, s2):
    diff = mu1 - mu2
    # Tr sqrtm(S1 S2) = sum of square roots of the eigenvalues of S1 S2 (real, >= 0 up to rounding)
    ev = np.linalg.eigvals(s1.dot(s2)).astype(complex)
    tr_covmean = np.sqrt(ev).real.sum()
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * tr_covmean)


if __name__ == "__main__":
    d = int(sys.argv[3])
    mu1, s1 = stats(sys.argv[1], d)
    mu2, s2 = stats(sys.argv[2], d)
    print(json.dumps({"fid": frechet(mu1, s1, mu2, s2), "mu1": mu1.tolist(), "cov1_00": float(s1[0, 0]),
                      "cov1_01": float(s1[0, 1]), "cov1_trace": float(np.trace(s1)), "numpy": np.__version__}))

#!/usr/bin/python3
"""Compare two .npy arrays.

    /usr/bin/python3 scripts/compare_npy.py A.npy B.npy [--tol 1e-4]

B is the reference. Prints `max_abs=... rel_l2=...` where
rel_l2 = ||a - b||_2 / max(||b||_2, 1e-30), and exits 1 if rel_l2 > tol, the
shapes differ, or a value is NaN/Inf in one array only (2 on a usage or read
error).
"""

import argparse
import sys

import numpy as np


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compare two .npy arrays (B is the reference).")
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tol", type=float, default=1e-4, help="max rel_l2 (default 1e-4)")
    args = ap.parse_args(argv)
    try:
        a = np.load(args.a, allow_pickle=False)
        b = np.load(args.b, allow_pickle=False)
    except Exception as e:  # noqa: BLE001
        print(f"compare_npy: error: {e}", file=sys.stderr)
        return 2
    if a.shape != b.shape:
        print(f"shape mismatch: {args.a} {a.shape} vs {args.b} {b.shape}")
        return 1
    a64 = a.astype(np.float64)
    b64 = b.astype(np.float64)
    diff = a64 - b64
    if a.size == 0:
        max_abs = 0.0
        rel_l2 = 0.0
    else:
        # NaN/Inf at the same places with the same values count as equal.
        same = (a64 == b64) | (np.isnan(a64) & np.isnan(b64))
        diff = np.where(same, 0.0, diff)
        max_abs = float(np.max(np.abs(diff)))
        bfin = np.where(np.isfinite(b64), b64, 0.0)
        rel_l2 = float(np.linalg.norm(diff.ravel()) / max(np.linalg.norm(bfin.ravel()), 1e-30))
    print(f"max_abs={max_abs:.6g} rel_l2={rel_l2:.6g}")
    if not rel_l2 <= args.tol:  # also catches NaN
        print(f"FAIL: rel_l2 {rel_l2:.6g} > tol {args.tol:g}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

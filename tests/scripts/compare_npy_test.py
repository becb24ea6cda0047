#!/usr/bin/python3
"""scripts/compare_npy.py: exit 0 on a match, 1 on a mismatch or a shape
difference, and the printed max_abs / rel_l2 values.

    compare_npy_test.py WORK_DIR
"""

import os
import subprocess
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COMPARE = os.path.join(ROOT, "scripts", "compare_npy.py")


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(0)
    b = rng.standard_normal((3, 4, 5)).astype(np.float32)
    small = b + np.float32(1e-7) * rng.standard_normal(b.shape).astype(np.float32)
    big = b.copy()
    big[1, 2, 3] += 1.0
    arrays = {"b": b, "same": b.copy(), "small": small, "big": big,
              "reshaped": b.reshape(3, 20), "nan": np.where(b > 1, np.nan, b).astype(np.float32),
              "zeros": np.zeros_like(b), "i64": np.arange(60, dtype=np.int64).reshape(3, 4, 5),
              "i64b": np.arange(60, dtype=np.int64).reshape(3, 4, 5)}
    for k, v in arrays.items():
        np.save(os.path.join(work, k + ".npy"), v)

    def rc(a, ref, *extra):
        p = subprocess.run([sys.executable, COMPARE, os.path.join(work, a + ".npy"),
                            os.path.join(work, ref + ".npy"), *extra],
                           capture_output=True, text=True)
        return p.returncode, p.stdout.strip()

    expect = [
        (("same", "b"), 0),
        (("small", "b"), 0),
        (("big", "b"), 1),
        (("big", "b", "--tol", "1.0"), 0),
        (("reshaped", "b"), 1),
        (("nan", "b"), 1),
        (("b", "zeros"), 1),   # reference all zeros: rel_l2 huge
        (("zeros", "zeros"), 0),
        (("i64", "i64b"), 0),
    ]
    failed = 0
    for args, want in expect:
        got, out = rc(*args)
        ok = got == want
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} compare_npy {' '.join(args)}: exit {got} (want {want}) {out}")
    # The printed numbers.
    _, out = rc("big", "b")
    first = out.splitlines()[0]
    want_rel = 1.0 / float(np.linalg.norm(b.astype(np.float64)))
    vals = dict(kv.split("=") for kv in first.split())
    if abs(float(vals["max_abs"]) - 1.0) > 1e-5 or abs(float(vals["rel_l2"]) - want_rel) > 1e-4 * want_rel:
        failed += 1
        print(f"FAIL printed values {first}, want max_abs=1 rel_l2={want_rel:.6g}")
    else:
        print(f"ok   printed values {first}")
    print(f"{len(expect) + 1 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

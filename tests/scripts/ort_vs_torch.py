#!/usr/bin/python3
"""ONNX Runtime (scripts/ort_run.js) on exported models vs. the torch modules
they were exported from (rebuilt with export_models.build_module, same seed).
Checks that export + ort_run.js + the npy round trip agree end to end, and that
the networks' outputs do not vanish.

    ort_vs_torch.py NODE MODELS_DIR WORK_DIR NAME[,NAME...] [--tol REL_L2]

The outputs must agree to rel L2 <= REL_L2 (default 1e-4; compare_npy.py).

Exits 77 (ctest skip) if node or third_party/ort/node_modules is missing.
"""

import os
import subprocess
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.dont_write_bytecode = True


def main():
    args = sys.argv[1:]
    tol = "1e-4"
    if len(args) == 6 and args[4] == "--tol":
        tol = args[5]
        args = args[:4]
    if len(args) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    node, models, work, names = args[0], args[1], args[2], args[3].split(",")
    if not node or not os.path.exists(node):
        print("SKIP: node not found")
        return 77
    if not os.path.isdir(os.path.join(ROOT, "third_party", "ort", "node_modules", "onnxruntime-node")):
        print("SKIP: third_party/ort/node_modules absent (run scripts/setup.sh)")
        return 77
    import torch  # noqa: E402  (slow import, after the skip checks)
    from export_models import build_module  # noqa: E402

    torch.set_num_threads(2)
    os.makedirs(work, exist_ok=True)
    failed = 0
    for name in names:
        out = os.path.join(work, name)
        p = subprocess.run([node, os.path.join(ROOT, "scripts", "ort_run.js"),
                            os.path.join(models, name + ".onnx"), "--save-inputs", out,
                            "--output-dir", out], capture_output=True, text=True)
        if p.returncode != 0:
            print(f"FAIL {name}: ort_run.js exit {p.returncode}: {p.stderr}")
            failed += 1
            continue
        module, _ = build_module(name)
        x = torch.from_numpy(np.load(os.path.join(out, "input.npy")))
        with torch.no_grad():
            ref = module(x).numpy()
        refp = os.path.join(work, name + "_torch.npy")
        np.save(refp, ref)
        c = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "compare_npy.py"),
                            os.path.join(out, "output.npy"), refp, "--tol", tol],
                           capture_output=True, text=True)
        ok = c.returncode == 0 and ref.std() > 1e-3
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {c.stdout.strip()} output std {ref.std():.4g}")
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

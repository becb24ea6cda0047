#!/usr/bin/python3
"""Tests of scripts/conformance.py that need neither swtc nor libonnx-testdata:
op selection (README table, models, --ops), the tolerance logic, and the
classification of swtc's behaviour with fake swtc executables.

    test_conformance_script.py [SCRIPT [WORK_DIR]]
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "scripts",
                                                                           "conformance.py")
WORK = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="conformance-test-")
del sys.argv[1:]

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
spec = importlib.util.spec_from_file_location("conformance", SCRIPT)
conf = importlib.util.module_from_spec(spec)
sys.modules["conformance"] = conf
spec.loader.exec_module(conf)

README = """\
# x

## Supported ONNX

Default domain, opsets 7 to 18, float32 tensors, static shapes.

| op | notes |
|---|---|
| Conv | 2-D, groups |
| `BatchNormalization` | inference form (one output) |
| Relu, Add | Add with numpy broadcasting |
| `Flatten`, `Reshape`, `Identity` | no copy |
| Constant | folded into the weights |

Any other op fails.

| not | an op table |
|---|---|
| Sin | no |

## Layout
| Cos | no |
"""

# ------------------------------------------------------------------ fixtures

FAKE_SWTC = r'''#!/usr/bin/python3
# A fake swtc: MODE decides what `swtc run` does.
import os, re, signal, sys, time
import numpy as np
import onnx
from onnx import TensorProto, numpy_helper
MODE = "@MODE@"
args = sys.argv[1:]
log = os.environ.get("FAKE_SWTC_LOG")
if log:
    with open(log, "a") as f:
        f.write(" ".join(args) + "\n")
model = args[1]
outdir = args[args.index("--output-dir") + 1]
def expected():
    case = os.path.dirname(model)
    m = onnx.load(model)
    res = []
    for i, o in enumerate(m.graph.output):
        t = TensorProto()
        with open(os.path.join(case, "test_data_set_0", f"output_{i}.pb"), "rb") as f:
            t.ParseFromString(f.read())
        res.append((o.name, numpy_helper.to_array(t)))
    return res
def write(fn):
    os.makedirs(outdir, exist_ok=True)
    for name, arr in expected():
        np.save(os.path.join(outdir, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".npy"), fn(arr))
if MODE == "nosin" and any(n.op_type == "Sin" for n in onnx.load(model).graph.node):
    sys.stderr.write("swtc: error: node 's' (Sin, opset 13): not supported\n"); sys.exit(1)
if MODE in ("right", "nosin"):
    write(lambda a: a)
elif MODE == "close":
    write(lambda a: a + np.float32(5e-6))      # within atol=1e-5
elif MODE == "relclose":
    write(lambda a: a * np.float32(1.0005))    # within rtol=1e-3
elif MODE == "wrong":
    write(lambda a: a + np.float32(0.25))
elif MODE == "dtype":
    write(lambda a: a.astype(np.float64))
elif MODE == "shape":
    write(lambda a: a.reshape(-1))
elif MODE == "unsupported":
    sys.stderr.write("swtc: error: node 'relu_node' (Relu, opset 13): not supported\n"); sys.exit(1)
elif MODE == "unsupported_other":
    sys.stderr.write("swtc: error: node 'n' (Relu): attribute 'foo' is not supported\n"); sys.exit(1)
elif MODE == "usererror":
    sys.stderr.write("swtc: error: model 'm' uses opset 1; swtc supports opsets 7 to 18\n"); sys.exit(1)
elif MODE == "unsupported_exit2":
    sys.stderr.write("swtc: error: node 'n' (Relu, opset 13): not supported\n"); sys.exit(2)
elif MODE == "crash":
    sys.stderr.write("about to crash\n"); sys.stderr.flush(); os.kill(os.getpid(), signal.SIGSEGV)
elif MODE == "exit134":
    sys.stderr.write("Aborted\n"); sys.exit(134)
elif MODE == "hang":
    time.sleep(60)
elif MODE == "nooutput":
    sys.exit(0)
'''


def make_fake(folder, mode):
    p = os.path.join(folder, f"fake_swtc_{mode}")
    with open(p, "w") as f:
        f.write(FAKE_SWTC.replace("@MODE@", mode))
    os.chmod(p, 0o755)
    return p


def save_tensor(path, arr, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(arr, name).SerializeToString())


def make_case(data_dir, name, nodes, inputs, outputs, in_arrays, out_arrays, inits=()):
    d = os.path.join(data_dir, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, os.path.join(d, "model.onnx"))
    for i, (vi, a) in enumerate(zip(inputs, in_arrays)):
        save_tensor(os.path.join(d, "test_data_set_0", f"input_{i}.pb"), a, vi.name)
    for i, (vi, a) in enumerate(zip(outputs, out_arrays)):
        save_tensor(os.path.join(d, "test_data_set_0", f"output_{i}.pb"), a, vi.name)


def build_data_dir(data_dir):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    F = TensorProto.FLOAT
    # test_relu: one float input, output name with a character swtc replaces.
    make_case(data_dir, "test_relu", [helper.make_node("Relu", ["x"], ["y:0"], name="r")],
              [helper.make_tensor_value_info("x", F, x.shape)],
              [helper.make_tensor_value_info("y:0", F, x.shape)], [x], [np.maximum(x, 0)])
    # test_add_sin: two node types, an initializer that is also a graph input.
    b = np.ones((4,), np.float32)
    make_case(data_dir, "test_add_sin",
              [helper.make_node("Add", ["x", "b"], ["t"]), helper.make_node("Sin", ["t"], ["y"])],
              [helper.make_tensor_value_info("x", F, x.shape), helper.make_tensor_value_info("b", F, b.shape)],
              [helper.make_tensor_value_info("y", F, x.shape)], [x], [np.sin(x + b)],
              inits=[numpy_helper.from_array(b, "b")])
    # test_relu_int: float64 input -> "unsupported: dtype double" without running swtc.
    xi = np.arange(6, dtype=np.float64)
    make_case(data_dir, "test_relu_int", [helper.make_node("Relu", ["x"], ["y"])],
              [helper.make_tensor_value_info("x", TensorProto.DOUBLE, xi.shape)],
              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, xi.shape)], [xi], [xi])
    # test_mul_int: uint8 and int64 data inputs of an integer op: run, both with --input.
    a8 = np.arange(1, 7, dtype=np.uint8)
    b64 = np.arange(2, 8, dtype=np.int64)
    make_case(data_dir, "test_mul_int", [helper.make_node("Mul", ["a", "a"], ["y"]),
                                         helper.make_node("Pow", ["y", "b"], ["z"])],
              [helper.make_tensor_value_info("a", TensorProto.UINT8, a8.shape),
               helper.make_tensor_value_info("b", TensorProto.INT64, b64.shape)],
              [helper.make_tensor_value_info("z", TensorProto.UINT8, a8.shape)], [a8, b64],
              [np.power(a8 * a8, b64).astype(np.uint8)])
    # test_cos: not selected by --ops Relu.
    make_case(data_dir, "test_cos", [helper.make_node("Cos", ["x"], ["y"])],
              [helper.make_tensor_value_info("x", F, x.shape)],
              [helper.make_tensor_value_info("y", F, x.shape)], [x], [np.cos(x)])


# ------------------------------------------------------------------ tests

class Selection(unittest.TestCase):
    def test_readme_table(self):
        self.assertEqual(conf.parse_readme_ops(README),
                         ["Conv", "BatchNormalization", "Relu", "Add", "Flatten", "Reshape", "Identity", "Constant"])

    def test_real_readme(self):
        readme = os.path.join(os.path.dirname(SCRIPT), "..", "README.md")
        if os.path.isfile(readme):
            with open(readme) as f:
                ops = conf.parse_readme_ops(f.read())
            self.assertIn("Conv", ops)
            self.assertNotIn("op", ops)

    def test_readme_without_table(self):
        with self.assertRaises(ValueError):
            conf.parse_readme_ops("# x\n\nno table\n")

    def test_select(self):
        cases = [{"name": "test_a", "op_types": ["Relu"]},
                 {"name": "test_b", "op_types": ["Add", "Sin"]},
                 {"name": "test_c", "op_types": ["Cos"]},
                 {"name": "test_a_expanded", "op_types": ["Sin", "Relu"]}]
        names = lambda cs: [c["name"] for c in cs]  # noqa: E731
        self.assertEqual(names(conf.select(cases, ["Relu"], False, None)), ["test_a", "test_a_expanded"])
        self.assertEqual(names(conf.select(cases, ["Sin"], False, None)), ["test_b", "test_a_expanded"])
        self.assertEqual(names(conf.select(cases, [], True, None)), names(cases))
        self.assertEqual(names(conf.select(cases, [], True, "expanded$")), ["test_a_expanded"])
        self.assertEqual(names(conf.select(cases, ["Relu", "Add"], False, "^test_[ab]$")), ["test_a", "test_b"])
        self.assertTrue(conf.all_supported(["Relu", "Add"], {"Relu", "Add", "Conv"}))
        self.assertFalse(conf.all_supported(["Relu", "Sin"], {"Relu", "Add"}))
        self.assertFalse(conf.all_supported([], {"Relu"}))

    def test_ops_from_models(self):
        d = os.path.join(WORK, "models")
        shutil.rmtree(d, ignore_errors=True)
        build_data_dir(d)
        self.assertEqual(sorted(conf.ops_from_models(d)), ["Add", "Cos", "Mul", "Pow", "Relu", "Sin"])

    def test_unsupported_reason(self):
        r = conf.unsupported_reason
        self.assertEqual(r("node 'S_0' (Sin, opset 7): not supported"), "Sin (opset 7)")
        self.assertEqual(r("node 'c' (Conv, opset 6): not supported: only 2-D, got rank 3"),
                         "Conv (opset 6): only 2-D, got rank 3")
        self.assertEqual(r("model 'm' uses opset 6: not supported: node 'a' (Add, opset 6): Add's "
                           "definition at opset 6 differs from opset 7's"),
                         "model uses opset 6: not supported: node (Add, opset 6): Add's "
                         "definition at opset 6 differs from opset 7's")
        self.assertEqual(r("unsupported: dtype double (input 'x')"), "unsupported: dtype double (input)")

    def test_sanitize(self):
        self.assertEqual(conf.sanitize("y:0/a b"), "y_0_a_b")
        self.assertEqual(conf.sanitize("ok_name-1.x"), "ok_name-1.x")


class Tolerance(unittest.TestCase):
    def setUp(self):
        self.e = np.array([[1.0, -2.0, 0.0], [100.0, np.nan, 3.0]], np.float32)

    def test_equal(self):
        ok, _, err = conf.compare(self.e.copy(), self.e)
        self.assertTrue(ok)
        self.assertEqual(err, 0.0)

    def test_atol(self):
        a = self.e.copy()
        a[0, 2] = 9e-6          # |a-e| <= atol + rtol*0
        self.assertTrue(conf.compare(a, self.e)[0])
        a[0, 2] = 2e-5
        ok, detail, err = conf.compare(a, self.e)
        self.assertFalse(ok)
        self.assertAlmostEqual(err, 2e-5, places=9)
        self.assertIn("1/6", detail)

    def test_rtol(self):
        a = self.e.copy()
        a[1, 0] = 100.09        # 0.09 <= 1e-5 + 1e-3 * 100
        self.assertTrue(conf.compare(a, self.e)[0])
        a[1, 0] = 100.2
        ok, _, err = conf.compare(a, self.e)
        self.assertFalse(ok)
        self.assertAlmostEqual(err, 0.2, places=4)

    def test_rtol_is_relative_to_expected(self):
        # assert_allclose(actual, desired): the tolerance scales with |desired|.
        self.assertTrue(conf.compare(np.float32([1.0009]), np.float32([1.0]))[0])
        self.assertFalse(conf.compare(np.float32([0.0]), np.float32([0.5e-4]))[0])

    def test_nan(self):
        a = self.e.copy()
        a[1, 1] = 1.0
        ok, _, err = conf.compare(a, self.e)
        self.assertFalse(ok)
        self.assertEqual(err, float("inf"))

    def test_inf(self):
        e = np.float32([np.inf, 1.0])
        self.assertTrue(conf.compare(e.copy(), e)[0])
        self.assertFalse(conf.compare(np.float32([-np.inf, 1.0]), e)[0])

    def test_shape(self):
        ok, detail, err = conf.compare(self.e.reshape(-1), self.e)
        self.assertFalse(ok)
        self.assertIn("shape (6,) != expected (2, 3)", detail)
        self.assertIsNone(err)
        # no broadcasting: (1, 3) vs (3,) is a shape mismatch
        self.assertFalse(conf.compare(np.zeros((1, 3), np.float32), np.zeros((3,), np.float32))[0])

    def test_scalar_and_empty(self):
        self.assertTrue(conf.compare(np.float32(2.0), np.float32(2.0))[0])
        self.assertTrue(conf.compare(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32))[0])


class Classify(unittest.TestCase):
    def test_exit_codes(self):
        st, d = conf.classify_exit(1, "swtc: error: node 'a b' (Sin, opset 7): not supported\n")
        self.assertEqual((st, d), ("unsupported", "node 'a b' (Sin, opset 7): not supported"))
        self.assertEqual(conf.classify_exit(1, "swtc: error: attribute x is not supported")[0], "unsupported")
        self.assertEqual(conf.classify_exit(1, "swtc: error: bad model")[0], "error")
        self.assertEqual(conf.classify_exit(2, "swtc: error: node 'a' (Sin, opset 7): not supported")[0], "error")
        self.assertEqual(conf.classify_exit(3, "differ")[0], "error")
        st, d = conf.classify_exit(-11, "")
        self.assertEqual(st, "error")
        self.assertIn("SIGSEGV", d)
        self.assertIn("crash", conf.classify_exit(139, "Segmentation fault")[1])
        self.assertIn("timeout", conf.classify_exit(-9, "", True, 5)[1])


class FakeSwtc(unittest.TestCase):
    """The whole script (subprocess, process pool) against fake swtc executables."""

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(WORK, "fake")
        shutil.rmtree(cls.root, ignore_errors=True)
        cls.data = os.path.join(cls.root, "data")
        build_data_dir(cls.data)

    def run_script(self, mode, *extra, ops="Relu,Add", targets="host,sw26010"):
        out = os.path.join(self.root, mode + "-" + str(abs(hash(extra)) % 10000))
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        fake = make_fake(out, mode)
        js = os.path.join(out, "r.json")
        md = os.path.join(out, "r.md")
        cmd = [sys.executable, SCRIPT, "--swtc", fake, "--data-dir", self.data, "--targets", targets,
               "--jobs", "2", "--work", os.path.join(out, "work"), "--json", js, "--markdown", md]
        if ops:
            cmd += ["--ops", ops]
        cmd += list(extra)
        env = dict(os.environ, FAKE_SWTC_LOG=os.path.join(out, "calls.log"))
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=240)
        with open(js) as f:
            res = json.load(f)
        by = {(r["case"], r["target"]): r for r in res["results"]}
        return p, res, by, out

    def test_pass(self):
        p, res, by, out = self.run_script("right")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted({c for c, _ in by}), ["test_add_sin", "test_relu", "test_relu_int"])
        for t in ("host", "sw26010"):
            self.assertEqual(by[("test_relu", t)]["status"], "pass")
            self.assertEqual(by[("test_add_sin", t)]["status"], "pass")
            self.assertEqual(by[("test_add_sin", t)]["op"], "Add")
            self.assertEqual(by[("test_relu_int", t)]["status"], "unsupported")
            self.assertIn("dtype double", by[("test_relu_int", t)]["detail"])
        self.assertRegex(p.stderr, r"\[\d/6\] test_relu host: pass")
        # the command line: inputs by graph input name (not the initializer), --repeat 1, --no-check
        with open(os.path.join(out, "calls.log")) as f:
            calls = f.read().splitlines()
        self.assertEqual(len(calls), 4)  # relu, add_sin x 2 targets; the int64 case is not run
        for c in calls:
            self.assertIn("--repeat 1", c)
            self.assertIn("--no-check", c)
            self.assertIn("--work-dir", c)
            self.assertRegex(c, r"--input x=\S+input_0\.npy")
            self.assertNotIn("b=", c)
            self.assertRegex(c, r"--target (host|sw26010)")
        # supported pass rate: test_add_sin has Sin -> not all supported; int64 case counts
        tot = res["totals"]["host"]
        self.assertEqual((tot["pass"], tot["unsupported"], tot["supported_cases"], tot["supported_pass"]),
                         (2, 1, 2, 1))
        with open(os.path.join(out, "r.md")) as f:
            md = f.read()
        first = md.splitlines()[0]
        self.assertIn("GENERATED", first)
        self.assertIn("--swtc", first)
        self.assertRegex(first, r"\d{4}-\d\d-\d\d")
        self.assertIn("| test_relu | Relu | pass | pass |", md)
        self.assertIn("| host | 3 | 2 | 0 | 1 | 0 |", md)
        # eight-model metric: first op types Relu, Add, Relu are all model ops (MODEL_OPS)
        self.assertEqual((tot["model_op_cases"], tot["model_op_pass"]), (3, 2))
        self.assertAlmostEqual(tot["model_op_pass_rate"], 2 / 3)
        self.assertEqual(res["model_ops"], sorted(conf.MODEL_OPS))
        self.assertIn("| host | 3 | 2 | 0 | 1 | 0 | 2/3 (66.7%) |", md)
        self.assertIn("eight-model-op cases 2/3 (66.7%)", p.stderr)

    def test_within_tolerance(self):
        for mode in ("close", "relclose"):
            p, _, by, _ = self.run_script(mode, ops="Relu")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(by[("test_relu", "host")]["status"], "pass")

    def test_wrong_values(self):
        p, _, by, _ = self.run_script("wrong", ops="Relu")
        self.assertEqual(p.returncode, 1)
        r = by[("test_relu", "sw26010")]
        self.assertEqual(r["status"], "fail")
        self.assertAlmostEqual(r["max_abs_err"], 0.25, places=5)
        self.assertIn("y:0: max abs err 0.25", r["detail"])
        self.assertIn("test_relu sw26010: fail", p.stderr)
        p2, _, _, _ = self.run_script("wrong", "--allow-failures", ops="Relu")
        self.assertEqual(p2.returncode, 0)
        self.assertIn("1 fail", p2.stderr)  # the summary is still printed

    def test_integer_case(self):
        p, _, by, out = self.run_script("right", "--keep-work", ops="Mul", targets="host")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(by[("test_mul_int", "host")]["status"], "pass")
        with open(os.path.join(out, "calls.log")) as f:
            call = f.read()
        self.assertRegex(call, r"--input a=\S+input_0\.npy --input b=\S+input_1\.npy")
        self.assertEqual(np.load(os.path.join(out, "work", "host", "test_mul_int", "test_data_set_0",
                                              "input_0.npy")).dtype, np.uint8)
        p, _, by, _ = self.run_script("dtype", ops="Mul", targets="host")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(by[("test_mul_int", "host")]["status"], "fail")
        self.assertIn("z: dtype float64 != expected uint8", by[("test_mul_int", "host")]["detail"])

    def test_wrong_shape(self):
        p, _, by, _ = self.run_script("shape", ops="Relu", targets="host")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(by[("test_relu", "host")]["status"], "fail")
        self.assertIn("shape (24,) != expected (2, 3, 4)", by[("test_relu", "host")]["detail"])

    def test_unsupported(self):
        p, _, by, _ = self.run_script("unsupported", ops="Relu")
        self.assertEqual(p.returncode, 0, p.stderr)
        r = by[("test_relu", "host")]
        self.assertEqual(r["status"], "unsupported")
        self.assertEqual(r["detail"], "node 'relu_node' (Relu, opset 13): not supported")
        p, _, by, _ = self.run_script("unsupported_other", ops="Relu", targets="host")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(by[("test_relu", "host")]["status"], "unsupported")

    def test_errors(self):
        for mode, needle in (("usererror", "opset 1"), ("unsupported_exit2", "exit 2"),
                             ("crash", "SIGSEGV"), ("exit134", "exit 134"),
                             ("nooutput", "missing output 'y:0'")):
            p, _, by, _ = self.run_script(mode, ops="Relu", targets="host")
            self.assertEqual(p.returncode, 1, mode)
            r = by[("test_relu", "host")]
            self.assertEqual(r["status"], "error", mode)
            self.assertIn(needle, r["detail"], mode)

    def test_timeout(self):
        p, _, by, _ = self.run_script("hang", "--timeout", "1", ops="Relu", targets="host")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(by[("test_relu", "host")]["status"], "error")
        self.assertIn("timeout after 1 s", by[("test_relu", "host")]["detail"])

    def test_expect_pass_rate(self):
        # supported (all ops Relu/Add): test_relu (pass) and test_relu_int (unsupported) -> 50%
        p, res, _, _ = self.run_script("right", "--expect-pass-rate", "0.5")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(res["totals"]["host"]["supported_pass_rate"], 0.5)
        p, _, _, _ = self.run_script("right", "--expect-pass-rate", "0.9", "--allow-failures")
        self.assertEqual(p.returncode, 1)
        self.assertIn("below 0.9", p.stderr)

    def test_expect_model_ops_pass_rate(self):
        p, res, _, _ = self.run_script("right", "--expect-model-ops-pass-rate", "0.6")
        self.assertEqual(p.returncode, 0, p.stderr)
        p, res, _, _ = self.run_script("right", "--expect-model-ops-pass-rate", "0.7")
        self.assertEqual(p.returncode, 1)
        self.assertIn("eight-model-op cases 2/3 (66.7%) is below 0.7", p.stderr)
        # test_cos's op is not a model op: not counted; test_mul_int (Mul) is
        p, res, _, _ = self.run_script("right", "--all", ops=None, targets="host")
        self.assertEqual(res["totals"]["host"]["model_op_cases"], 4)

    def test_model_ops_from(self):
        d = os.path.join(self.root, "eight")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        F = TensorProto.FLOAT
        for i, m in enumerate(conf.EIGHT_MODELS):
            op = "Relu" if i % 2 else "Cos"
            g = helper.make_graph([helper.make_node(op, ["x"], ["y"])], m,
                                  [helper.make_tensor_value_info("x", F, [2])],
                                  [helper.make_tensor_value_info("y", F, [2])])
            onnx.save(helper.make_model(g), os.path.join(d, m + ".onnx"))
        self.assertEqual(conf.model_ops_from(d), ["Cos", "Relu"])
        p, res, _, _ = self.run_script("right", "--model-ops-from", d, targets="host")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(res["model_ops"], ["Cos", "Relu"])
        self.assertIn("differ from MODEL_OPS", p.stderr)
        # Relu cases only: test_relu (pass), test_relu_int (unsupported)
        self.assertEqual(res["totals"]["host"]["model_op_cases"], 2)
        os.remove(os.path.join(d, "bert.onnx"))
        with self.assertRaises(ValueError):
            conf.model_ops_from(d)

    def test_all_and_readme(self):
        readme = os.path.join(self.root, "README.md")
        with open(readme, "w") as f:
            f.write(README)
        p, _, by, _ = self.run_script("right", "--ops-from-readme", readme, ops=None, targets="host")
        self.assertEqual(sorted(c for c, _ in by), ["test_add_sin", "test_relu", "test_relu_int"])
        p, res, by, _ = self.run_script("right", "--all", "--filter", "cos|relu$", ops=None, targets="host")
        self.assertEqual(sorted(c for c, _ in by), ["test_cos", "test_relu"])
        self.assertEqual(by[("test_cos", "host")]["status"], "pass")

    def test_extra_data_dir(self):
        # A second folder of cases (as --other-sets adds libonnx-testdata's
        # pytorch-converted, pytorch-operator and simple): run with the same
        # verdicts, reported in their own section and JSON keys; the main
        # totals stay those of --data-dir.
        extra = os.path.join(self.root, "simple")
        shutil.rmtree(extra, ignore_errors=True)
        os.makedirs(extra)
        x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
        make_case(extra, "test_relu", [helper.make_node("Relu", ["x"], ["y"])],
                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
                  [x], [np.maximum(x, 0)])
        make_case(extra, "test_sin_only", [helper.make_node("Sin", ["x"], ["y"])],
                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
                  [x], [np.sin(x)])
        p, res, by, out = self.run_script("nosin", "--all", "--extra-data-dir", extra, ops=None)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(res["totals"]["host"]["cases"], 5)  # the --data-dir cases only
        others = {(r["set"], r["case"], r["target"]): r for r in res["other_sets_results"]}
        self.assertEqual(len(others), 4)
        self.assertEqual(others[("simple", "test_relu", "sw26010")]["status"], "pass")
        self.assertEqual(others[("simple", "test_sin_only", "host")]["status"], "unsupported")
        self.assertEqual(res["other_sets_totals"]["host"]["simple"]["pass"], 1)
        self.assertEqual(res["other_sets_totals"]["host"]["all"]["unsupported"], 1)
        # the same case name in two sets does not share a work folder
        self.assertTrue(os.path.isdir(os.path.join(out, "work", "host", "simple")))
        with open(os.path.join(out, "r.md")) as f:
            md = f.read()
        self.assertIn("## Other libonnx-testdata sets", md)
        self.assertIn("| host | simple | 2 | 1 | 0 | 1 | 0 | 1/2 (50.0%) |", md)
        self.assertIn("| Sin (opset", md)
        self.assertIn("| test_sin_only | Sin | unsupported | unsupported |", md)
        # a wrong answer in an extra set fails the run
        p, res, _, _ = self.run_script("wrong", "--all", "--extra-data-dir", extra, ops=None)
        self.assertEqual(p.returncode, 1)
        self.assertIn("fail", {r["status"] for r in res["other_sets_results"]})

    def test_missing_data_dir(self):
        fake = make_fake(self.root, "right")
        p = subprocess.run([sys.executable, SCRIPT, "--swtc", fake, "--all",
                            "--data-dir", os.path.join(self.root, "nope")], capture_output=True, text=True)
        self.assertEqual(p.returncode, 77)

    def test_usage(self):
        fake = make_fake(self.root, "right")
        p = subprocess.run([sys.executable, SCRIPT, "--swtc", fake, "--data-dir", self.data],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)


class ParamInputs(unittest.TestCase):
    def test_resize_scales_and_roi_are_parameters(self):
        # Resize's roi and scales fix the output shape: bound (--bind), not data.
        d = os.path.join(WORK, "params", "test_resize_case")
        os.makedirs(d, exist_ok=True)
        F = TensorProto.FLOAT
        g = helper.make_graph([helper.make_node("Resize", ["x", "roi", "scales"], ["y"])], "r",
                              [helper.make_tensor_value_info("x", F, [1, 1, 2, 2]),
                               helper.make_tensor_value_info("roi", F, [0]),
                               helper.make_tensor_value_info("scales", F, [4])],
                              [helper.make_tensor_value_info("y", F, [1, 1, 4, 4])])
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]),
                  os.path.join(d, "model.onnx"))
        info = conf.load_case(d)
        self.assertEqual(info["inputs"], ["x", "roi", "scales"])
        self.assertEqual(info["params"], ["roi", "scales"])
        self.assertEqual(conf.PARAM_INPUTS["Upsample"], (1,))


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    unittest.main(verbosity=2)

"""Everyday PyTorch code, run twice: on tiny_grad and on torch, with only the import lines changed.

Each snippet in tests/pytorch_snippets.py is plain PyTorch as a learner or a tutorial writes it. It
uses the names `torch`, `nn`, `F`, `optim`, `DataLoader`, `TensorDataset` (and `np`, `math`), and it
leaves what it computed in a dict `out`. The snippets also `assert` the values they know, so that
without torch every snippet still checks something on tiny_grad.

- test_snippet_on_tiny_grad: runs the snippet with `import tiny_grad as torch` (and the other
  tiny_grad import lines); where torch is installed, compares `out` with torch's, key by key.
- test_snippet_on_torch: runs the snippet on torch itself (the snippet must be valid PyTorch and its
  asserts must hold there).

How `out` is compared (tiny_grad against torch):
- tensors: shape, requires_grad, dtype kind (float / int / bool) always; the values to 1e-6 where
  torch's tensor is float64 and to 1e-4 where it is float32 (torch's default float is float32,
  tiny_grad's float64). The exact dtype is compared too, against a second torch run made with
  `torch.set_default_dtype(torch.float64)`: a dtype the snippet set itself (`dtype=torch.float32`,
  `x.float()`, `torch.tensor([1, 2])` being int64) is the same in both torch runs and must be the
  same in tiny_grad; a dtype that came from the default float must be float64 in tiny_grad.
- dtypes (`x.dtype`): by name, with the same rule about the default float.
- Python numbers: the same type (bool / int / float, never a NumPy scalar), floats to 1e-4
  relative; lists and tuples element by element (a list must stay a list); NumPy arrays as tensors.
"""

import linecache
import math
import traceback

import numpy as np
import pytest

from pytorch_snippets import SNIPPETS

IDS = list(SNIPPETS)
CODE = SNIPPETS


# ---- the two sets of names a snippet runs with -----------------------------------------------

class _Missing:
    """Stands for a name whose import line failed: using it raises that ImportError."""

    def __init__(self, line, error):
        self._line, self._error = line, error

    def _raise(self, *args, **kwargs):
        raise ImportError(f"`{self._line}` failed: {self._error}")

    __call__ = _raise

    def __getattr__(self, name):
        if name.startswith("__"):  # copy, pickle and pytest's reprs ask for these
            raise AttributeError(name)
        self._raise()


def _import_each(lines):
    """Run each import line on its own; a line that fails leaves _Missing names behind."""
    names = {"np": np, "math": math}
    for line, bound in lines:
        scope = {}
        try:
            exec(line, scope)
            for name in bound:
                names[name] = scope[name]
        except Exception as error:  # an ImportError, or an error raised while importing
            for name in bound:
                names[name] = _Missing(line, f"{type(error).__name__}: {error}")
    return names


TINY_GRAD_IMPORTS = [
    ("import tiny_grad as torch", ["torch"]),
    ("import tiny_grad.nn as nn", ["nn"]),
    ("import tiny_grad.nn.functional as F", ["F"]),
    ("from tiny_grad import optim", ["optim"]),
    ("from tiny_grad.utils.data import DataLoader, TensorDataset", ["DataLoader", "TensorDataset"]),
]
TORCH_IMPORTS = [(line.replace("tiny_grad", "torch"), bound) for line, bound in TINY_GRAD_IMPORTS]


def run_snippet(name, names):
    """Execute snippet `name` with the given names; return its `out` dict."""
    filename = f"<snippet {name}>"
    code = CODE[name]
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)  # tracebacks show lines
    scope = dict(names)
    try:
        exec(compile(code, filename, "exec"), scope)
    except AssertionError as error:  # exec'd code has no pytest rewriting: name the failing line
        if str(error):
            raise
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
        where = f"line {frames[-1].lineno}: {frames[-1].line}" if frames else "an assert"
        raise AssertionError(f"snippet {name!r} failed at {where}") from error
    assert isinstance(scope.get("out"), dict), f"snippet {name} must leave a dict `out`"
    return scope["out"]


_TORCH_RUNS = {}
# Snippets that feed a float32 tensor they made (torch.tensor(X, dtype=torch.float32), as PyTorch
# code does with NumPy's float64 data) into a model of default floats: with float64 as torch's
# default its matmul refuses the mix, so for these the float64 run is missing (see torch_outs).
MIXES_DTYPES = {"classifier with optim and DataLoader"}


def torch_outs(name):
    """The snippet's `out` on torch, normalized: (with torch's float32 default, with float64's).

    The second is None when the snippet cannot run with float64 as torch's default (it mixes a
    float32 it made itself with default floats, which torch's matmul refuses): then a float that
    is float32 in torch may be float32 or float64 in tiny_grad.
    """
    if name not in _TORCH_RUNS:
        torch = pytest.importorskip("torch")
        names = _import_each(TORCH_IMPORTS)
        default = torch.get_default_dtype()
        try:
            torch.set_default_dtype(torch.float32)
            out32 = normalize(run_snippet(name, names))
            torch.set_default_dtype(torch.float64)
            try:
                out64 = normalize(run_snippet(name, names))
            except Exception:
                out64 = None
        finally:
            torch.set_default_dtype(default)
        _TORCH_RUNS[name] = (out32, out64)
    return _TORCH_RUNS[name]


# ---- turning either library's results into plain, comparable records --------------------------

def _dtype_name(dtype):
    """'float32', 'int64', 'bool', ... for a torch dtype, a NumPy dtype or a NumPy scalar type."""
    text = str(dtype)
    if text.startswith("torch."):
        return text[len("torch."):]
    return np.dtype(dtype).name


def _is_dtype(value):
    if type(value).__module__ == "torch" and type(value).__name__ == "dtype":
        return True
    if isinstance(value, np.dtype):
        return True
    return isinstance(value, type) and issubclass(value, np.generic)


def _kind(dtype_name):
    if dtype_name == "bool":
        return "bool"
    if dtype_name.startswith(("int", "uint")):
        return "int"
    if dtype_name.startswith("float"):
        return "float"
    return dtype_name


def _as_tensor_record(value):
    """('tensor', dtype name, shape, values, requires_grad) for a torch or tiny_grad tensor."""
    detached = value.detach()
    array = np.asarray(detached.numpy() if hasattr(detached, "numpy") else detached.data)
    return ("tensor", _dtype_name(value.dtype), tuple(array.shape), array, bool(value.requires_grad))


def normalize(value):
    """A plain record of one `out` value, the same for torch and tiny_grad when they agree."""
    kind = type(value).__name__
    if hasattr(value, "requires_grad") and hasattr(value, "detach") and hasattr(value, "dtype"):
        return _as_tensor_record(value)
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.name, value.shape, value, False)
    if _is_dtype(value):
        return ("dtype", _dtype_name(value))
    if isinstance(value, dict):
        return ("dict", {key: normalize(item) for key, item in value.items()})
    if isinstance(value, list):
        return ("list", [normalize(item) for item in value])
    if isinstance(value, tuple):  # torch.Size and namedtuples too
        return ("tuple", [normalize(item) for item in value])
    if value is None or isinstance(value, str):
        return ("plain", value)
    if isinstance(value, type) and issubclass(value, BaseException):
        return ("plain", value.__name__)
    if type(value) in (bool, int, float):
        return (type(value).__name__, value)
    if isinstance(value, np.generic):
        return ("numpy scalar", value)
    raise TypeError(f"a snippet put a {kind} into out; record tensors, numbers, dtypes, lists")


def _tolerance(torch_dtype_name):
    return 1e-6 if torch_dtype_name == "float64" else 1e-4


def _part(record, key):
    """One item of a dict/list/tuple record; None stays None."""
    return None if record is None else record[1][key]


def _expected_dtypes(torch_dtype, theirs64):
    """The dtype names tiny_grad may give where torch gives `torch_dtype` (see the module doc)."""
    if theirs64 is not None:
        return [theirs64[1]]
    if torch_dtype == "float32":  # from the default or chosen: this run cannot tell
        return ["float32", "float64"]
    return [torch_dtype]


def compare(ours, theirs, theirs64, where):
    """Assert that tiny_grad's record `ours` matches torch's (`theirs64`: torch with float64 default)."""
    if ours[0] in ("tensor", "ndarray") and theirs[0] == ours[0]:
        _, dtype, shape, values, requires_grad = ours
        _, t_dtype, t_shape, t_values, t_requires_grad = theirs
        assert shape == t_shape, f"{where}: shape {shape}, torch has {t_shape}"
        assert _kind(dtype) == _kind(t_dtype), f"{where}: dtype {dtype}, torch has {t_dtype}"
        expected = _expected_dtypes(t_dtype, theirs64)
        assert dtype in expected, (
            f"{where}: dtype {dtype}, expected {' or '.join(expected)} (torch gives {t_dtype}"
            + (f"; with float64 as its default float, {theirs64[1]})" if theirs64 else ")"))
        assert requires_grad == t_requires_grad, (
            f"{where}: requires_grad={requires_grad}, torch has {t_requires_grad}")
        if _kind(t_dtype) == "float":
            tol = _tolerance(t_dtype)
            np.testing.assert_allclose(values.astype(float), t_values.astype(float), rtol=tol, atol=tol,
                                       err_msg=f"{where}: values differ from torch's")
        else:
            np.testing.assert_array_equal(values, t_values, err_msg=f"{where}: values differ")
        return
    assert ours[0] == theirs[0], f"{where}: tiny_grad gives a {ours[0]} ({ours[1]!r}), torch a {theirs[0]}"
    if ours[0] == "dtype":
        expected = _expected_dtypes(theirs[1], theirs64)
        assert ours[1] in expected, (
            f"{where}: dtype {ours[1]}, expected {' or '.join(expected)} (torch gives {theirs[1]})")
    elif ours[0] == "dict":
        assert sorted(ours[1]) == sorted(theirs[1]), f"{where}: keys {sorted(ours[1])} vs {sorted(theirs[1])}"
        for key in theirs[1]:
            compare(ours[1][key], theirs[1][key], _part(theirs64, key), f"{where}[{key!r}]")
    elif ours[0] in ("list", "tuple"):
        assert len(ours[1]) == len(theirs[1]), f"{where}: length {len(ours[1])}, torch has {len(theirs[1])}"
        for i, (a, b) in enumerate(zip(ours[1], theirs[1])):
            compare(a, b, _part(theirs64, i), f"{where}[{i}]")
    elif ours[0] == "float":
        assert math.isclose(ours[1], theirs[1], rel_tol=1e-4, abs_tol=1e-6) or (
            math.isnan(ours[1]) and math.isnan(theirs[1])), f"{where}: {ours[1]!r}, torch has {theirs[1]!r}"
    else:
        assert ours[1] == theirs[1], f"{where}: {ours[1]!r}, torch has {theirs[1]!r}"


def _torch_installed():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# ---- the tests ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", IDS)
def test_snippet_on_tiny_grad(name):
    """The snippet runs on tiny_grad, its asserts hold, and (with torch) `out` matches torch's."""
    out = run_snippet(name, _import_each(TINY_GRAD_IMPORTS))
    ours = {key: normalize(value) for key, value in out.items()}
    if not _torch_installed():
        return
    theirs, theirs64 = torch_outs(name)
    assert sorted(ours) == sorted(theirs[1]), f"out has keys {sorted(ours)}, torch's {sorted(theirs[1])}"
    for key in theirs[1]:
        compare(ours[key], theirs[1][key], _part(theirs64, key), f"out[{key!r}]")


@pytest.mark.parametrize("name", IDS)
def test_snippet_on_torch(name):
    """The snippet is valid PyTorch: it runs on torch with either default float, the same results."""
    theirs, theirs64 = torch_outs(name)
    assert theirs[1], "a snippet must record something in out"
    assert (theirs64 is None) == (name in MIXES_DTYPES), (
        "the snippet fails on torch with float64 as its default float" if theirs64 is None
        else "the snippet runs with float64 as torch's default: take it out of MIXES_DTYPES")
    if theirs64 is None:
        return
    assert sorted(theirs[1]) == sorted(theirs64[1])
    for key in theirs[1]:  # nothing random leaks into out: both defaults give the same values
        _agree_across_defaults(theirs[1][key], theirs64[1][key], f"out[{key!r}]")


def _agree_across_defaults(a, b, where):
    assert a[0] == b[0], where
    if a[0] in ("tensor", "ndarray"):
        assert a[2] == b[2] and _kind(a[1]) == _kind(b[1]), where
        np.testing.assert_allclose(a[3].astype(float), b[3].astype(float), rtol=1e-4, atol=1e-4,
                                   err_msg=f"{where}: random numbers in out?")
    elif a[0] == "dict":
        for key in a[1]:
            _agree_across_defaults(a[1][key], b[1][key], f"{where}[{key!r}]")
    elif a[0] in ("list", "tuple"):
        assert len(a[1]) == len(b[1]), where
        for i, (x, y) in enumerate(zip(a[1], b[1])):
            _agree_across_defaults(x, y, f"{where}[{i}]")
    elif a[0] == "float":
        assert math.isclose(a[1], b[1], rel_tol=1e-4, abs_tol=1e-6), f"{where}: {a[1]} vs {b[1]}"
    elif a[0] != "dtype":
        assert a[1] == b[1], f"{where}: {a[1]!r} vs {b[1]!r}"


# ---- the list itself -------------------------------------------------------------------------

REQUIRED = """
torch.tensor( torch.zeros( torch.ones( torch.full( torch.eye( torch.arange( torch.linspace(
torch.randn( torch.rand( torch.randint( torch.zeros_like( torch.ones_like( torch.randn_like(
requires_grad=True dtype= torch.manual_seed( torch.float32 torch.float64 torch.int64 torch.long
torch.bool .float() .double() .long() .to( torch.exp( torch.log( torch.sqrt( torch.abs(
torch.tanh( torch.sigmoid( torch.relu( torch.sin( torch.cos( torch.sum( torch.mean( torch.max(
torch.min( torch.argmax( torch.matmul( torch.cat( torch.stack( torch.where( torch.clamp(
torch.maximum( torch.softmax( torch.log_softmax( .view( .reshape( .unsqueeze( .squeeze(
.flatten( .permute( .transpose( .t() .size() .size(0) .numel() .dim() .argmax( .argmin(
keepdim=True .values .indices .pow( .mm( .sin() .cos() .clone() .tolist() .item() .numpy()
.grad.zero_() .T torch.no_grad() .requires_grad_() .detach() retain_graph=True += -= *= /=
.zero_() .fill_( .copy_( .add_( .sub_( .mul_( .clamp_( RuntimeError nn.Linear( nn.Sequential(
nn.ReLU() nn.Tanh() nn.Sigmoid() nn.Parameter( nn.Module super().__init__() .train() .eval()
.training .children() .modules() .named_modules() nn.Flatten() nn.Identity() nn.Softmax(
nn.LogSoftmax( nn.CrossEntropyLoss() nn.NLLLoss() nn.MSELoss() nn.L1Loss() nn.BCELoss()
nn.BCEWithLogitsLoss() F.relu( F.tanh( F.sigmoid( F.linear( F.cross_entropy( F.mse_loss(
F.softmax( optim.SGD( optim.Adam( optim.AdamW( param_groups .state_dict() set_to_none=True
set_to_none=False lr_scheduler.StepLR( get_last_lr() TensorDataset( DataLoader( drop_last=True
shuffle=False x[x > 0] torch.arange(n), y] .float().mean() a.grad = None < <= > >= == !=
""".split()


def test_snippets_cover_the_names_the_issue_lists():
    """At least 70 snippets; every listed PyTorch name is used by one; each asserts something."""
    assert len(SNIPPETS) >= 70
    assert len(set(IDS)) == len(IDS), "snippet ids must be unique"
    everything = "\n".join(CODE.values())
    missing = [token for token in REQUIRED if token not in everything]
    assert not missing, f"no snippet uses {missing}"
    silent = [name for name, code in SNIPPETS.items() if "assert " not in code]
    assert not silent, f"these snippets check nothing without torch: {silent}"

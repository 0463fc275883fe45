"""PyTorch's names on tiny_grad: dtypes and their promotion, creation, comparisons and masks,
the new ops (gradcheck-ed), and the methods whose meaning is PyTorch's (size, transpose, max).

Where PyTorch is installed, results are compared with it; every test also asserts on its own.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tiny_grad as tg
from tiny_grad import Tensor, gradcheck

try:
    import torch
except ImportError:
    torch = None


def leaf(data):
    return Tensor(data, requires_grad=True)


# ---- dtypes and promotion --------------------------------------------------------------------

OPERANDS = {  # name: (how to make it in tiny_grad or torch)
    "int64 vector": lambda lib: lib.tensor([1, 2, 3]),
    "bool vector": lambda lib: lib.tensor([True, False, True]),
    "float32 vector": lambda lib: lib.tensor([1.0, 2.0, 3.0], dtype=lib.float32),
    "float64 vector": lambda lib: lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64),
    "0-d float64": lambda lib: lib.tensor(2.0, dtype=lib.float64),
    "0-d int64": lambda lib: lib.tensor(2),
    "python float": lambda lib: 0.5,
    "python int": lambda lib: 2,
    "python bool": lambda lib: True,
}
EXPECTED = {  # the dtype PyTorch gives a + b (a bool + bool is bool), float64 as our default float
    ("int64 vector", "python float"): "float64", ("int64 vector", "float32 vector"): "float32",
    ("float32 vector", "0-d float64"): "float32", ("float32 vector", "python float"): "float32",
    ("bool vector", "python int"): "int64", ("bool vector", "bool vector"): "bool",
    ("int64 vector", "0-d float64"): "float64", ("float64 vector", "float32 vector"): "float64",
    ("0-d int64", "float32 vector"): "float32", ("int64 vector", "python int"): "int64",
}


@pytest.mark.parametrize("a", list(OPERANDS)[:6])
@pytest.mark.parametrize("b", list(OPERANDS))
def test_arithmetic_promotes_dtypes_as_pytorch_does(a, b):
    x, y = OPERANDS[a](tg), OPERANDS[b](tg)
    ours = str((x + y).dtype)
    if (a, b) in EXPECTED:
        assert ours == EXPECTED[a, b]
    if torch is not None:
        theirs = str((OPERANDS[a](torch) + OPERANDS[b](torch)).dtype).replace("torch.", "")
        if "float" in theirs and str(x.dtype) != "float32" and not (
                isinstance(y, Tensor) and y.dtype == np.float32):
            theirs = theirs.replace("float32", "float64")  # PyTorch's default float is float32
        assert ours == theirs
    for op in (lambda p, q: p * q, lambda p, q: p - q if "bool" not in a + b else p * q):
        assert str(op(x, y).dtype) == ours


def test_int_division_gives_floats_and_int_ops_stay_int():
    n = tg.tensor([3, 4, 5])
    assert (n / 2).dtype == np.float64 and (n / 2).tolist() == [1.5, 2.0, 2.5]
    assert (n // 2).tolist() == [1, 2, 2] and (n % 2).tolist() == [1, 0, 1]
    assert (n * 2).dtype == np.int64 and (n ** 2).tolist() == [9, 16, 25]
    assert (n * 0.5).dtype == np.float64 and n.sum().dtype == np.int64
    assert tg.tensor([True, True, False]).sum().item() == 2  # bools count as 1 and 0


def test_dtype_names_compare_with_dtypes_and_conversions_keep_values():
    x = tg.tensor([1.7, -2.2])
    assert tg.float32 == np.float32 and tg.long is tg.int64 and tg.double is tg.float64
    assert x.float().dtype == tg.float32 and x.double().dtype == tg.float64
    assert x.long().dtype == tg.int64 and x.long().tolist() == [1, -2]  # toward 0, as PyTorch
    assert x.to(tg.float32).dtype == tg.float32 and x.to("cpu") is x
    assert x.bool().tolist() == [True, True] and x.is_floating_point()
    assert not tg.tensor([1]).is_floating_point()
    assert tg.get_default_dtype() == tg.float64
    w = leaf([1.0, 2.0])
    assert w.float().requires_grad and not w.long().requires_grad  # no gradient into whole numbers


def test_set_default_dtype_makes_floats_float32_as_in_pytorch():
    try:
        tg.set_default_dtype(tg.float32)
        assert tg.tensor([1.5]).dtype == tg.float32 and tg.zeros(2).dtype == tg.float32
        assert (tg.tensor([1, 2]) * 0.5).dtype == tg.float32 and tg.randn(2).dtype == tg.float32
    finally:
        tg.set_default_dtype(tg.float64)
    assert tg.tensor([1.5]).dtype == tg.float64
    with pytest.raises(TypeError, match="float32 or float64"):
        tg.set_default_dtype(tg.int64)


# ---- creation ---------------------------------------------------------------------------------

CREATIONS = {
    "zeros": lambda lib: lib.zeros(2, 3), "ones tuple": lambda lib: lib.ones((2, 1)),
    "full int": lambda lib: lib.full((2,), 7), "full float": lambda lib: lib.full((2, 2), 1.5),
    "full bool": lambda lib: lib.full((2,), True), "eye": lambda lib: lib.eye(3),
    "eye 2x3": lambda lib: lib.eye(2, 3), "arange": lambda lib: lib.arange(5),
    "arange start": lambda lib: lib.arange(2, 9, 3), "arange float": lambda lib: lib.arange(0, 1, 0.25),
    "linspace": lambda lib: lib.linspace(-1, 1, 5), "zeros_like": lambda lib: lib.zeros_like(lib.tensor([1, 2])),
    "ones_like float": lambda lib: lib.ones_like(lib.tensor([[1.0, 2.0]])),
    "full_like": lambda lib: lib.full_like(lib.tensor([1.0, 2.0]), 4.0),
    "int zeros": lambda lib: lib.zeros(2, dtype=lib.int64),
}


@pytest.mark.parametrize("name", CREATIONS)
def test_creation_gives_pytorchs_values_shapes_and_dtypes(name):
    ours = CREATIONS[name](tg)
    assert isinstance(ours, Tensor)
    if torch is not None:
        theirs = CREATIONS[name](torch)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
        kind = str(theirs.dtype).replace("torch.", "").replace("float32", "float64")
        assert str(ours.dtype) == kind


def test_random_creation_is_repeatable_with_manual_seed_and_a_generator():
    tg.manual_seed(3)
    first = [tg.randn(2, 3), tg.rand(4), tg.randint(0, 10, (5,)), tg.randn_like(tg.zeros(2)),
             tg.randperm(6)]
    tg.manual_seed(3)
    again = [tg.randn(2, 3), tg.rand(4), tg.randint(0, 10, (5,)), tg.randn_like(tg.zeros(2)),
             tg.randperm(6)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.data, b.data)
    assert first[2].dtype == tg.int64 and 0 <= first[2].min().item() and first[2].max().item() < 10
    assert sorted(first[4].tolist()) == list(range(6))
    assert tg.randint(5, (3,)).max().item() < 5  # randint(high, size)
    g1, g2 = tg.Generator().manual_seed(7), tg.Generator().manual_seed(7)
    np.testing.assert_array_equal(tg.randn(3, generator=g1).data, tg.randn(3, generator=g2).data)
    w = tg.randn(3, 4, requires_grad=True)
    assert w.requires_grad and w.is_leaf and w.dtype == tg.float64


def test_multinomial_draws_with_the_given_weights():
    g = tg.Generator().manual_seed(0)
    drawn = tg.multinomial(tg.tensor([1.0, 0.0, 3.0]), 4000, replacement=True, generator=g)
    counts = np.bincount(drawn.numpy(), minlength=3)
    assert drawn.dtype == tg.int64 and counts[1] == 0 and abs(counts[2] / 4000 - 0.75) < 0.03
    rows = tg.multinomial(tg.tensor([[0.0, 1.0], [1.0, 0.0]]), 1)
    assert rows.tolist() == [[1], [0]]
    with pytest.raises(ValueError, match="without replacement"):
        tg.multinomial(tg.tensor([1.0, 1.0]), 3)


def test_from_numpy_shares_memory_and_tensor_copies():
    a = np.arange(3.0)
    shared, copied = tg.from_numpy(a), tg.tensor(a)
    a[0] = 9.0
    assert shared[0].item() == 9.0 and copied[0].item() == 0.0
    assert tg.from_numpy(np.arange(3)).dtype == tg.int64


# ---- comparisons, masks, where --------------------------------------------------------------

def test_comparisons_give_bool_tensors_that_work_as_masks_and_counts():
    x = leaf([-1.0, 0.0, 2.0, 3.0])
    for mask, expected in ((x > 0, [False, False, True, True]), (x <= 0, [True, True, False, False]),
                           (x == 2, [False, False, True, False]), (x != 2, [True, True, False, True]),
                           (x >= 2.0, [False, False, True, True]), (x < 3, [True, True, True, False]),
                           (0 < x, [False, False, True, True])):
        assert mask.dtype == tg.bool and mask.tolist() == expected and not mask.requires_grad
    positive = x[x > 0]
    assert positive.tolist() == [2.0, 3.0]
    positive.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert ((x > 0) & (x < 3)).tolist() == [False, False, True, False]
    assert ((x < 0) | (x > 2)).tolist() == [True, False, False, True] and (~(x > 0)).sum().item() == 2
    predictions, labels = tg.tensor([1, 2, 0, 2]), tg.tensor([1, 0, 0, 2])
    assert (predictions == labels).float().mean().item() == 0.75
    assert {x: 1}[x] == 1 and x in [x] and (x == None) is False  # noqa: E711


def test_a_truth_value_of_many_elements_says_what_to_write():
    with pytest.raises(RuntimeError, match=r"ambiguous.*any\(\)"):
        bool(tg.tensor([1.0, 2.0]) > 0)
    assert bool(tg.tensor([3.0]) > 0) and (tg.tensor([1, 2]) > 0).all().item()


def test_where_and_masked_fill_send_the_gradient_to_the_side_picked():
    x, y = leaf([1.0, -2.0, 3.0]), leaf([10.0, 20.0, 30.0])
    out = tg.where(x > 0, x, y)
    assert out.tolist() == [1.0, 20.0, 3.0]
    (out * tg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 3.0] and y.grad.tolist() == [0.0, 2.0, 0.0]
    assert tg.where(x > 0, x, 0.0).tolist() == [1.0, 0.0, 3.0]
    assert x.masked_fill(x < 0, -1.0).tolist() == [1.0, -1.0, 3.0]
    assert gradcheck(lambda a, b: tg.where(a.detach() > 0, a * b, b), [leaf([0.5, -1.0]), leaf([2.0, 3.0])])


# ---- the new ops, each checked against central differences -----------------------------------

GRADCHECKED = {
    "sin": (lambda x: x.sin(), (2, 3)), "cos": (lambda x: x.cos(), (4,)),
    "clone": (lambda x: x.clone() * x, (3,)), "gather": (lambda x: x.gather(1, tg.tensor([[0, 0], [2, 1]])), (2, 3)),
    "max(dim)": (lambda x: x.max(1).values, (3, 4)), "min(dim, keepdim)": (lambda x: x.min(0, keepdim=True)[0], (3, 4)),
    "expand": (lambda x: x.expand(3, -1) * tg.tensor([[1.0], [2.0], [3.0]]), (1, 4)),
    "unsqueeze/squeeze": (lambda x: x.unsqueeze(1).squeeze() * x, (3,)),
    "flatten": (lambda x: x.flatten(1), (2, 3, 2)), "permute": (lambda x: x.permute(2, 0, 1), (2, 3, 4)),
    "view": (lambda x: x.view(-1, 2), (2, 3)), "t": (lambda x: x.t() @ x, (3, 2)),
    "norm": (lambda x: x.norm(), (3,)), "var": (lambda x: x.var(1), (2, 4)),
    "std": (lambda x: x.std(0, unbiased=False), (3, 2)), "square/pow": (lambda x: x.square() + x.pow(3), (3,)),
    "mm": (lambda x: x.mm(x.t()), (2, 3)),
}


@pytest.mark.parametrize("name", GRADCHECKED)
def test_new_op_passes_gradcheck(name):
    fn, shape = GRADCHECKED[name]
    x = leaf(np.random.default_rng(1).permutation(np.prod(shape)).reshape(shape) / 7 + 0.1)
    assert gradcheck(fn, [x])
    if torch is not None and name not in ("gather", "expand"):  # (those hold tiny_grad tensors)
        theirs = torch.tensor(x.data, requires_grad=True)
        expected = fn(theirs)
        ours = fn(x)
        np.testing.assert_allclose(ours.data, expected.detach().numpy(), rtol=1e-10)
        ours.sum().backward()
        expected.sum().backward()
        np.testing.assert_allclose(x.grad.data, theirs.grad.numpy(), rtol=1e-10)


@settings(max_examples=25, deadline=None)
@given(rows=st.integers(1, 4), cols=st.integers(1, 5), seed=st.integers(0, 10**6))
def test_argmax_and_max_dim_agree_with_numpy_on_random_shapes(rows, cols, seed):
    data = np.random.default_rng(seed).integers(0, 4, (rows, cols)).astype(float)  # ties
    x = leaf(data)
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(indices.data, np.argmax(data, axis=1))
    np.testing.assert_array_equal(values.data, data.max(axis=1))
    assert x.argmax().item() == np.argmax(data) and x.argmin(0).tolist() == np.argmin(data, 0).tolist()
    values.sum().backward()
    assert x.grad.data.sum() == rows  # one element per row gets it, as in PyTorch


def test_size_numel_dim_and_shape_methods_are_pytorchs():
    x = tg.zeros(2, 3, 4)
    assert x.size() == (2, 3, 4) == tg.Size([2, 3, 4]) and x.size(1) == 3 and x.size(-1) == 4
    assert x.numel() == 24 and x.dim() == 3 and len(x) == 2
    assert x.transpose(0, 2).shape == (4, 3, 2) and x.permute(1, 2, 0).shape == (3, 4, 2)
    assert x.unsqueeze(-1).shape == (2, 3, 4, 1) and x.unsqueeze(0).shape == (1, 2, 3, 4)
    assert tg.zeros(1, 3, 1).squeeze().shape == (3,) and tg.zeros(1, 3, 1).squeeze(0).shape == (3, 1)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12) and x.view(6, -1).shape == (6, 4)
    assert tg.tensor(5).tolist() == 5 and tg.tensor([[1, 2]]).tolist() == [[1, 2]]
    assert [row.tolist() for row in tg.tensor([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]
    assert f"{tg.tensor(0.123456):.3f}" == "0.123" and int(tg.tensor([7])) == 7
    assert list(range(5))[tg.tensor(2)] == 2


def test_torch_level_functions_are_the_methods():
    x = tg.tensor([[1.0, -2.0], [3.0, 0.5]])
    assert tg.exp(x).tolist() == x.exp().tolist() and tg.sum(x, dim=1).tolist() == [-1.0, 3.5]
    assert tg.max(x).item() == 3.0 and tg.max(x, 1).indices.tolist() == [0, 0]
    assert tg.max(x, tg.zeros(2, 2)).tolist() == [[1.0, 0.0], [3.0, 0.5]]
    assert tg.argmax(x, dim=1).tolist() == [0, 0] and tg.cat([x, x], dim=0).shape == (4, 2)
    assert tg.stack([x, x], 1).shape == (2, 2, 2) and tg.clamp(x, min=0).tolist() == [[1.0, 0.0], [3.0, 0.5]]
    assert tg.matmul(x, x).tolist() == (x @ x).tolist() and tg.mean(x).item() == 0.625
    np.testing.assert_allclose(tg.softmax(x, dim=1).sum(1).data, [1.0, 1.0])
    np.testing.assert_allclose(tg.log_softmax(x, 1).exp().sum(1).data, [1.0, 1.0])
    assert tg.sin([0.0]).tolist() == [0.0] and tg.allclose(tg.cos(tg.tensor([0.0])), tg.tensor([1.0]))
    assert tg.relu(x).tolist() == [[1.0, 0.0], [3.0, 0.5]] and tg.abs(x).sum().item() == 6.5
    assert tg.minimum(x, tg.zeros(2, 2)).tolist() == [[0.0, -2.0], [0.0, 0.0]]
    assert tg.cuda.is_available() is False and tg.device("cpu") == "cpu"
    assert math.isclose(tg.sqrt(tg.tensor(2.0)).item(), math.sqrt(2))


def test_numpy_on_the_left_meets_the_tensors_ops_and_array_updates_stay_in_place():
    t = leaf([1.0, 2.0])
    assert isinstance(np.ones(2) + t, Tensor) and (np.ones(2) - t).tolist() == [0.0, -1.0]
    assert (np.ones(2) < t).tolist() == [False, True] and np.exp(t).op == "exp"
    (t * t).sum().backward()
    array = t.data
    t.data -= 0.25 * t.grad  # the old PyTorch idiom: the array changes, in place
    assert t.data is array and t.data.tolist() == [0.5, 1.0]


# ---- autograd.Function: an op of one's own ------------------------------------------------------

class Cube(tg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2


class ScaledBy(tg.autograd.Function):  # a number among the inputs: its gradient is None
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


def test_a_function_of_ones_own_is_one_node_with_the_backward_written():
    x = leaf([0.5, -1.0, 2.0])
    y = Cube.apply(x)
    assert y.op == "Cube" and y.parents == (x,) and y.tolist() == [0.125, -1.0, 8.0]
    assert gradcheck(lambda t: Cube.apply(t) * t, [x])
    assert gradcheck(lambda t: ScaledBy.apply(t, 2.5), [x])
    (first,) = tg.grad(Cube.apply(x).sum(), x, create_graph=True)  # 3x², itself a graph
    first.sum().backward()
    assert x.grad.tolist() == [3.0, -6.0, 12.0]  # d/dx 3x² = 6x
    v = tg.Value(2.0)
    w = Cube.apply(v)  # Values too
    w.backward()
    assert w.data == 8.0 and v.grad == 12.0


def test_a_backward_with_the_wrong_number_of_gradients_says_so():
    class Wrong(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g  # one gradient for two inputs
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="returned 1 gradients for 2 inputs"):
        Wrong.apply(x, 2.0).sum().backward()


def test_grad_fn_names_the_op_and_is_none_for_leaves():
    x = leaf([1.0, 2.0])
    z = (x * 3 + 1).sum()
    assert x.grad_fn is None and repr(z.grad_fn) == "<SumBackward>"
    assert z.grad_fn.next_functions[0][0].name() == "AddBackward"
    with tg.no_grad():
        assert (x * 3).grad_fn is None

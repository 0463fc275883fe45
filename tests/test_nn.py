"""nn: finding parameters and naming them, state dicts, initialisation, layers, repr."""

import math
import warnings

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import Tensor
from tiny_grad import nn


def names(module):
    return [name for name, _ in module.named_parameters()]


# ---- finding and naming parameters ----------------------------------------------------------


def test_linear_parameters_are_weight_then_bias():
    layer = nn.Linear(4, 3)
    assert names(layer) == ["weight", "bias"]
    assert [p for p in layer.parameters()] == [layer.weight, layer.bias]
    assert layer.weight.shape == (3, 4) and layer.bias.shape == (3,)
    assert names(nn.Linear(4, 3, bias=False)) == ["weight"]


def test_sequential_names_layers_by_position():
    model = nn.Sequential(nn.Linear(2, 5), nn.ReLU(), nn.Linear(5, 1))
    assert names(model) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_mlp_names_mirror_pytorch_sequential_inside_a_module():
    model = nn.MLP(2, [8, 8, 1])
    assert names(model) == ["layers.0.weight", "layers.0.bias", "layers.2.weight",
                            "layers.2.bias", "layers.4.weight", "layers.4.bias"]


def test_named_parameters_sets_labels_for_drawings():
    model = nn.MLP(3, [4, 2])
    for name, p in model.named_parameters():
        assert p.label == name
    assert nn.Linear(2, 2).weight.label == "weight"  # named from the start, too


class Block(nn.Module):
    """A custom module mixing every kind of attribute the search must handle."""

    def __init__(self):
        self.first = nn.Linear(2, 3)
        self.scale = Tensor(np.ones(3), requires_grad=True)
        self.blocks = [nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 3, bias=False)]
        self.pair = (nn.Linear(3, 1),)
        self.constant = Tensor(np.ones(3))                # requires_grad=False: not a parameter
        self.sizes = [2, 3, 3]                            # not Modules: ignored
        self.cache = self.scale * 2                       # computed from a parameter: not one

    def forward(self, x):
        x = self.first(x) * self.scale
        for block in self.blocks:
            x = block(x)
        return self.pair[0](x)


def test_custom_module_attributes_lists_and_tuples_in_definition_order():
    assert names(Block()) == ["first.weight", "first.bias", "scale", "blocks.0.weight",
                              "blocks.0.bias", "blocks.2.weight", "pair.0.weight", "pair.0.bias"]


def test_super_init_is_optional_and_forward_is_called():
    class WithSuper(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = Tensor([3.0], requires_grad=True)

        def forward(self, x):
            return self.w * x

    model = WithSuper()
    assert names(model) == ["w"]
    assert model(Tensor([2.0])).item() == 6.0
    with pytest.raises(NotImplementedError):
        nn.Module()(1)


def test_shared_parameters_and_modules_are_found_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert names(model) == ["0.weight", "0.bias"]
    assert len(list(model.parameters())) == 2

    class Tied(nn.Module):
        def __init__(self):
            self.encoder = nn.Linear(4, 2, bias=False)
            self.decoder_weight = self.encoder.weight  # the same Tensor, used twice

    assert names(Tied()) == ["encoder.weight"]


def test_a_module_referring_back_to_its_parent_does_not_loop():
    outer = nn.Sequential(nn.Linear(1, 1))
    outer[0].parent = outer
    assert names(outer) == ["0.weight", "0.bias"]


def test_zero_grad_sets_every_grad_to_none():
    model = nn.MLP(2, [3, 1])
    model(Tensor(np.ones((4, 2)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# ---- state_dict and load_state_dict ------------------------------------------------------------


def test_state_dict_keys_shapes_and_copies():
    layer = nn.Linear(4, 3)
    state = layer.state_dict()
    assert list(state) == ["weight", "bias"]
    assert state["weight"].shape == (3, 4) and state["bias"].shape == (3,)
    assert all(isinstance(v, np.ndarray) for v in state.values())
    state["weight"][...] = 0.0  # a copy: changing it leaves the model alone
    assert np.any(layer.weight.data != 0.0)


def test_loading_into_a_fresh_model_reproduces_outputs_exactly():
    tg.manual_seed(1)
    trained, fresh = nn.MLP(3, [5, 2]), nn.MLP(3, [5, 2])
    x = Tensor(np.random.default_rng(0).standard_normal((7, 3)))
    assert not np.array_equal(trained(x).data, fresh(x).data)
    fresh.load_state_dict(trained.state_dict())
    np.testing.assert_array_equal(fresh(x).data, trained(x).data)


def test_load_accepts_tensors_and_copies_in_place_keeping_dtype():
    layer = nn.Linear(2, 2, dtype=np.float32)
    weight_array = layer.weight.data
    new = {"weight": Tensor([[1.0, 2.0], [3.0, 4.0]]), "bias": np.array([0.5, -0.5])}
    layer.load_state_dict(new)
    assert layer.weight.data is weight_array  # same array: an optimizer holding it sees the change
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.data, [[1, 2], [3, 4]])
    new["bias"][0] = 99.0  # the model holds a copy, not the caller's array
    assert layer.bias.data[0] == 0.5


def test_wrong_shape_names_the_key_and_both_shapes_and_changes_nothing():
    layer = nn.Linear(4, 3)
    before = layer.state_dict()
    state = {"weight": np.zeros((3, 4)), "bias": np.zeros(4)}
    with pytest.raises(ValueError, match=r"'bias'.*\(4,\).*\(3,\)"):
        layer.load_state_dict(state)
    for name, p in layer.named_parameters():  # the weight, checked first, was not copied either
        np.testing.assert_array_equal(p.data, before[name])


@pytest.mark.parametrize("bad", [np.array(["x", "y", "z"]), np.full(3, 1 + 1j)], ids=["text", "complex"])
def test_values_that_are_not_real_numbers_are_refused_and_change_nothing(bad):
    layer = nn.Linear(4, 3)
    before = layer.state_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (NumPy would warn, then drop the imaginary part)
        with pytest.raises(TypeError, match=r"'bias' holds .* data, not real numbers"):
            layer.load_state_dict({"weight": np.full((3, 4), 7.0), "bias": bad})
    for name, p in layer.named_parameters():
        np.testing.assert_array_equal(p.data, before[name])
    layer.load_state_dict({"weight": np.ones((3, 4), dtype=int), "bias": np.ones(3, dtype=bool)})
    assert layer.weight.dtype == np.float64 and layer.bias.data.tolist() == [1.0, 1.0, 1.0]


def test_missing_and_unexpected_keys_raise_keyerror_naming_them():
    layer = nn.Linear(4, 3)
    with pytest.raises(KeyError) as caught:
        layer.load_state_dict({"weight": np.zeros((3, 4))})
    assert caught.value.args[0] == "load_state_dict for Linear: missing keys ['bias']"
    with pytest.raises(KeyError) as caught:
        layer.load_state_dict({**layer.state_dict(), "extra": np.zeros(1)})
    assert caught.value.args[0] == "load_state_dict for Linear: unexpected keys ['extra']"
    with pytest.raises(TypeError, match="tg.load"):
        layer.load_state_dict("model.npz")  # a path, not the dict tg.load(path) returns


# ---- initialisation -----------------------------------------------------------------------------


def test_manual_seed_makes_initialisation_repeatable():
    tg.manual_seed(123)
    a = nn.MLP(4, [6, 2]).state_dict()
    tg.manual_seed(123)
    b = nn.MLP(4, [6, 2]).state_dict()
    tg.manual_seed(124)
    c = nn.MLP(4, [6, 2]).state_dict()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a["layers.0.weight"], c["layers.0.weight"])


def test_init_is_uniform_within_pytorch_bounds():
    tg.manual_seed(0)
    layer = nn.Linear(16, 500)
    bound = 1 / math.sqrt(16)
    for p in (layer.weight, layer.bias):
        assert np.all(np.abs(p.data) <= bound)
        assert p.data.max() > 0.95 * bound and p.data.min() < -0.95 * bound  # fills the range
    assert abs(layer.weight.data.mean()) < 0.01
    assert layer.weight.requires_grad and layer.bias.requires_grad


# ---- layers ---------------------------------------------------------------------------------------


def test_linear_forward_is_x_weight_transposed_plus_bias():
    layer = nn.Linear(3, 2)
    x = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T + layer.bias.data,
                               rtol=1e-15)
    no_bias = nn.Linear(3, 2, bias=False)
    np.testing.assert_allclose(no_bias(x).data, x @ no_bias.weight.data.T, rtol=1e-15)


def test_linear_float32_stays_float32():
    layer = nn.Linear(3, 2, dtype=np.float32)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    assert layer(np.ones((1, 3))).dtype == np.float32  # a float64 array input is converted


def test_activations_call_the_tensor_methods():
    x = Tensor([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(nn.ReLU()(x).data, x.relu().data)
    np.testing.assert_array_equal(nn.Tanh()(x).data, x.tanh().data)
    np.testing.assert_array_equal(nn.Sigmoid()(x).data, x.sigmoid().data)
    assert names(nn.ReLU()) == []


def test_sequential_is_a_list_of_layers():
    a, b, c = nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)
    model = nn.Sequential(a, b, c)
    assert len(model) == 3 and model[0] is a and model[-1] is c and list(model) == [a, b, c]
    assert isinstance(model[1:], nn.Sequential) and list(model[1:]) == [b, c]
    x = Tensor(np.ones((2, 2)))
    np.testing.assert_array_equal(model(x).data, c(b(a(x))).data)
    with pytest.raises(TypeError, match="item 1"):
        nn.Sequential(a, "relu")


def test_mlp_structure_activation_between_layers_only():
    model = nn.MLP(2, [16, 8, 3], activation=nn.Tanh)
    kinds = [type(m) for m in model.layers]
    assert kinds == [nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Linear]
    sizes = [(m.in_features, m.out_features) for m in model.layers if isinstance(m, nn.Linear)]
    assert sizes == [(2, 16), (16, 8), (8, 3)]
    assert model(Tensor(np.ones((5, 2)))).shape == (5, 3)
    assert [type(m) for m in nn.MLP(2, [1]).layers] == [nn.Linear]
    assert [type(m) for m in nn.MLP(2, [4, 1], activation=None).layers] == [nn.Linear, nn.Linear]
    with pytest.raises(ValueError):
        nn.MLP(2, [])
    with pytest.raises(TypeError, match="class"):
        nn.MLP(2, [4, 1], activation=nn.ReLU())


def test_gradients_reach_every_mlp_parameter():
    model = nn.MLP(2, [4, 1])
    model(Tensor(np.random.default_rng(0).standard_normal((8, 2)))).mean().backward()
    for p in model.parameters():
        assert p.grad is not None and p.grad.shape == p.shape


# ---- repr -------------------------------------------------------------------------------------------


def test_repr_like_pytorch():
    assert repr(nn.Linear(4, 3)) == "Linear(in_features=4, out_features=3, bias=True)"
    assert repr(nn.Linear(4, 3, bias=False)) == "Linear(in_features=4, out_features=3, bias=False)"
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.MLP(2, [3, 1])) == (
        "MLP(\n"
        "  (layers): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "    (1): ReLU()\n"
        "    (2): Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


def test_layer_sizes_given_the_wrong_way_get_a_message_that_shows_the_right_way():
    with pytest.raises(TypeError, match=r"MLP\(2, \[16, 3\]\) or MLP\(2, \[3\]\)"):
        nn.MLP(2, 3)  # a size where a list of sizes goes
    with pytest.raises(TypeError, match="in_features is a whole number of features, not 2.5"):
        nn.Linear(2.5, 3)
    assert nn.Linear(np.int64(2), 3).weight.shape == (3, 2)


def test_a_transposed_array_of_the_right_size_is_still_the_wrong_shape():
    layer = nn.Linear(2, 3)  # weight (3, 2)
    before = layer.weight.data.copy()
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        layer.load_state_dict({"weight": np.ones((2, 3)), "bias": np.zeros(3)})
    np.testing.assert_array_equal(layer.weight.data, before)


def test_linear_sizes_zero_is_allowed_and_true_is_not_a_size():
    assert nn.Linear(0, 3)(Tensor(np.ones((2, 0)))).shape == (2, 3)
    with pytest.raises(TypeError, match="whole number of features"):
        nn.Linear(True, 3)


def test_a_module_passes_keyword_arguments_on_to_forward():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor
    assert Scale()(Tensor([2.0]), factor=3.0).item() == 6.0

"""nn, optim and utils.data with PyTorch's import lines and semantics (the parts the snippets
of test_pytorch_snippets.py do not reach: imports in a fresh process, schedules, amsgrad,
data loading's errors and repeatability)."""

import subprocess
import sys

import numpy as np
import pytest

import tiny_grad as tg
import tiny_grad.nn as nn
import tiny_grad.nn.functional as F
from tiny_grad import optim
from tiny_grad.utils.data import DataLoader, TensorDataset, default_collate, random_split

try:
    import torch
except ImportError:
    torch = None


def test_pytorchs_import_lines_work_in_a_fresh_process():
    code = ("import tiny_grad as torch\nimport tiny_grad.nn as nn\n"
            "import tiny_grad.nn.functional as F\nfrom tiny_grad import optim\n"
            "import tiny_grad.optim as optim2\nfrom tiny_grad.optim.lr_scheduler import StepLR\n"
            "from tiny_grad.utils.data import DataLoader, TensorDataset, Dataset\n"
            "from torch.nn import functional as F2\n" .replace("from torch.nn", "from tiny_grad.nn") +
            "import tiny_grad.functional\n"
            "assert F is tiny_grad.functional is nn.functional is F2 and optim is optim2\n"
            "assert torch.optim.lr_scheduler.StepLR is StepLR and torch.utils.data.DataLoader is DataLoader\n"
            "print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


SCHEDULES = {
    "StepLR": lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
    "MultiStepLR": lambda lib, opt: lib.optim.lr_scheduler.MultiStepLR(opt, [2, 5, 5], gamma=0.1),
    "ExponentialLR": lambda lib, opt: lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
    "LambdaLR": lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (e + 1)),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_learning_rate_schedules_give_pytorchs_sequence(name):
    def sequence(lib):
        w = lib.tensor([1.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.8)
        schedule = SCHEDULES[name](lib, opt)
        lrs = [schedule.get_last_lr()[0]]
        for _ in range(8):
            opt.step()
            schedule.step()
            lrs.append(schedule.get_last_lr()[0])
        return lrs, opt.param_groups[0]["lr"]
    ours = sequence(tg)
    assert ours[0][0] == 0.8 and ours[1] == ours[0][-1]
    if name == "StepLR":
        assert ours[0] == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2]
    if torch is not None:
        theirs = sequence(torch)
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)


@pytest.mark.parametrize("settings", [dict(amsgrad=True), dict(weight_decay=0.1),
                                      dict(weight_decay=0.1, amsgrad=True)], ids=str)
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_variants_step_as_pytorchs(name, settings):
    def run(lib):
        w = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64, requires_grad=True)
        opt = getattr(lib.optim, name)([w], lr=0.1, **settings)
        for k in range(6):
            opt.zero_grad()
            ((w - 0.3) ** 2 * (k + 1)).sum().backward()
            opt.step()
        return w.detach().numpy().copy()
    ours = run(tg)
    assert not np.allclose(ours, [1.0, -2.0, 0.5])
    if torch is not None:
        np.testing.assert_allclose(ours, run(torch), rtol=1e-12, atol=1e-14)


def test_optimizer_settings_are_checked_per_group_and_opt_lr_still_works():
    w, v = tg.tensor([1.0], requires_grad=True), tg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="learning rate must be >= 0"):
        optim.SGD([{"params": [w]}, {"params": [v], "lr": -1.0}], lr=0.1)
    opt = optim.SGD([w], lr=0.1)
    opt.lr = 0.05  # (tiny_grad's own shortcut: every group's lr)
    assert opt.param_groups[0]["lr"] == 0.05 and opt.lr == 0.05
    opt.add_param_group({"params": v, "momentum": 0.9})
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["momentum"] == 0.9
    with pytest.raises(ValueError, match="appears twice"):
        opt.add_param_group({"params": [w]})


def test_dataloader_batches_repeat_with_manual_seed_and_say_what_is_wrong():
    ds = TensorDataset(tg.arange(10.0), tg.arange(10))
    tg.manual_seed(4)
    first = [b[1].tolist() for b in DataLoader(ds, batch_size=4, shuffle=True)]
    tg.manual_seed(4)
    again = [b[1].tolist() for b in DataLoader(ds, batch_size=4, shuffle=True)]
    assert first == again and sorted(sum(first, [])) == list(range(10))
    loader = DataLoader(ds, batch_size=4, shuffle=True)
    assert [b[1].tolist() for b in loader] != [b[1].tolist() for b in loader]  # a new order each epoch
    with pytest.raises(ValueError, match=r"one first length.*\(10,\), \(9,\)"):
        TensorDataset(tg.zeros(10), tg.zeros(9))
    with pytest.raises(ValueError, match="positive whole number"):
        DataLoader(ds, batch_size=0)
    assert [len(b[0]) for b in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]
    assert len(DataLoader(ds, batch_size=3)) == 4 and len(DataLoader(ds, batch_size=3, drop_last=True)) == 3


def test_the_fast_batch_of_a_tensor_dataset_is_the_collated_one():
    X, y = tg.tensor(np.arange(30.0).reshape(10, 3)), tg.tensor(np.arange(10) % 3)
    ds = TensorDataset(X, y)
    fast = list(DataLoader(ds, batch_size=4))
    slow = list(DataLoader(ds, batch_size=4, collate_fn=default_collate))
    for (a, b), (c, d) in zip(fast, slow):
        assert a.tolist() == c.tolist() and b.tolist() == d.tolist() and b.dtype == d.dtype == tg.int64


def test_default_collate_and_random_split_as_pytorch():
    batch = default_collate([{"x": 1.5, "y": 2, "t": np.ones(2)}, {"x": 2.5, "y": 3, "t": np.zeros(2)}])
    assert batch["x"].dtype == tg.float64 and batch["y"].dtype == tg.int64 and batch["t"].shape == (2, 2)
    pairs = default_collate([(tg.tensor([1.0]), 0), (tg.tensor([2.0]), 1)])
    assert isinstance(pairs, list) and pairs[0].shape == (2, 1) and pairs[1].tolist() == [0, 1]
    parts = random_split(TensorDataset(tg.arange(10)), [0.7, 0.3])
    assert [len(p) for p in parts] == [7, 3]
    assert sorted(int(p[i][0]) for p in parts for i in range(len(p))) == list(range(10))
    if torch is not None:
        theirs = torch.utils.data.default_collate([{"x": 1.5, "y": 2}, {"x": 2.5, "y": 3}])
        assert str(theirs["x"].dtype) == "torch.float64" and str(theirs["y"].dtype) == "torch.int64"


def test_a_digits_classifier_trains_with_pytorchs_loop():
    X, y = tg.data.load_digits(flatten=True)
    X_train, X_test, y_train, y_test = tg.data.train_test_split(X, y, seed=0)
    train = DataLoader(TensorDataset(tg.tensor(X_train), tg.tensor(y_train)), batch_size=64, shuffle=True)
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 10))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(8):
        model.train()
        for xb, yb in train:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
    model.eval()
    with tg.no_grad():
        accuracy = (model(tg.tensor(X_test)).argmax(dim=1) == tg.tensor(y_test)).float().mean().item()
    assert accuracy > 0.9, accuracy


def test_nn_functional_dropout_and_one_hot():
    tg.manual_seed(1)
    x = tg.ones(1000)
    dropped = F.dropout(x, 0.25)
    kept = (dropped != 0).float().mean().item()
    assert abs(kept - 0.75) < 0.05 and set(np.unique(dropped.numpy()).round(6)) <= {0.0, round(1 / 0.75, 6)}
    assert F.dropout(x, 0.25, training=False) is x
    assert F.one_hot(tg.tensor([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert F.one_hot(tg.tensor([2, 0])).dtype == tg.int64


def test_the_quickstarts_device_lines_type_and_checkpoint_calls_run(tmp_path):
    device = "cuda" if tg.cuda.is_available() else "cpu"
    X = tg.rand(2, 28, 28, device=device)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10)).to(device)
    pred = nn.Softmax(dim=1)(model(X.to(device))).argmax(1)
    assert pred.dtype == tg.int64 and (pred == pred).type(tg.float).sum().item() == 2.0
    assert X.type() == "torch.DoubleTensor" and X.float().type() == "torch.FloatTensor"
    tg.save(model.state_dict(), tmp_path / "model.pth")
    model.load_state_dict(tg.load(tmp_path / "model.pth", weights_only=True))
    assert tg.zeros(2, device="cpu").shape == (2,) and tg.tensor([1], device=device).dtype == tg.int64

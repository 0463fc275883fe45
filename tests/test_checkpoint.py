"""checkpoint: save/load round trips, foreign or broken files, and interrupted saves."""

import os
import pickle
import sys
import zipfile

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import Tensor, nn
from tiny_grad.checkpoint import load, save


def model_and_input(seed=0):
    tg.manual_seed(seed)
    return nn.MLP(3, [5, 2]), Tensor(np.random.default_rng(seed).standard_normal((4, 3)))


def test_save_then_load_reproduces_outputs_exactly(tmp_path):
    model, x = model_and_input(0)
    path = tmp_path / "model.npz"
    save(model.state_dict(), path)
    fresh, _ = model_and_input(1)
    state = load(path)
    assert list(state) == list(model.state_dict())  # names, in order
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh(x).data, model(x).data)


def test_the_name_is_kept_exactly_and_dtypes_survive(tmp_path):
    state = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "n": np.array(7),
             "t": Tensor([1.5, 2.5])}
    save(state, str(tmp_path / "weights.ckpt"))  # no ".npz" appended, a str path works too
    assert os.listdir(tmp_path) == ["weights.ckpt"]
    loaded = load(tmp_path / "weights.ckpt")
    assert loaded["w"].dtype == np.float32 and loaded["n"].dtype == np.array(7).dtype
    np.testing.assert_array_equal(loaded["w"], state["w"])
    np.testing.assert_array_equal(loaded["t"], [1.5, 2.5])


def test_names_numpy_reserves_still_work(tmp_path):
    state = {"file": np.ones(2), "allow_pickle": np.zeros(1), "a.b.c": np.ones((1, 1))}
    save(state, tmp_path / "odd.npz")
    assert list(load(tmp_path / "odd.npz")) == ["file", "allow_pickle", "a.b.c"]


def test_an_empty_state_dict_round_trips(tmp_path):
    save({}, tmp_path / "empty.npz")
    assert load(tmp_path / "empty.npz") == {}


def test_a_checkpoint_is_an_ordinary_npz(tmp_path):
    model, _ = model_and_input()
    save(model.state_dict(), tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert npz.files == [name for name, _ in model.named_parameters()]


def test_saving_over_a_checkpoint_replaces_it(tmp_path):
    path = tmp_path / "m.npz"
    save({"w": np.zeros(3)}, path)
    save({"w": np.ones(3)}, path)
    np.testing.assert_array_equal(load(path)["w"], np.ones(3))
    assert os.listdir(tmp_path) == ["m.npz"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_a_checkpoint_gets_the_usual_file_permissions(tmp_path):
    save({"w": np.zeros(1)}, tmp_path / "m.npz")
    (tmp_path / "plain").write_bytes(b"")
    assert os.stat(tmp_path / "m.npz").st_mode == os.stat(tmp_path / "plain").st_mode


# ---- files that are not (whole) checkpoints ---------------------------------------------------


def broken_files(folder):
    """(description, path) for files that load() must refuse with a ValueError."""
    model, _ = model_and_input()
    good = folder / "good.npz"
    save(model.state_dict(), good)
    data = good.read_bytes()
    files = {
        "truncated": data[: len(data) // 2],
        "cut at the end": data[:-10],
        "empty": b"",
        "text": b"weight = [1, 2, 3]\n",
        "pickle": pickle.dumps({"weight": np.ones(3)}),
    }
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0xFF  # one byte changed inside the stored arrays
    files["corrupted"] = bytes(flipped)
    paths = []
    for name, content in files.items():
        path = folder / f"{name.replace(' ', '_')}.npz"
        path.write_bytes(content)
        paths.append((name, path))
    np.save(folder / "single.npy", np.ones(3))  # a NumPy file, but one array with no names
    paths.append(("single array", folder / "single.npy"))
    with zipfile.ZipFile(folder / "notes.zip", "w") as zf:  # a zip, but not of .npy files
        zf.writestr("readme.txt", "hello")
    paths.append(("zip of text", folder / "notes.zip"))
    return paths


def test_broken_or_foreign_files_raise_valueerror_naming_the_path(tmp_path):
    for description, path in broken_files(tmp_path):
        with pytest.raises(ValueError) as caught:
            load(path)
        assert str(path) in str(caught.value), description


class Payload:
    """An object whose unpickling would run code: here, a harmless print."""

    def __reduce__(self):
        return (print, ("a pickle ran code while loading!",))


def test_loading_a_pickle_never_runs_its_code(tmp_path, capsys):
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ValueError, match="evil.npz.*pickle"):
        load(path)
    assert capsys.readouterr().out == ""


def test_a_missing_file_raises_filenotfounderror_naming_the_path(tmp_path):
    path = tmp_path / "nowhere.npz"
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        load(path)
    with pytest.raises(FileNotFoundError, match="missing_folder"):
        save({"w": np.zeros(1)}, tmp_path / "missing_folder" / "m.npz")


def test_what_cannot_be_saved_is_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match="'names'"):
        save({"names": np.array(["a", "b"], dtype=object)}, tmp_path / "m.npz")
    with pytest.raises(TypeError, match="state_dict"):
        save(nn.Linear(1, 1), tmp_path / "m.npz")  # the model itself, not its state_dict()
    assert os.listdir(tmp_path) == []


# ---- interrupted saves --------------------------------------------------------------------------


@pytest.mark.parametrize("interruption", [OSError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_save_keeps_the_old_checkpoint_and_leaves_no_stray_file(
        tmp_path, monkeypatch, interruption):
    path = tmp_path / "model.npz"
    old_model, x = model_and_input(0)
    save(old_model.state_dict(), path)

    real_write_array = np.lib.format.write_array
    written = []

    def write_then_fail(file, array, *args, **kwargs):
        if written:  # the first array goes through; the second fails half-way
            file.write(b"\x93NUMPY half an array")
            raise interruption
        written.append(True)
        real_write_array(file, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    new_model, _ = model_and_input(1)
    with pytest.raises(type(interruption)):
        save(new_model.state_dict(), path)
    monkeypatch.undo()

    assert written and os.listdir(tmp_path) == ["model.npz"]
    restored, _ = model_and_input(2)
    restored.load_state_dict(load(path))
    np.testing.assert_array_equal(restored(x).data, old_model(x).data)


def test_an_npz_holding_an_object_array_is_refused_without_running_code(tmp_path, capsys):
    path = tmp_path / "objects.npz"
    np.savez(path, w=np.array([Payload()], dtype=object))  # a real .npz, with a pickle inside
    with pytest.raises(ValueError, match="objects.npz"):
        load(path)
    assert capsys.readouterr().out == ""


def test_each_kind_of_foreign_file_is_told_what_it_is(tmp_path):
    (tmp_path / "empty.npz").write_bytes(b"")
    np.save(tmp_path / "single.npy", np.ones(3))
    (tmp_path / "notes.txt").write_text("hello")
    for name, says in [("empty.npz", "the file is empty"), ("single.npy", r"single \.npy array"),
                       ("notes.txt", "not a zip")]:
        with pytest.raises(ValueError, match=says):
            load(tmp_path / name)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load(tmp_path / "nowhere.npz")

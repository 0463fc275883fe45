"""Datasets and batches, as torch.utils.data has them: Dataset, TensorDataset, DataLoader.

    from tiny_grad.utils.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    for xb, yb in loader:          # xb: (64, 64) floats, yb: (64,) int64 labels
        loss = F.cross_entropy(model(xb), yb)

A dataset is anything with `len(dataset)` and `dataset[i]` (one example). A DataLoader cuts
the examples into batches, in order or shuffled anew every epoch, and stacks each batch's
examples into tensors, as PyTorch's default collate does: tensors are stacked (their dtype
kept), Python floats become a float64 tensor, ints an int64 one, and tuples, lists and dicts
are collated part by part (a tuple of parts gives a list of batches, as in PyTorch).
Shuffling draws from tiny_grad's random generator (`tg.manual_seed`), or from generator=:
repeatable, but not the same order as PyTorch's (another generator).
"""

import math
import numbers

import numpy as np

from ..tensor import Tensor, _rng, stack, tensor


class Dataset:
    """The base of a dataset: a subclass writes __getitem__(i) and __len__()."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Examples made of rows of tensors of one length: item i is (X[i], y[i], ...)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        tensors = tuple(t if isinstance(t, Tensor) else tensor(t) for t in tensors)
        lengths = [len(t) for t in tensors]
        if len(set(lengths)) != 1:
            shapes = ", ".join(str(t.shape) for t in tensors)
            raise ValueError(f"TensorDataset: the tensors need one first length (one row per "
                             f"example), got shapes {shapes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return len(self.tensors[0])


class Subset(Dataset):
    """The examples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """The dataset shuffled and cut into Subsets of these lengths (or fractions summing to 1)."""
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(0 <= f <= 1 for f in lengths) and math.isclose(sum(lengths), 1) \
            and sum(lengths) != n:
        counts = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(counts)):  # (the rest go one each to the first parts, as PyTorch)
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: the lengths {lengths} add up to {sum(lengths)}, but the "
                         f"dataset has {n} examples")
    order = _rng(generator).permutation(n).tolist()
    ends = np.cumsum(lengths).tolist()
    return [Subset(dataset, order[end - k:end]) for k, end in zip(lengths, ends)]


def default_collate(batch):
    """A list of examples made into one batch (see the module docstring)."""
    first = batch[0]
    if isinstance(first, Tensor):
        return stack(batch)
    if isinstance(first, np.ndarray):
        return tensor(np.stack(batch))
    if isinstance(first, (bool, np.bool_, numbers.Integral)):
        return tensor(batch)  # int64 (or bool)
    if isinstance(first, numbers.Real):
        return tensor(batch, dtype=np.float64)
    if isinstance(first, str):
        return list(batch)
    if isinstance(first, dict):
        return {key: default_collate([example[key] for example in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        return [default_collate(list(parts)) for parts in zip(*batch)]
    raise TypeError(f"DataLoader cannot make a batch of {type(first).__name__} examples: give "
                    "collate_fn=... (a function from a list of examples to a batch)")


class DataLoader:
    """The examples of `dataset` in batches of batch_size, as torch.utils.data.DataLoader.

    shuffle=True: a new order every epoch (every `for` over the loader). drop_last=True: a last
    batch smaller than batch_size is left out. batch_size=None: one example at a time, not
    collated. num_workers and pin_memory are accepted and change nothing (one process, CPU).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None,
                 generator=None, num_workers=0, pin_memory=False, **unused):
        if batch_size is not None and (not isinstance(batch_size, numbers.Integral)
                                       or isinstance(batch_size, bool) or batch_size < 1):
            raise ValueError(f"batch_size should be a positive whole number, got {batch_size!r}")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.collate_fn, self.generator = collate_fn, generator

    def __len__(self):
        """The number of batches in an epoch."""
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = _rng(self.generator).permutation(n) if self.shuffle else np.arange(n)
        if self.batch_size is None:
            for i in order.tolist():
                yield self.dataset[i]
            return
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            rows = order[start:start + self.batch_size]
            if self.collate_fn is None and type(self.dataset) is TensorDataset:
                # the same batch as stacking the rows one by one, in one index per tensor
                yield [t[tensor(rows)] for t in self.dataset.tensors]
            else:
                collate = self.collate_fn or default_collate
                yield collate([self.dataset[i] for i in rows.tolist()])

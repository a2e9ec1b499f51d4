"""`utils.data`: datasets and the loader that cuts them into (shuffled) mini-batches.

A dataset answers two questions: how many samples (`len(dataset)`) and what is sample i
(`dataset[i]`). `TensorDataset(x, y)` is the simplest: sample i is `(x[i], y[i])`. A
`DataLoader` walks through a dataset batch by batch, in order or shuffled anew each epoch, and
stacks the samples of a batch into tensors:

>>> import autograd_lab as alt
>>> from autograd_lab.utils.data import DataLoader, TensorDataset
>>> dataset = TensorDataset(alt.arange(10.0).reshape(5, 2), alt.arange(5))
>>> len(dataset), dataset[1]
(5, (tensor([2., 3.]), tensor(1)))
>>> for x, y in DataLoader(dataset, batch_size=2):
...     print(x.shape, y.tolist())
autograd_lab.Size([2, 2]) [0, 1]
autograd_lab.Size([2, 2]) [2, 3]
autograd_lab.Size([1, 2]) [4]

Everything runs in the learner's own process: `num_workers` and `pin_memory` are accepted so
that PyTorch code runs unchanged, and change nothing.
"""

import math

import numpy as np

from autograd_lab.creation import randperm, tensor
from autograd_lab.dtypes import float64
from autograd_lab.ops.shape import stack
from autograd_lab.tensor import Tensor


class Dataset:
    """The base class of datasets: subclasses define `__getitem__` (and usually `__len__`)."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples taken along the first dimension of tensors of the same length:
    `TensorDataset(features, labels)[i]` is `(features[i], labels[i])`."""

    def __init__(self, *tensors):
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at the positions `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, indices

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after the other (what `dataset_a + dataset_b` gives)."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def random_split(dataset, lengths, generator=None):
    """Split a dataset into non-overlapping random parts of the given lengths (or fractions
    that add up to 1, such as `[0.8, 0.2]`)."""
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [int(math.floor(n * fraction)) for fraction in lengths]
        for i in range(n - sum(counts)):  # hand out what flooring left over, round-robin
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = randperm(n, generator=generator).tolist()
    parts, start = [], 0
    for length in lengths:
        parts.append(Subset(dataset, order[start:start + length]))
        start += length
    return parts


def default_collate(batch):
    """Turn a list of samples into one batch: tensors (and numpy arrays) are stacked along a
    new first dimension, numbers become a tensor (ints int64, floats float64, as in PyTorch),
    and tuples, lists and dicts are collated field by field. Strings stay a list."""
    first = batch[0]
    if isinstance(first, Tensor):
        return stack(batch)
    if isinstance(first, np.ndarray):
        return stack([tensor(array) for array in batch])
    if isinstance(first, float):
        return tensor(batch, dtype=float64)
    if isinstance(first, (bool, int, np.number)):
        return tensor(batch)
    if isinstance(first, str):
        return list(batch)
    if isinstance(first, dict):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple keeps its type
        return type(first)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(first, (tuple, list)):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(first)}")


def default_convert(sample):
    """What a loader without batches (`batch_size=None`) does to each sample: numpy arrays
    become tensors, tuples become lists (as in PyTorch), the rest stays as it is."""
    if isinstance(sample, np.ndarray):
        return tensor(sample)
    if isinstance(sample, dict):
        return {key: default_convert(value) for key, value in sample.items()}
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):
        return type(sample)(*(default_convert(value) for value in sample))
    if isinstance(sample, (tuple, list)):
        return [default_convert(value) for value in sample]
    return sample


class DataLoader:
    """Batches of `batch_size` samples from `dataset`, in order or (`shuffle=True`) in a new
    random order each time it is iterated; `drop_last=True` leaves out a last, smaller batch.

    `batch_size=None` yields the samples one by one (see `default_convert`). `generator`
    gives the shuffling its own random stream (see `autograd_lab.Generator`).
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False,
                 timeout=0, worker_init_fn=None, generator=None, **_more_worker_settings):
        if batch_size is not None and (isinstance(batch_size, bool)
                                       or not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.shuffle, self.sampler, self.generator = bool(shuffle), sampler, generator
        self.batch_sampler = batch_sampler
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.num_workers, self.pin_memory = num_workers, pin_memory

    def _order(self):
        """The sample indices of one pass through the dataset."""
        if self.sampler is not None:
            return list(self.sampler)
        if self.shuffle:
            return randperm(len(self.dataset), generator=self.generator).tolist()
        return range(len(self.dataset))

    def _batches_of_indices(self):
        if self.batch_sampler is not None:
            return iter(self.batch_sampler)
        order, size = self._order(), self.batch_size
        stop = len(order) - len(order) % size if self.drop_last else len(order)
        return (order[start:start + size] for start in range(0, stop, size))

    def __iter__(self):
        if self.batch_size is None and self.batch_sampler is None:
            return (default_convert(self.dataset[i]) for i in self._order())
        return (self._fetch(indices) for indices in self._batches_of_indices())

    def _fetch(self, indices):
        if type(self.dataset) is TensorDataset and self.collate_fn is default_collate:
            # the same tensors as stacking the samples one by one, in one indexing step each
            rows = tensor(list(indices))
            return [t[rows] for t in self.dataset.tensors]
        return self.collate_fn([self.dataset[i] for i in indices])

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

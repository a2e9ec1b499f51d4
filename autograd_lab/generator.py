"""`Generator`: a random number stream of your own, so that one part of a program repeats its
numbers whatever the rest draws.

`manual_seed(42)` reseeds the stream every function uses by default. A Generator is a separate
stream, handed to a function with `generator=`:

>>> import autograd_lab as alt
>>> g = alt.Generator().manual_seed(2147483647)
>>> first = alt.randn(3, generator=g)
>>> _ = alt.randn(100)                      # draws from the default stream: g is untouched
>>> _ = g.manual_seed(2147483647)          # back to the start of g's stream
>>> bool((alt.randn(3, generator=g) == first).all())
True

The numbers differ from PyTorch's for the same seed (a different algorithm draws them); what
carries over is that the same seed gives the same numbers.
"""

import os

from autograd_lab import backend

DEFAULT_SEED = 67280421310721  # what a new PyTorch Generator starts from


class Generator:
    """A seeded source of random numbers on one device (`Generator(device="cpu")`)."""

    def __init__(self, device="cpu"):
        self.device = backend.as_device(device)
        self._seed = DEFAULT_SEED
        self._numbers = None  # the numpy (or cupy) Generator, made on first use

    def manual_seed(self, seed):
        """Start the stream again from `seed`; returns the generator, so that
        `g = Generator().manual_seed(42)` works."""
        seed = int(seed)
        if not -(2 ** 63) <= seed < 2 ** 64:
            raise RuntimeError(f"Overflow when unpacking long long: {seed}")
        self._seed = seed % 2 ** 64  # negative seeds wrap around, as in PyTorch
        self._numbers = None
        return self

    def seed(self):
        """Seed the stream from the operating system's entropy; returns the new seed."""
        self.manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)
        return self._seed

    def initial_seed(self):
        """The seed the stream last started from."""
        return self._seed

    def numbers(self):
        """The numpy (cpu) or cupy (cuda) Generator that draws this stream's numbers."""
        if self._numbers is None:
            self._numbers = backend.new_random_generator(self.device, self._seed)
        return self._numbers


def random_source(generator, device):
    """Where a random function on `device` draws from: `generator`, or the default stream."""
    if generator is None:
        return backend.random_generator(device)
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a Generator as generator=, but got "
                        f"{type(generator).__name__}")
    if generator.device.type != device.type:
        raise RuntimeError(f"Expected a '{device.type}' device type for generator but found "
                           f"'{generator.device.type}'")
    return generator.numbers()


class DefaultGenerator(Generator):
    """The stream every random function draws from when no `generator=` is given
    (`autograd_lab.default_generator`, what `manual_seed` returns). Seeding it reseeds the
    default stream of every device, as PyTorch's `manual_seed` does."""

    def manual_seed(self, seed):
        super().manual_seed(seed)
        backend.manual_seed(self._seed)
        return self

    def numbers(self):
        return backend.random_generator(self.device)


default_generator = DefaultGenerator()

"""The grammar of random programs: each step is one line of PyTorch code, chosen by a seeded
generator that reads the state PyTorch reached after the steps before it.

Reading that state (shapes, which tensors require grad, which are leaves) keeps every step
well-formed where it should be, and leaves to chance exactly what is under test: whether a
step raises, and the values, flags and gradients it leaves behind. A few steps are ill-formed on
purpose (shapes that do not broadcast, an index out of range, backward of a tensor that needs no
grad), so that errors get compared too.

The same text runs with `import torch` and with `import autograd_lab as torch`. Programs use
three more names, which the runner defines: `nan`, `inf` and `log` (a list hooks append to).
"""

import math
import random
from dataclasses import dataclass

import numpy as np

# Values for new tensors: distinct, away from zero, so that max/min rarely tie and relu, abs and
# clamp rarely sit on their kinks. The specials are mixed in on purpose, now and then.
POOL = [v / 2 for v in range(-6, 7) if v]
SPECIALS = [0.0, 0.0, 0.0, math.nan, math.inf, -math.inf]
LEAF_SHAPES = [(), (3,), (2, 3), (3, 2), (2, 1), (1, 3), (2, 2, 3), (0,), (0, 3)]
LEAF_WEIGHTS = [3, 4, 5, 2, 2, 2, 2, 1, 1]
#: Keyword arguments of backward() and autograd.grad() that labels mention.
KEYWORDS = ("retain_graph", "create_graph", "inputs", "allow_unused")


@dataclass(frozen=True)
class Step:
    """One statement of a program.

    `defines` are the names it assigns, `reads` the names it uses, `target` the tensor it
    changes in place (if any); `label` names the operation for grouping mismatches by cause.
    A step that only computes new tensors (`pure`) cannot change the ones made before it.
    """

    code: str
    label: str
    defines: tuple = ()
    reads: tuple = ()
    target: str = None
    pure: bool = False


def _nested(values, shape):
    if not shape:
        return values[0]
    size = len(values) // shape[0] if shape[0] else 0
    return [_nested(values[i * size:(i + 1) * size], shape[1:]) for i in range(shape[0])]


class ProgramGenerator:
    """Makes the steps of one program, one at a time, from a seed.

    `state` is the namespace in which PyTorch ran the steps so far: the generator reads it and
    never writes to it.
    """

    def __init__(self, seed, state):
        self.rng = random.Random(seed)
        self.state = state
        self.count = 0
        self.roots = []  # tensors backward already ran from: candidates for a second backward
        self.makers = [
            (self.new_leaf, 6), (self.new_constant, 3), (self.unary, 14), (self.binary, 10),
            (self.reduction, 8), (self.view, 12), (self.indexing, 5), (self.selection, 4),
            (self.matmul, 5), (self.in_place, 13), (self.backward, 9), (self.grad, 4),
            (self.hook, 4), (self.flags, 4),
        ]

    # -- the public side -----------------------------------------------------------------------

    def first_step(self):
        return self.new_leaf()

    def next_step(self):
        makers, weights = zip(*self.makers)
        while True:
            step = self.rng.choices(makers, weights)[0]()
            if step is not None:
                return step

    # -- helpers ---------------------------------------------------------------------------------

    def fresh(self):
        self.count += 1
        return f"t{self.count - 1}"

    def tensors(self, where=lambda t: True):
        """Names of the tensors made so far that satisfy `where`, in the order they were made."""
        import torch

        return [name for name, value in self.state.items()
                if name.startswith("t") and isinstance(value, torch.Tensor)
                and value.dtype == torch.float64 and where(value)]

    def pick(self, where=lambda t: True):
        """A tensor name, most often one of the latest (programs then build chains)."""
        names = self.tensors(where)
        if not names:
            return None
        if self.rng.random() < 0.6:
            return self.rng.choice(names[-3:])
        return self.rng.choice(names)

    def shape(self, name):
        return tuple(self.state[name].shape)

    def literal(self, shape, requires_grad=False):
        """Source for a new float64 tensor of `shape`: distinct values, sometimes a special."""
        grad = ", requires_grad=True" if requires_grad else ""
        n = math.prod(shape)
        if n == 0:
            return f"torch.zeros({shape!r}, dtype=torch.float64{grad})"
        pool = POOL if n <= len(POOL) else POOL * (n // len(POOL) + 1)
        values = self.rng.sample(pool, n)
        if self.rng.random() < 0.15:
            values[self.rng.randrange(n)] = self.rng.choice(SPECIALS)
        return f"torch.tensor({_nested(values, shape)!r}, dtype=torch.float64{grad})"

    def scalar(self):
        return self.rng.choice([2.0, -1.5, 0.5, 3, 0.0])

    def operand(self, shape, exact=False):
        """A number or a tensor broadcastable to `shape` (exactly onto it when `exact`)."""
        roll = self.rng.random()
        if roll < 0.25:
            return repr(self.scalar()), ()
        if roll < 0.7:
            def fits(t):
                try:
                    result = np.broadcast_shapes(tuple(t.shape), shape)
                except ValueError:
                    return not exact and roll < 0.27  # now and then, shapes that do not broadcast
                return result == shape or not exact
            name = self.pick(fits)
            if name is not None:
                return name, (name,)
        partner = list(shape)
        for i in range(len(partner)):
            if self.rng.random() < 0.3:
                partner[i] = 1
        if partner and self.rng.random() < 0.3:
            partner = partner[1:]
        return self.literal(tuple(partner), self.rng.random() < 0.3), ()

    def dim(self, shape):
        return self.rng.randrange(-len(shape), len(shape)) if shape else 0

    def assign(self, expression, label, reads, no_grad=None):
        """`tN = expression`, now and then inside `torch.no_grad()`."""
        name = self.fresh()
        code = f"{name} = {expression}"
        if no_grad is None:
            no_grad = self.rng.random() < 0.1
        if no_grad:
            code, label = f"with torch.no_grad():\n    {code}", f"{label} (no_grad)"
        return Step(code, label, (name,), tuple(reads), pure=True)

    # -- makers: each returns a Step, or None when the state offers nothing to work on ------

    def new_leaf(self):
        shape = self.rng.choices(LEAF_SHAPES, LEAF_WEIGHTS)[0]
        return self.assign(self.literal(shape, requires_grad=True), "leaf", (), no_grad=False)

    def new_constant(self):
        shape = self.rng.choices(LEAF_SHAPES, LEAF_WEIGHTS)[0]
        if self.rng.random() < 0.3:
            return self.assign(f"torch.zeros({shape!r}, dtype=torch.float64)", "zeros", (),
                               no_grad=False)
        return self.assign(self.literal(shape), "constant", (), no_grad=False)

    def unary(self):
        x = self.pick()
        if x is None:
            return None
        forms = {
            "neg": f"-{x}", "exp": f"{x}.exp()", "log": f"{x}.log()", "tanh": f"{x}.tanh()",
            "sigmoid": f"torch.sigmoid({x})", "relu": f"{x}.relu()", "sqrt": f"{x}.sqrt()",
            "abs": f"{x}.abs()", "sign": f"{x}.sign()", "sin": f"{x}.sin()",
            "square": f"{x} ** 2", "cube": f"{x}.pow(3)", "root": f"{x} ** 0.5",
            "reciprocal": f"1 / {x}", "rdiv": f"2.0 / {x}", "rsub": f"1 - {x}",
            "number**x": f"{self.rng.choice(['2.0', '0.5', '0', '0.0', '(-2.0)'])} ** {x}",
            "clamp": f"{x}.clamp(min={self.rng.choice([-1.0, 0.0, 0.5])})",
            "clamp range": f"{x}.clamp(-1.0, {self.rng.choice([0.5, 1.0, 2.5])})",
            "clone": f"{x}.clone()", "scale": f"{x} * {self.scalar()}",
            "shift": f"{x} + {self.scalar()}",
        }
        label = self.rng.choice(list(forms))
        return self.assign(forms[label], label, (x,))

    def binary(self):
        x = self.pick()
        if x is None:
            return None
        y, reads = self.operand(self.shape(x))
        if y[0].isdigit() or y[0] == "-":
            return None  # number operands are unary's business
        forms = {
            "add": f"{x} + {y}", "sub": f"{x} - {y}", "mul": f"{x} * {y}", "div": f"{x} / {y}",
            "pow": f"{x} ** {y}", "maximum": f"torch.maximum({x}, {y})",
            "minimum": f"torch.minimum({x}, {y})", "add(alpha)": f"{x}.add({y}, alpha=2)",
        }
        label = self.rng.choice(list(forms))
        if self.rng.random() < 0.3:  # the other operand first: broadcasting the other way
            forms = {"add": f"{y} + {x}", "mul": f"{y} * {x}", "div": f"{y} / {x}"}
            label = self.rng.choice(list(forms))
        return self.assign(forms[label], label, (x, *reads))

    def reduction(self):
        x = self.pick()
        if x is None:
            return None
        shape = self.shape(x)
        d = self.dim(shape)
        forms = {
            "sum": f"{x}.sum()", "sum(dim)": f"{x}.sum({d})",
            "sum(keepdim)": f"{x}.sum(dim={d}, keepdim=True)", "mean": f"{x}.mean()",
            "mean(dim)": f"{x}.mean({d})", "max": f"{x}.max()", "min": f"{x}.min()",
            "amax": f"{x}.amax({d})", "amax(keepdim)": f"torch.amax({x}, dim={d}, keepdim=True)",
            "max(dim)": f"{x}.max({d}).values", "min(dim)": f"{x}.min(dim={d})[0]",
            "softmax": f"{x}.softmax({d})", "log_softmax": f"{x}.log_softmax(dim={d})",
            "softmax(function)": f"torch.softmax({x}, dim={d})",
        }
        label = self.rng.choice(list(forms))
        return self.assign(forms[label], label, (x,))

    def reshaped(self, shape):
        """Sizes with as many elements as `shape` (a -1 may stand in for one), as arguments."""
        n = math.prod(shape)
        options = [(n,), (-1,), (1, n), (n, 1), (1, *shape)]
        if len(shape) >= 2:
            options += [tuple(reversed(shape)), (shape[0] * shape[1], *shape[2:]), (shape[0], -1)]
        return _arguments(self.rng.choice(options))

    def expanded(self, shape):
        """Sizes `shape` expands to (the same ones included; -1 keeps a size), as arguments."""
        grown = tuple(self.rng.choice([2, 3]) if n == 1 else n for n in shape)
        options = [(2, *shape), (2, *grown)]
        if shape:
            options += [shape, grown, (-1,) * len(shape)]
        return _arguments(self.rng.choice(options))

    def view(self):
        x = self.pick()
        if x is None:
            return None
        shape = self.shape(x)
        forms = {
            "view": f"{x}.view({self.reshaped(shape)})",
            "reshape": f"{x}.reshape({self.reshaped(shape)})",
            "expand": f"{x}.expand({self.expanded(shape)})",
            "unsqueeze": f"{x}.unsqueeze({self.rng.randrange(-len(shape) - 1, len(shape) + 1)})",
            "squeeze": f"{x}.squeeze()", "flatten": f"{x}.flatten()",
            "detach": f"{x}.detach()", "contiguous": f"{x}.contiguous()",
        }
        if len(shape) <= 2:
            forms["t"] = f"{x}.t()"
        if len(shape) >= 2:
            forms["transpose"] = f"{x}.transpose(0, -1)"
            column = self.rng.randrange(-shape[1], shape[1]) if shape[1] else 0
            forms["column"] = f"{x}[:, {column}]"
            forms["permute"] = f"{x}.permute({', '.join(map(str, reversed(range(len(shape)))))})"
            other = self.pick(lambda t: t.dim() >= 1)
            forms["expand_as"] = f"{x}.expand_as({other})"
        if shape:
            forms["select"] = f"{x}[{self.rng.randrange(-shape[0], shape[0]) if shape[0] else 0}]"
            forms["slice"] = f"{x}[{self.rng.choice(['1:', ':1', '::2', '-2:', '..., 1:'])}]"
        label = self.rng.choice(list(forms))
        reads = (x, other) if label == "expand_as" else (x,)
        return self.assign(forms[label], label, reads)

    def index(self, x):
        """An index for tensor `x`: a number, slices, an index tensor or a boolean mask."""
        shape = self.shape(x)
        size = shape[0] if shape else 0
        options = ["...", f"{x} > 0"]
        if size:
            rows = [self.rng.randrange(size) for _ in range(self.rng.choice([1, 2, 3]))]
            options += [str(self.rng.randrange(-size, size)), "1:", "::2",
                        f"torch.tensor({rows})"]
        if len(shape) >= 2 and shape[1]:
            options += [f":, {self.rng.randrange(shape[1])}", "0, 1:", f":, [0, {shape[1] - 1}]"]
        if self.rng.random() < 0.03:
            options = [str(size)]  # out of range
        return self.rng.choice(options)

    def indexed_shape(self, x, index):
        """The shape of `x[index]` (that of a number when the index is out of range)."""
        import torch

        try:
            with torch.no_grad():
                return tuple(eval(f"{x}[{index}]", self.state).shape)
        except IndexError:
            return ()

    def indexing(self):
        x = self.pick()
        if x is None:
            return None
        index = self.index(x)
        label = "mask index" if ">" in index else "advanced index" if "[" in index else "index"
        return self.assign(f"{x}[{index}]", label, (x,))

    def selection(self):
        x = self.pick()
        if x is None:
            return None
        shape = self.shape(x)
        mask = self.pick(lambda t: _broadcasts_to(tuple(t.shape), shape)) or x
        other, reads = self.operand(shape)
        forms = {
            "where": f"torch.where({mask} > 0, {x}, {other})",
            "where(number)": f"torch.where({mask} < 0.7, {x}, 0.0)",
            "masked_fill": f"{x}.masked_fill({mask} > 0.5, {self.scalar()})",
        }
        label = self.rng.choice(list(forms))
        return self.assign(forms[label], label, (x, mask, *reads))

    def matmul(self):
        x = self.pick(lambda t: 1 <= t.dim() <= 3)
        if x is None:
            return None
        shape = self.shape(x)
        inner = shape[-1]
        right = self.rng.choice([(inner,), (inner, 2)])
        name = self.pick(lambda t: tuple(t.shape) == right)
        other = name if name and self.rng.random() < 0.5 else self.literal(right, False)
        reads = (x, name) if other == name else (x,)
        forms = {"matmul": f"{x} @ {other}", "matmul(function)": f"torch.matmul({x}, {other})"}
        if len(shape) == 1 and len(right) == 1:
            forms["dot"] = f"torch.dot({x}, {other})"
        if len(shape) == 2 and len(right) == 1:
            forms["mv"] = f"{x}.mv({other})"
        if len(shape) == 2 and len(right) == 2:
            forms["mm"] = f"{x}.mm({other})"
        if len(shape) == 1 and self.rng.random() < 0.3:  # the vector on the right
            left = self.literal((2, shape[0]), self.rng.random() < 0.3)
            forms = {"matmul": f"{left} @ {x}"}
        label = self.rng.choice(list(forms))
        shapes = "x".join(str(len(s)) for s in (shape, right))
        return self.assign(forms[label], f"{label} {shapes}-D", reads)

    def in_place(self):
        x = self.pick()
        if x is None:
            return None
        shape = self.shape(x)
        value, reads = self.operand(shape, exact=True)
        forms = {
            "add_": f"{x}.add_({value})", "sub_": f"{x}.sub_({value})",
            "mul_": f"{x}.mul_({value})", "div_": f"{x}.div_({value})",
            "+=": f"{x} += {value}", "*=": f"{x} *= {value}",
            "zero_": f"{x}.zero_()", "fill_": f"{x}.fill_({self.scalar()})",
            "copy_": f"{x}.copy_({value})", "clamp_": f"{x}.clamp_(min=0.0)",
            "relu_": f"{x}.relu_()", "exp_": f"{x}.exp_()", "sigmoid_": f"{x}.sigmoid_()",
            "tanh_": f"{x}.tanh_()", "sqrt_": f"{x}.sqrt_()", "neg_": f"{x}.neg_()",
            "abs_": f"{x}.abs_()", "pow_": f"{x}.pow_(2)",
            "masked_fill_": f"{x}.masked_fill_({x} < 0, 0.0)",
        }
        label = self.rng.choice(list(forms))
        if self.rng.random() < 0.3:
            index = self.index(x)
            item, reads = self.operand(self.indexed_shape(x, index), exact=True)
            label = self.rng.choice(["setitem", "setitem +="])
            operator = "=" if label == "setitem" else "+="
            forms[label] = f"{x}[{index}] {operator} {item}"
        code = forms[label]
        if self.rng.random() < 0.2:
            code, label = f"with torch.no_grad():\n    {code}", f"{label} (no_grad)"
        return Step(code, f"in-place {label}", (), (x, *reads), target=x)

    def backward(self):
        roots = [r for r in self.roots if r in self.state]
        if roots and self.rng.random() < 0.4:
            root = self.rng.choice(roots)  # backward a second time
        else:
            root = self.pick(lambda t: t.requires_grad or self.rng.random() < 0.05)
        if root is None:
            return None
        self.roots.append(root)
        options, reads = [], [root]
        if self.rng.random() < 0.35:
            options.append("retain_graph=True")
        if self.rng.random() < 0.15:
            options.append("create_graph=True")
        if self.rng.random() < 0.1:
            inputs = self.pick(lambda t: t.requires_grad)
            if inputs:
                options.append(f"inputs=[{inputs}]")
                reads.append(inputs)
        label = "backward" + "".join(f" {o.split('=')[0]}" for o in options)
        called = root
        if self.shape(root) != ():
            roll = self.rng.random()
            if roll < 0.45:
                options.insert(0, f"torch.ones_like({root})")
            elif roll < 0.9:
                called = f"{root}.sum()"
            else:
                label += " (non-scalar)"
        return Step(f"{called}.backward({', '.join(options)})", label, (), tuple(reads))

    def grad(self):
        output = self.pick(lambda t: t.requires_grad)
        if output is None:
            return None
        count = self.rng.choice([1, 1, 2])
        inputs = [self.pick(lambda t: t.requires_grad or self.rng.random() < 0.03)
                  for _ in range(count)]
        options = []
        if self.shape(output) != ():
            options.append(f"torch.ones_like({output})")
        for option, chance in (("retain_graph", 0.35), ("create_graph", 0.3),
                               ("allow_unused", 0.4)):
            if self.rng.random() < chance:
                options.append(f"{option}=True")
        names = [self.fresh() for _ in inputs]
        code = (f"{', '.join(names)}, = torch.autograd.grad({output}, [{', '.join(inputs)}]"
                f"{''.join(', ' + o for o in options)})")
        label = "autograd.grad" + "".join(f" {o.split('=')[0]}" for o in options if "=" in o)
        self.roots.append(output)
        return Step(code, label, tuple(names), (output, *inputs))

    def hook(self):
        x = self.pick(lambda t: t.requires_grad or self.rng.random() < 0.1)
        if x is None:
            return None
        forms = {
            "hook (records)": f"{x}.register_hook(lambda g: log.append(g.tolist()))",
            "hook (doubles)": f"{x}.register_hook(lambda g: g * 2)",
            "retain_grad": f"{x}.retain_grad()",
        }
        label = self.rng.choice(list(forms))
        return Step(forms[label], label, (), (x,))

    def flags(self):
        x = self.pick()
        if x is None:
            return None
        value = self.state[x]
        forms = {
            "requires_grad_": f"{x}.requires_grad_()",
            "requires_grad_(False)": f"{x}.requires_grad_(False)",
            "detach_": f"{x}.detach_()",
        }
        if value.grad is not None:
            if self.rng.random() < 0.4:
                return self.assign(f"{x}.grad", "keep .grad", (x,), no_grad=False)
            forms["grad = None"] = f"{x}.grad = None"
            forms["grad.zero_"] = f"{x}.grad.zero_()"
        label = self.rng.choice(list(forms))
        return Step(forms[label], label, (), (x,), target=x)


def _arguments(sizes):
    return ", ".join(map(str, sizes))


def _broadcasts_to(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False

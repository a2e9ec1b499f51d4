"""Programs learners bring run unchanged with `import autograd_lab as torch`.

Each program below is a short version, in our own words, of a kind of program well-known
teaching material has learners write: the character-level language model notebooks of a
famous lecture series (bigram counts, a neural bigram, an MLP with embeddings and batch norm,
the hand-written backward pass), a textbook's from-scratch chapters (linear and softmax
regression, an MLP, the data-manipulation preliminaries), and PyTorch's own beginner tutorials
(tensors, autograd, the polynomial fit of "learning PyTorch with examples", a training loop
over a DataLoader). Every program is a function of a module called `torch`; the tests pass
autograd_lab as `torch` and, where PyTorch is installed, the real torch too, and compare what
the two computed.

Random numbers differ between the libraries for the same seed, so a program that draws its
starting weights takes an optional `start` (the values autograd_lab drew) and mini-batch
`batches`: the PyTorch run then starts from the same numbers and sees the same batches, and
its losses and gradients must match step for step. Where only statistics can agree (samples
drawn from a distribution, a fit to noisy data), the tests check those.
"""

import math
import random
import string

import numpy as np
import pytest
from op_examples import needs_torch

import autograd_lab

NAMES = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper",
         "evelyn", "abigail", "emily", "elizabeth", "mila", "ella", "avery", "sofia", "camila"]
CHARACTERS = string.ascii_lowercase
STOI = {s: i + 1 for i, s in enumerate(CHARACTERS)} | {".": 0}
ITOS = {i: s for s, i in STOI.items()}

torch_reference = [needs_torch, pytest.mark.torch_reference]


def numpy_of(value):
    """A tensor's values (either library) as a float64 numpy array; lists element-wise."""
    if isinstance(value, (list, tuple)):
        return [numpy_of(v) for v in value]
    if hasattr(value, "detach"):
        return np.asarray(value.detach().cpu().numpy(), dtype=np.float64)
    return np.asarray(value, dtype=np.float64)


def assert_same(ours, theirs, rtol=1e-5, atol=1e-6):
    """Every entry of two result dicts agrees (the same keys, values within tolerance)."""
    assert ours.keys() == theirs.keys()
    for key in ours:
        mine, its = ours[key], theirs[key]
        pairs = zip(mine, its) if isinstance(mine, list) else [(mine, its)]
        for a, b in pairs:
            np.testing.assert_allclose(numpy_of(a), numpy_of(b), rtol=rtol, atol=atol,
                                       err_msg=key)


def start_from(torch, parameters, start):
    """The reference run starts where autograd_lab's did."""
    if start is not None:
        for p, values in zip(parameters, start):
            p.data = torch.tensor(values, dtype=p.dtype)


# -- the language model notebooks --------------------------------------------------------------


def bigram_counts(torch):
    N = torch.zeros((27, 27), dtype=torch.int32)
    for w in NAMES:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            N[STOI[ch1], STOI[ch2]] += 1
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)

    g = torch.Generator().manual_seed(2147483647)
    samples = []
    for _ in range(20):
        out, ix = [], 0
        while True:
            p = P[ix]
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            out.append(ITOS[ix])
            if ix == 0:
                break
        samples.append("".join(out))

    log_likelihood, n = 0.0, 0
    for w in NAMES:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            prob = P[STOI[ch1], STOI[ch2]]
            log_likelihood += torch.log(prob)
            n += 1
    nll = -log_likelihood
    return dict(N=N, P=P, nll=nll / n, row_sums=P.sum(1)), samples


def test_bigram_counts_and_sampling_run():
    values, samples = bigram_counts(autograd_lab)
    assert values["N"].dtype == autograd_lab.int32
    assert int(values["N"].sum()) == sum(len(w) + 1 for w in NAMES)
    np.testing.assert_allclose(numpy_of(values["row_sums"]), 1.0, rtol=1e-6)
    assert all(s.endswith(".") and set(s) <= set(STOI) for s in samples)
    assert f"{values['nll']:.4f}" == f"{values['nll'].item():.4f}"


@pytest.mark.parametrize("_", [0], ids=["vs-pytorch"])
@pytest.mark.torch_reference
@needs_torch
def test_bigram_counts_match_pytorch(_):
    import torch

    assert_same(bigram_counts(autograd_lab)[0], bigram_counts(torch)[0])


def bigram_dataset(torch):
    xs, ys = [], []
    for w in NAMES:
        chs = ["."] + list(w) + ["."]
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(STOI[ch1])
            ys.append(STOI[ch2])
    return torch.tensor(xs), torch.tensor(ys)


def neural_bigram(torch, start=None, steps=30):
    F = torch.nn.functional
    xs, ys = bigram_dataset(torch)
    num = xs.nelement()
    g = torch.Generator().manual_seed(2147483647)
    W = torch.randn((27, 27), generator=g, requires_grad=True)
    start_from(torch, [W], start)
    first = W.detach().clone()
    losses = []
    for _ in range(steps):
        xenc = F.one_hot(xs, num_classes=27).float()
        logits = xenc @ W
        counts = logits.exp()
        probs = counts / counts.sum(1, keepdims=True)
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
        losses.append(loss.item())
        W.grad = None
        loss.backward()
        W.data += -50 * W.grad
    return dict(losses=losses, W=W, grad=W.grad), first


def test_neural_bigram_learns():
    values, _ = neural_bigram(autograd_lab)
    assert values["losses"][-1] < values["losses"][0] * 0.6


@pytest.mark.torch_reference
@needs_torch
def test_neural_bigram_matches_pytorch_step_for_step():
    import torch

    ours, start = neural_bigram(autograd_lab)
    theirs, _ = neural_bigram(torch, start=[start.numpy()])
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)


BLOCK_SIZE, N_EMBD, N_HIDDEN, BATCH = 3, 4, 32, 16


def build_dataset(torch, words):
    X, Y = [], []
    for w in words:
        context = [0] * BLOCK_SIZE
        for ch in w + ".":
            ix = STOI[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


def mlp_parameters(torch):
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((27, N_EMBD), generator=g)
    W1 = torch.randn((N_EMBD * BLOCK_SIZE, N_HIDDEN), generator=g) * (5 / 3) / (
        (N_EMBD * BLOCK_SIZE) ** 0.5)
    b1 = torch.randn(N_HIDDEN, generator=g) * 0.01
    W2 = torch.randn((N_HIDDEN, 27), generator=g) * 0.1
    b2 = torch.randn(27, generator=g) * 0
    bngain = torch.randn((1, N_HIDDEN), generator=g) * 0.1 + 1.0
    bnbias = torch.randn((1, N_HIDDEN), generator=g) * 0.1
    return g, [C, W1, b1, W2, b2, bngain, bnbias]


def mlp_language_model(torch, start=None, batches=None, steps=40):
    F = torch.nn.functional
    Xtr, Ytr = build_dataset(torch, NAMES[:14])
    Xdev, Ydev = build_dataset(torch, NAMES[14:])
    g, parameters = mlp_parameters(torch)
    start_from(torch, parameters, start)
    C, W1, b1, W2, b2, bngain, bnbias = parameters
    first = [p.detach().clone() for p in parameters]
    bnmean_running = torch.zeros((1, N_HIDDEN))
    bnstd_running = torch.ones((1, N_HIDDEN))
    count = sum(p.nelement() for p in parameters)
    for p in parameters:
        p.requires_grad = True

    lre = torch.linspace(-1, 0, steps)
    lrs = 10**lre
    lossi, used = [], []
    for i in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (BATCH,), generator=g)
        if batches is not None:
            ix = torch.tensor(batches[i])
        used.append(ix.tolist())
        Xb, Yb = Xtr[ix], Ytr[ix]
        emb = C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        bnmeani = hpreact.mean(0, keepdim=True)
        bnstdi = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
        with torch.no_grad():
            bnmean_running = 0.9 * bnmean_running + 0.1 * bnmeani
            bnstd_running = 0.9 * bnstd_running + 0.1 * bnstdi
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = lrs[i].item()
        for p in parameters:
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())

    @torch.no_grad()
    def split_loss(X, Y):
        emb = C[X]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        return F.cross_entropy(logits, Y).item()

    names = []
    for _ in range(5):
        out, context = [], [0] * BLOCK_SIZE
        while len(out) < 20:
            emb = C[torch.tensor([context])]
            hpreact = emb.view(1, -1) @ W1 + b1
            hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
            logits = torch.tanh(hpreact) @ W2 + b2
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break
        names.append("".join(ITOS[i] for i in out))
    values = dict(lossi=lossi, train=split_loss(Xtr, Ytr), dev=split_loss(Xdev, Ydev),
                  count=count, parameters=parameters)
    return values, first, used, names


def test_mlp_language_model_trains_and_samples():
    values, _, _, names = mlp_language_model(autograd_lab)
    assert values["lossi"][-1] < values["lossi"][0]
    assert values["count"] == 27 * N_EMBD + (N_EMBD * BLOCK_SIZE + 3) * N_HIDDEN + (
        N_HIDDEN + 1) * 27
    assert all(set(name) <= set(STOI) for name in names)


@pytest.mark.torch_reference
@needs_torch
def test_mlp_language_model_matches_pytorch_step_for_step():
    import torch

    ours, start, batches, _ = mlp_language_model(autograd_lab)
    theirs, _, _, _ = mlp_language_model(torch, [p.numpy() for p in start], batches)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)


def manual_backprop(torch, start=None, batch=None, by_hand_under_no_grad=True):
    """One step of the exercise that writes the whole backward pass by hand, checked
    against autograd (`cmp`) the way the lecture does. The lecture computes the gradients by
    hand with grad mode on (`by_hand_under_no_grad=False`), so that `dC[ix] += demb[k, j]`
    changes, in place, a view of a tensor that requires grad."""
    F = torch.nn.functional
    Xtr, Ytr = build_dataset(torch, NAMES)
    g, parameters = mlp_parameters(torch)
    start_from(torch, parameters, start)
    C, W1, b1, W2, b2, bngain, bnbias = parameters
    for p in parameters:
        p.requires_grad = True
    n = BATCH
    ix = torch.randint(0, Xtr.shape[0], (n,), generator=g)
    if batch is not None:
        ix = torch.tensor(batch)
    batch = ix.tolist()
    Xb, Yb = Xtr[ix], Ytr[ix]

    emb = C[Xb]
    embcat = emb.view(emb.shape[0], -1)
    hprebn = embcat @ W1 + b1
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)
    assert torch.allclose(bnvar, hprebn.var(0, keepdim=True, unbiased=True), rtol=1e-4)
    bnvar_inv = (bnvar + 1e-5)**-0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()
    for p in parameters:
        p.grad = None
    for t in [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes,
              logits, h, hpreact, bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani,
              embcat, emb]:
        t.retain_grad()
    loss.backward()

    with torch.no_grad() if by_hand_under_no_grad else torch.enable_grad():
        dlogprobs = torch.zeros_like(logprobs)
        dlogprobs[range(n), Yb] = -1.0 / n
        dprobs = (1.0 / probs) * dlogprobs
        dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
        dcounts = counts_sum_inv * dprobs
        dcounts_sum = (-counts_sum**-2) * dcounts_sum_inv
        dcounts += torch.ones_like(counts) * dcounts_sum
        dnorm_logits = counts * dcounts
        dlogits = dnorm_logits.clone()
        dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
        dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
        dh = dlogits @ W2.T
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(0)
        dhpreact = (1.0 - h**2) * dh
        dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
        dbnraw = bngain * dhpreact
        dbnbias = dhpreact.sum(0, keepdim=True)
        dbndiff = bnvar_inv * dbnraw
        dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
        dbnvar = (-0.5 * (bnvar + 1e-5)**-1.5) * dbnvar_inv
        dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
        dbndiff += (2 * bndiff) * dbndiff2
        dhprebn = dbndiff.clone()
        dbnmeani = (-dbndiff).sum(0)
        dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
        dembcat = dhprebn @ W1.T
        dW1 = embcat.T @ dhprebn
        db1 = dhprebn.sum(0)
        demb = dembcat.view(emb.shape)
        dC = torch.zeros_like(C)
        for k in range(Xb.shape[0]):
            for j in range(Xb.shape[1]):
                ix = Xb[k, j]
                dC[ix] += demb[k, j]
        fused = F.softmax(logits, 1)
        fused[range(n), Yb] -= 1
        fused /= n

    def cmp(dt, t):
        exact = torch.all(dt == t.grad).item()
        approximate = torch.allclose(dt, t.grad, rtol=1e-4, atol=1e-6)
        maxdiff = (dt - t.grad).abs().max().item()
        return exact, approximate, maxdiff

    by_hand = dict(logprobs=(dlogprobs, logprobs), probs=(dprobs, probs),
                   counts_sum_inv=(dcounts_sum_inv, counts_sum_inv),
                   counts_sum=(dcounts_sum, counts_sum), counts=(dcounts, counts),
                   norm_logits=(dnorm_logits, norm_logits), logit_maxes=(dlogit_maxes,
                                                                         logit_maxes),
                   logits=(dlogits, logits), fused=(fused, logits), h=(dh, h), W2=(dW2, W2),
                   b2=(db2, b2), hpreact=(dhpreact, hpreact), bngain=(dbngain, bngain),
                   bnbias=(dbnbias, bnbias), bnraw=(dbnraw, bnraw),
                   bnvar_inv=(dbnvar_inv, bnvar_inv), bnvar=(dbnvar, bnvar),
                   bndiff2=(dbndiff2, bndiff2), bndiff=(dbndiff, bndiff),
                   bnmeani=(dbnmeani, bnmeani), hprebn=(dhprebn, hprebn),
                   embcat=(dembcat, embcat), W1=(dW1, W1), b1=(db1, b1), emb=(demb, emb),
                   C=(dC, C))
    checks = {name: cmp(dt, t) for name, (dt, t) in by_hand.items()}
    grads = {name: t.grad for name, (_, t) in by_hand.items()}
    return loss, checks, grads, [p.detach().clone() for p in parameters], batch


def test_manual_backprop_agrees_with_autograd():
    loss, checks, _, _, _ = manual_backprop(autograd_lab)
    assert math.isfinite(loss.item())
    failed = {name: check for name, check in checks.items() if not check[1]}
    assert not failed, failed


def test_manual_backprop_with_grad_mode_on_as_in_the_lecture():
    _, checks, _, _, _ = manual_backprop(autograd_lab, by_hand_under_no_grad=False)
    assert all(check[1] for check in checks.values())


@pytest.mark.torch_reference
@needs_torch
def test_manual_backprop_gradients_match_pytorch():
    import torch

    loss, _, grads, start, batch = manual_backprop(autograd_lab)
    their_loss, _, their_grads, _, _ = manual_backprop(torch, [p.numpy() for p in start], batch)
    assert_same(dict(loss=loss, **grads), dict(loss=their_loss, **their_grads), rtol=1e-4,
                atol=1e-6)


def attention_language_model(torch, start=None, batches=None, steps=20):
    """The lecture's next step: a character model with embeddings and one self-attention head,
    trained with AdamW on mini-batches of contexts, then sampled."""
    nn, F = torch.nn, torch.nn.functional
    text = " ".join(NAMES)
    chars = sorted(list(set(text)))
    vocab_size = len(chars)
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = int(0.9 * len(data))
    train_data, val_data = data[:n], data[n:]
    block_size, batch_size, n_embd = 8, 4, 16

    def get_batch(split, i):
        source = train_data if split == "train" else val_data
        ix = torch.randint(len(source) - block_size, (batch_size,))
        if batches is not None and split == "train":
            ix = torch.tensor(batches[i])
        x = torch.stack([source[j:j + block_size] for j in ix])
        y = torch.stack([source[j + 1:j + block_size + 1] for j in ix])
        return x, y, ix.tolist()

    class Head(nn.Module):
        def __init__(self, head_size):
            super().__init__()
            self.key = nn.Linear(n_embd, head_size, bias=False)
            self.query = nn.Linear(n_embd, head_size, bias=False)
            self.value = nn.Linear(n_embd, head_size, bias=False)
            self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))

        def forward(self, x):
            B, T, C = x.shape
            k, q = self.key(x), self.query(x)
            wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
            wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
            wei = F.softmax(wei, dim=-1)
            return wei @ self.value(x)

    class LanguageModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
            self.position_embedding_table = nn.Embedding(block_size, n_embd)
            self.sa_head = Head(n_embd)
            self.lm_head = nn.Linear(n_embd, vocab_size)

        def forward(self, idx, targets=None):
            B, T = idx.shape
            x = self.token_embedding_table(idx) + self.position_embedding_table(torch.arange(T))
            logits = self.lm_head(self.sa_head(x))
            if targets is None:
                return logits, None
            B, T, C = logits.shape
            return logits, F.cross_entropy(logits.view(B * T, C), targets.view(B * T))

        def generate(self, idx, max_new_tokens):
            for _ in range(max_new_tokens):
                logits, _ = self(idx[:, -block_size:])
                probs = F.softmax(logits[:, -1, :], dim=-1)
                idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
            return idx

    model = LanguageModel()
    start_from(torch, list(model.parameters()), start)
    first = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    losses, used = [], []
    for i in range(steps):
        xb, yb, ix = get_batch("train", i)
        used.append(ix)
        logits, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

    @torch.no_grad()
    def estimate_loss():
        model.eval()
        values = torch.zeros(5)
        for k in range(5):
            X, Y, _ = get_batch("val", k)
            values[k] = model(X, Y)[1].item()
        model.train()
        return values.mean()

    sample = model.generate(torch.zeros((1, 1), dtype=torch.long), max_new_tokens=20)[0]
    values = dict(losses=losses, parameters=list(model.parameters()))
    return values, first, used, (estimate_loss(), sample.tolist(), vocab_size)


def test_attention_language_model_trains_and_generates():
    autograd_lab.manual_seed(0)
    values, _, _, (val_loss, sample, vocab_size) = attention_language_model(autograd_lab,
                                                                            steps=60)
    assert values["losses"][-1] < values["losses"][0]
    assert math.isfinite(val_loss.item())
    assert len(sample) == 21 and all(0 <= i < vocab_size for i in sample)


@pytest.mark.torch_reference
@needs_torch
def test_attention_language_model_matches_pytorch_step_for_step():
    import torch

    ours, start, batches, _ = attention_language_model(autograd_lab)
    theirs, _, _, _ = attention_language_model(torch, [p.numpy() for p in start], batches)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)


# -- the textbook's from-scratch chapters -------------------------------------------------------


def preliminaries(torch):
    x = torch.arange(12, dtype=torch.float32)
    X = x.reshape(3, 4)
    Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    A = X.clone()
    A[1, 2] = 17
    A[:2, :] = 12
    Z = torch.zeros_like(Y)
    Z[:] = X + Y
    a = torch.arange(3).reshape((3, 1))
    b = torch.arange(2).reshape((1, 2))
    u = torch.tensor([3.0, -4.0])
    printed = [str(x.shape), str(X.size()), str(torch.zeros((2, 3, 4)).shape)]
    return dict(
        cat0=torch.cat((X, Y), dim=0), cat1=torch.cat((X, Y), dim=1), eq=X == Y, A=A, Z=Z,
        broadcast=a + b, exp=torch.exp(x), sum0=X.sum(axis=0), sum01=X.sum(axis=[0, 1]),
        keep=X.sum(axis=1, keepdims=True), mean0=X.mean(axis=0), cumsum=X.cumsum(axis=0),
        share=X / X.sum(axis=1, keepdims=True), dot=torch.dot(x[:4], x[4:8]),
        mv=torch.mv(X, x[:4]), mm=torch.mm(X, X.T), norm=torch.norm(u),
        l1=torch.abs(u).sum(), frobenius=torch.norm(torch.ones((4, 9))),
        numel=x.numel(), item=torch.tensor([3.5]).item(),
    ), printed


def test_preliminaries_print_shapes_as_size():
    _, printed = preliminaries(autograd_lab)
    assert printed == ["autograd_lab.Size([12])", "autograd_lab.Size([3, 4])",
                       "autograd_lab.Size([2, 3, 4])"]


@pytest.mark.torch_reference
@needs_torch
def test_preliminaries_match_pytorch():
    import torch

    ours, our_printed = preliminaries(autograd_lab)
    theirs, their_printed = preliminaries(torch)
    assert_same(ours, theirs)
    assert [p.replace("autograd_lab", "torch") for p in our_printed] == their_printed


def autograd_preliminaries(torch):
    x = torch.arange(4.0)
    x.requires_grad_(True)
    y = 2 * torch.dot(x, x)
    y.backward()
    first = x.grad.clone()
    x.grad.zero_()
    y = x * x
    y.backward(gradient=torch.ones(len(y)))
    second = x.grad.clone()
    x.grad.zero_()
    u = (x * x).detach()
    z = u * x
    z.sum().backward()

    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        return b if b.sum() > 0 else 100 * b

    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    return dict(first=first, second=second, detached=x.grad, u=u), bool(a.grad == d / a)


def test_autograd_preliminaries_run():
    values, control_flow_ok = autograd_preliminaries(autograd_lab)
    assert control_flow_ok
    np.testing.assert_array_equal(numpy_of(values["first"]), [0, 4, 8, 12])


@pytest.mark.torch_reference
@needs_torch
def test_autograd_preliminaries_match_pytorch():
    import torch

    assert_same(autograd_preliminaries(autograd_lab)[0], autograd_preliminaries(torch)[0])


def linear_regression_from_scratch(torch):
    def synthetic_data(w, b, num_examples):
        X = torch.normal(0, 1, (num_examples, len(w)))
        y = torch.matmul(X, w) + b
        y += torch.normal(0, 0.01, y.shape)
        return X, y.reshape((-1, 1))

    def data_iter(batch_size, features, labels):
        num_examples = len(features)
        indices = list(range(num_examples))
        random.shuffle(indices)
        for i in range(0, num_examples, batch_size):
            batch_indices = torch.tensor(indices[i:min(i + batch_size, num_examples)])
            yield features[batch_indices], labels[batch_indices]

    def linreg(X, w, b):
        return torch.matmul(X, w) + b

    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def sgd(params, lr, batch_size):
        with torch.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for _ in range(3):
        for X, y in data_iter(10, features, labels):
            loss = squared_loss(linreg(X, w, b), y)
            loss.sum().backward()
            sgd([w, b], 0.03, 10)
    with torch.no_grad():
        train_l = squared_loss(linreg(features, w, b), labels)
    return w.reshape(true_w.shape) - true_w, b - true_b, f"{float(train_l.mean()):f}"


def linear_regression_concise(torch):
    nn, data = torch.nn, torch.utils.data

    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features = torch.normal(0, 1, (1000, 2))
    labels = (torch.matmul(features, true_w) + true_b).reshape((-1, 1))
    labels += torch.normal(0, 0.01, labels.shape)
    data_iter = data.DataLoader(data.TensorDataset(features, labels), 10, shuffle=True)
    next(iter(data_iter))
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)
    for _ in range(3):
        for X, y in data_iter:
            l = loss(net(X), y)  # noqa: E741  (the textbook's name)
            trainer.zero_grad()
            l.backward()
            trainer.step()
    return net[0].weight.data.reshape(true_w.shape) - true_w, net[0].bias.data - true_b


@pytest.mark.parametrize("program", [linear_regression_from_scratch, linear_regression_concise])
def test_linear_regression_recovers_the_true_weights(program):
    random.seed(0)
    autograd_lab.manual_seed(0)
    w_error, b_error = program(autograd_lab)[:2]
    assert float(w_error.abs().max()) < 0.01 and float(b_error.abs().max()) < 0.01


def synthetic_images(torch, n=256, classes=4, side=4, seed=0):
    """Stand-ins for small images: each class a noisy copy of its own random pattern."""
    rng = np.random.default_rng(seed)
    patterns = rng.standard_normal((classes, side, side))
    y = rng.integers(0, classes, n)
    X = patterns[y] + 0.5 * rng.standard_normal((n, side, side))
    return torch.tensor(X, dtype=torch.float32).reshape(n, 1, side, side), torch.tensor(y)


def softmax_regression_from_scratch(torch, start=None, epochs=5):
    X_all, y_all = synthetic_images(torch)
    num_inputs, num_outputs = 16, 4
    W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
    b = torch.zeros(num_outputs, requires_grad=True)
    start_from(torch, [W], start)
    first = W.detach().clone()

    def softmax(X):
        X_exp = torch.exp(X)
        partition = X_exp.sum(1, keepdim=True)
        return X_exp / partition

    def net(X):
        return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

    def cross_entropy(y_hat, y):
        return - torch.log(y_hat[range(len(y_hat)), y])

    def accuracy(y_hat, y):
        if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
            y_hat = y_hat.argmax(axis=1)
        cmp = y_hat.type(y.dtype) == y
        return float(cmp.type(y.dtype).sum())

    losses = []
    for _ in range(epochs):
        for i in range(0, len(X_all), 32):
            X, y = X_all[i:i + 32], y_all[i:i + 32]
            l = cross_entropy(net(X), y)  # noqa: E741  (the textbook's name)
            l.sum().backward()
            with torch.no_grad():
                for param in [W, b]:
                    param -= 0.1 * param.grad / X.shape[0]
                    param.grad.zero_()
            losses.append(l.mean().item())
    return dict(losses=losses, W=W, b=b, accuracy=accuracy(net(X_all), y_all) / len(y_all),
                probability_sums=net(X_all[:5]).sum(1)), first


def test_softmax_regression_from_scratch_learns():
    autograd_lab.manual_seed(0)
    values, _ = softmax_regression_from_scratch(autograd_lab)
    assert values["accuracy"] > 0.9
    np.testing.assert_allclose(numpy_of(values["probability_sums"]), 1.0, rtol=1e-5)


@pytest.mark.torch_reference
@needs_torch
def test_softmax_regression_from_scratch_matches_pytorch():
    import torch

    ours, start = softmax_regression_from_scratch(autograd_lab)
    theirs, _ = softmax_regression_from_scratch(torch, start=[start.numpy()])
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)


def mlp_from_scratch_and_concise(torch, start=None, epochs=5):
    nn = torch.nn
    X_all, y_all = synthetic_images(torch)
    num_inputs, num_outputs, num_hiddens = 16, 4, 32
    W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
    b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
    W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
    b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
    params = [W1, b1, W2, b2]

    concise = nn.Sequential(nn.Flatten(), nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))

    def init_weights(m):
        if type(m) is nn.Linear:
            nn.init.normal_(m.weight, std=0.01)

    concise.apply(init_weights)
    start_from(torch, params + list(concise.parameters()), start)
    first = [p.detach().clone() for p in params + list(concise.parameters())]

    def relu(X):
        a = torch.zeros_like(X)
        return torch.max(X, a)

    def net(X):
        X = X.reshape((-1, num_inputs))
        H = relu(X @ W1 + b1)
        return H @ W2 + b2

    loss = nn.CrossEntropyLoss(reduction="none")
    results = {}
    for name, model, parameters in (("scratch", net, params),
                                    ("concise", concise, concise.parameters())):
        updater = torch.optim.SGD(parameters, lr=0.5)
        losses = []
        for _ in range(epochs):
            for i in range(0, len(X_all), 32):
                X, y = X_all[i:i + 32], y_all[i:i + 32]
                l = loss(model(X), y)  # noqa: E741  (the textbook's name)
                updater.zero_grad()
                l.mean().backward()
                updater.step()
                losses.append(l.mean().item())
        results[name] = losses
        results[name + "_accuracy"] = (model(X_all).argmax(axis=1) == y_all).float().mean()
    return results, first


def test_mlp_from_scratch_and_concise_learn():
    autograd_lab.manual_seed(0)
    results, _ = mlp_from_scratch_and_concise(autograd_lab, epochs=20)
    assert results["scratch_accuracy"] > 0.9 and results["concise_accuracy"] > 0.9


@pytest.mark.torch_reference
@needs_torch
def test_mlp_from_scratch_and_concise_match_pytorch():
    import torch

    ours, start = mlp_from_scratch_and_concise(autograd_lab)
    theirs, _ = mlp_from_scratch_and_concise(torch, start=[p.numpy() for p in start])
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)


# -- PyTorch's beginner tutorials ---------------------------------------------------------------


def tensors_tutorial(torch):
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    x_np = torch.from_numpy(np.array(data))
    x_ones = torch.ones_like(x_data)
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    shape = (2, 3,)
    shapes = [t.shape for t in (torch.rand(shape), torch.ones(shape), torch.zeros(shape))]
    tensor = torch.ones(4, 4)
    tensor[:, 1] = 0
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() \
        else "cpu"
    moved = tensor.to(device)
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    agg = tensor.sum()
    agg_item = agg.item()
    tensor.add_(5)
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    return dict(x_np=x_np, x_ones=x_ones, in_unit_interval=(x_rand >= 0) & (x_rand < 1),
                first_column=tensor[:, 0], last_column=tensor[..., -1], moved=moved, t1=t1,
                y1=y1, y2=y2, y3=y3, z1=z1, z2=z2, z3=z3, agg_item=agg_item, shared=n,
                attributes=[str(x_rand.dtype).split(".")[1], str(x_rand.device)]), shapes


def test_tensors_tutorial_runs():
    values, shapes = tensors_tutorial(autograd_lab)
    assert shapes == [(2, 3)] * 3 and all(isinstance(s, autograd_lab.Size) for s in shapes)
    assert values["attributes"] == ["float32", "cpu"]
    np.testing.assert_array_equal(values["shared"], [2.0] * 5)  # numpy shares the storage


@pytest.mark.torch_reference
@needs_torch
def test_tensors_tutorial_matches_pytorch():
    import torch

    ours, _ = tensors_tutorial(autograd_lab)
    theirs, _ = tensors_tutorial(torch)
    assert ours.pop("attributes") == theirs.pop("attributes")
    assert_same(ours, theirs)


def autograd_tutorial(torch, start=None):
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    start_from(torch, [w, b], start)
    first = [w.detach().clone(), b.detach().clone()]
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    names = [z.grad_fn.name(), loss.grad_fn.name()]
    loss.backward()
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    detached = (torch.matmul(x, w) + b).detach()
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    once = inp.grad.clone()
    out.backward(torch.ones_like(out), retain_graph=True)
    twice = inp.grad.clone()
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    return dict(loss=loss, w_grad=w.grad, b_grad=b.grad, once=once, twice=twice,
                again=inp.grad, tracked=[z.requires_grad, detached.requires_grad]), names, first


def test_autograd_tutorial_runs():
    values, names, _ = autograd_tutorial(autograd_lab)
    assert names == ["AddBackward0", "BinaryCrossEntropyWithLogitsBackward0"]
    assert values["tracked"] == [False, False]


@pytest.mark.torch_reference
@needs_torch
def test_autograd_tutorial_matches_pytorch():
    import torch

    ours, names, start = autograd_tutorial(autograd_lab)
    theirs, their_names, _ = autograd_tutorial(torch, [s.numpy() for s in start])
    assert names == their_names
    assert_same(ours, theirs)


class LegendrePolynomial3:
    """The tutorial's custom autograd Function, made for either library."""

    @staticmethod
    def made_for(torch):
        class Legendre(torch.autograd.Function):
            @staticmethod
            def forward(ctx, input):
                ctx.save_for_backward(input)
                return 0.5 * (5 * input ** 3 - 3 * input)

            @staticmethod
            def backward(ctx, grad_output):
                input, = ctx.saved_tensors
                return grad_output * 1.5 * (5 * input ** 2 - 1)

        return Legendre


def polynomial_fits(torch, start=None, steps=200):
    """The tutorial's fits of sin(x) by a third-order polynomial: by hand, with autograd, with
    a custom Function, with nn + RMSprop and with a custom Module."""
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    results, firsts, first_losses = {}, [], {}

    a, b, c, d = (torch.randn((), device=device, dtype=dtype) for _ in range(4))
    start_from(torch, [a, b, c, d], start and start[0])
    firsts.append([a.clone(), b.clone(), c.clone(), d.clone()])
    learning_rate = 1e-6
    for _ in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        first_losses.setdefault("by_hand", loss)
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a, grad_b = grad_y_pred.sum(), (grad_y_pred * x).sum()
        grad_c, grad_d = (grad_y_pred * x ** 2).sum(), (grad_y_pred * x ** 3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    results["by_hand"] = [loss, a, b, c, d]

    P3 = LegendrePolynomial3.made_for(torch).apply
    a, b, c, d = (torch.full((), v, dtype=dtype, requires_grad=True)
                  for v in (0.0, -1.0, 0.0, 0.3))
    for _ in range(steps):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        first_losses.setdefault("custom_function", loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    results["custom_function"] = [loss, a, b, c, d]

    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    start_from(torch, list(model.parameters()), start and start[1])
    firsts.append([q.detach().clone() for q in model.parameters()])
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for _ in range(steps):
        loss = loss_fn(model(xx), y)
        first_losses.setdefault("rmsprop", loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    linear_layer = model[0]
    results["rmsprop"] = [loss, linear_layer.bias.item(), linear_layer.weight[:, 0].item(),
                          linear_layer.weight[:, 1].item(), linear_layer.weight[:, 2].item()]

    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

        def string(self):
            return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + " \
                   f"{self.d.item()} x^3"

    model = Polynomial3()
    start_from(torch, list(model.parameters()), start and start[2])
    firsts.append([q.detach().clone() for q in model.parameters()])
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
    for _ in range(steps):
        loss = torch.nn.MSELoss(reduction="sum")(model(x), y)
        first_losses.setdefault("module", loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    results["module"] = [loss] + list(model.parameters())
    assert model.string().startswith("y = ")
    return results, firsts, first_losses


def test_polynomial_fits_reduce_the_loss():
    autograd_lab.manual_seed(0)
    results, _, first_losses = polynomial_fits(autograd_lab)
    for name, first_loss in first_losses.items():
        assert float(results[name][0]) < first_loss / 2, name


@pytest.mark.torch_reference
@needs_torch
def test_polynomial_fits_match_pytorch():
    import torch

    ours, firsts, _ = polynomial_fits(autograd_lab)
    theirs, _, _ = polynomial_fits(torch, [[p.detach().numpy() for p in first]
                                        for first in firsts])
    assert_same(ours, theirs, rtol=1e-4, atol=1e-4)


def training_loop_over_a_dataloader(torch, start=None, order=None):
    """The tutorial's `train_loop`/`test_loop` on a small dataset of its own making."""
    nn = torch.nn
    DataLoader, Dataset = torch.utils.data.DataLoader, torch.utils.data.Dataset

    class Blobs(Dataset):
        def __init__(self, n):
            self.images, self.labels = synthetic_images(torch, n=n)

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, idx):
            return self.images[idx], self.labels[idx].item()

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(nn.Linear(16, 32), nn.ReLU(),
                                                   nn.Linear(32, 4))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    training_data = Blobs(200)
    train_dataloader = DataLoader(training_data, batch_size=16, shuffle=order is None)
    test_dataloader = DataLoader(Blobs(64), batch_size=16)
    model = NeuralNetwork()
    start_from(torch, list(model.parameters()), start)
    first = [p.detach().clone() for p in model.parameters()]
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    seen, losses = [], []
    for epoch in range(3):
        model.train()
        batches = train_dataloader if order is None else [
            (training_data.images[idx], training_data.labels[idx]) for idx in order[epoch]]
        for X, y in batches:
            seen.append(X.shape[0])
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
    model.eval()
    size, num_batches = len(test_dataloader.dataset), len(test_dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in test_dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return dict(losses=losses, test_loss=test_loss / num_batches, correct=correct / size), \
        first, seen


def test_training_loop_over_a_dataloader_learns():
    autograd_lab.manual_seed(0)
    values, _, seen = training_loop_over_a_dataloader(autograd_lab)
    assert seen == ([16] * 12 + [8]) * 3
    assert values["correct"] > 0.9


def shuffled_orders(torch, epochs=3):
    """The batches a shuffling DataLoader hands out in each epoch, as lists of indices."""
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.arange(200)),
                                         batch_size=16, shuffle=True)
    return [[batch.tolist() for (batch,) in loader] for _ in range(epochs)]


@pytest.mark.torch_reference
@needs_torch
def test_training_loop_over_a_dataloader_matches_pytorch():
    import torch

    orders = shuffled_orders(autograd_lab)
    ours, first, _ = training_loop_over_a_dataloader(autograd_lab, order=orders)
    theirs, _, _ = training_loop_over_a_dataloader(torch, [p.numpy() for p in first], orders)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-5)

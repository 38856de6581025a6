"""Hypothesis strategies for the objects the theorems quantify over.

Hypothesis draws the *structure* (depth, widths, rank, condition number, scales, an integer seed)
and the arrays are built from it with ``numpy.random.default_rng(seed)``: matrices drawn entry by
entry are weak test input and too large to shrink (../shared/research/performance.md). Every case
keeps the parameters that rebuild it (`NetworkCase.describe` → `build_network_case`), so a shrunk
counterexample is reproducible from the report.

Arguments are keyword-only, accept a value or a strategy, and are validated when the strategy is
built: bad values raise ``hypothesis.errors.InvalidArgument`` naming the argument. Generated objects
are checked against their promises (rank, condition number, balancedness) before they are returned.
Cases shrink towards shallow, narrow networks, low rank and small condition numbers.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ..engine import inits
from ..engine.network import balancedness_defects
from ..errors import InvalidArgument, check_order, check_range, check_type

__all__ = [
    "MAX_DEPTH", "MAX_WIDTH", "MAX_DIM", "MAX_SAMPLES", "MAX_BUILD_SIZE", "INIT_KINDS", "Dataset", "NetworkCase",
    "make_dataset", "build_network_case", "seeds", "depths", "layer_dims", "step_sizes",
    "datasets", "network_cases", "check_seed",
]

MAX_DEPTH = 12
MAX_WIDTH = 64
MAX_DIM = 16
MAX_SAMPLES = 500
MAX_BUILD_SIZE = 4096          # any dimension or sample count a case description may ask a builder for
INIT_KINDS = ("balanced", "gaussian", "orthogonal", "near_zero", "identity")


class Dataset(NamedTuple):
    """X (d_in×n) of rank ``rank`` with λ_max(XᵀX)/λ_rank(XᵀX) = ``gram_cond``, and Y = W* X + noise."""

    x: np.ndarray
    y: np.ndarray
    w_star: np.ndarray
    rank: int
    gram_cond: float
    noise: float
    seed: int

    def describe(self) -> dict[str, Any]:
        return {"d_in": self.x.shape[0], "d_out": self.y.shape[0], "n": self.x.shape[1], "rank": self.rank,
                "gram_cond": self.gram_cond, "noise": self.noise, "seed": self.seed}


class NetworkCase(NamedTuple):
    """A network (``weights`` built by ``init`` from ``init_seed``) and a data set."""

    dims: tuple[int, ...]
    init: str
    init_scale: float
    init_seed: int
    data: Dataset
    weights: list[np.ndarray]

    @property
    def depth(self) -> int:
        return len(self.dims) - 1

    def describe(self) -> dict[str, Any]:
        return {"dims": list(self.dims), "init": self.init, "init_scale": self.init_scale,
                "init_seed": self.init_seed, "data": self.data.describe()}


def make_dataset(d_in: int, d_out: int, n: int, *, rank: int | None = None, gram_cond: float = 1.0,
                 noise: float = 0.0, seed: int = 0) -> Dataset:
    """Build X = U diag(s) Vᵀ with Haar-random U, V and singular values s from 1 down to
    1/√gram_cond (geometric), so that rank(X) = rank and λ_max(XᵀX)/λ_r(XᵀX) = gram_cond exactly
    (Du & Hu 2019's κ); Y = W* X + noise·N(0,1) with W* i.i.d. N(0, 1/d_in)."""
    for name, value in (("d_in", d_in), ("d_out", d_out), ("n", n)):
        check_type(value, int, name)
        check_range(value, name, low=1, high=MAX_BUILD_SIZE)
    check_seed(seed, "seed")
    rank = min(d_in, n) if rank is None else rank
    check_range(rank, "rank", low=1, high=min(d_in, n))
    check_range(float(gram_cond), "gram_cond", low=1.0)
    check_range(float(noise), "noise", low=0.0)
    rng = np.random.default_rng(seed)
    u = np.linalg.qr(rng.standard_normal((d_in, d_in)))[0][:, :rank]
    v = np.linalg.qr(rng.standard_normal((n, n)))[0][:, :rank]
    s = gram_cond ** (-0.5 * np.linspace(0.0, 1.0, rank)) if rank > 1 else np.ones(1)
    x = (u * s) @ v.T
    w_star = rng.standard_normal((d_out, d_in)) / np.sqrt(d_in)
    y = w_star @ x + noise * rng.standard_normal((d_out, n))
    data = Dataset(x, y, w_star, rank, float(gram_cond), float(noise), int(seed))
    _check_dataset(data)
    return data


def _check_dataset(data: Dataset) -> None:
    sv = np.linalg.svd(data.x, compute_uv=False)
    measured_rank = int(np.sum(sv > 1e-10 * sv[0]))
    if measured_rank != data.rank:
        raise AssertionError(f"generated X has rank {measured_rank}, promised {data.rank}")
    cond = (sv[0] / sv[data.rank - 1]) ** 2
    if not np.isclose(cond, data.gram_cond, rtol=1e-8):
        raise AssertionError(f"generated X has gram_cond {cond:.12g}, promised {data.gram_cond:.12g}")


def build_network_case(dims: Sequence[int], init: str, init_seed: int, data: Dataset | dict[str, Any],
                       init_scale: float = 1.0) -> NetworkCase:
    """Deterministically build a case from its description (the inverse of `NetworkCase.describe`).

    ``init``: ``balanced`` (Procedure 1 of Arora et al. 2019 applied to an end-to-end matrix with
    i.i.d. N(0, init_scale²) entries, hidden spaces randomly rotated), ``gaussian`` (N(0, init_scale²/fan_in)),
    ``orthogonal`` (scaled by init_scale), ``near_zero`` (N(0, (1e-3·init_scale)²)), ``identity``.
    """
    dims = inits.check_dims(dims)
    if len(dims) > MAX_DEPTH * 8 + 1 or max(dims) > MAX_BUILD_SIZE:
        raise InvalidArgument(f"dims={list(dims)[:8]}{'…' if len(dims) > 8 else ''} must have at most {MAX_DEPTH * 8} "
                              f"layers of width ≤ {MAX_BUILD_SIZE}")
    check_seed(init_seed, "init_seed")
    if isinstance(data, dict):
        data = make_dataset(**data)
    if (data.x.shape[0], data.y.shape[0]) != (dims[0], dims[-1]):
        raise InvalidArgument(f"dims={dims} do not match data with d_in={data.x.shape[0]}, d_out={data.y.shape[0]}")
    rng = np.random.default_rng(init_seed)
    if init == "balanced":
        weights = inits.balanced(dims, init_scale * rng.standard_normal((dims[-1], dims[0])), rng)
        worst = max((float(np.max(np.abs(d))) for d in balancedness_defects(weights)), default=0.0)
        if worst > 1e-10 * max(1.0, init_scale ** 2):
            raise AssertionError(f"balanced init has defect {worst:.3g}")
    elif init == "gaussian":
        weights = [w / np.sqrt(w.shape[1]) for w in inits.gaussian(dims, rng, std=init_scale)]
    elif init == "orthogonal":
        weights = inits.orthogonal(dims, rng, scale=init_scale)
    elif init == "near_zero":
        weights = inits.near_zero(dims, rng, eps=1e-3 * init_scale)
    elif init == "identity":
        weights = inits.identity(dims)
    else:
        raise InvalidArgument(f"init={init!r} must be one of {', '.join(INIT_KINDS)}")
    return NetworkCase(dims, init, float(init_scale), int(init_seed), data, weights)


def check_seed(value: Any, name: str) -> None:
    """A numpy seed: an int in [0, 2^32)."""
    check_type(value, int, name)
    check_range(value, name, low=0, high=2**32 - 1)


def _strategy(value: Any, name: str) -> SearchStrategy:
    if isinstance(value, SearchStrategy):
        return value
    if isinstance(value, float) and not np.isfinite(value):
        raise InvalidArgument(f"{name}={value!r} must be finite")
    return st.just(value)


def seeds() -> SearchStrategy[int]:
    """Integer seeds for numpy generators (shrink towards 0)."""
    return st.integers(0, 2**32 - 1)


def depths(*, min_depth: int = 1, max_depth: int = 6) -> SearchStrategy[int]:
    """Network depths N in [min_depth, max_depth] (shrink towards min_depth)."""
    check_range(min_depth, "min_depth", low=1, high=MAX_DEPTH)
    check_range(max_depth, "max_depth", low=1, high=MAX_DEPTH)
    check_order("min_depth", min_depth, "max_depth", max_depth)
    return st.integers(min_depth, max_depth)


def layer_dims(*, depth: int | SearchStrategy[int], d_in: int | SearchStrategy[int],
               d_out: int | SearchStrategy[int], min_width: int = 1,
               max_width: int = 8) -> SearchStrategy[tuple[int, ...]]:
    """(d_in, n_1, ..., n_{N−1}, d_out) with hidden widths in [min_width, max_width].

    A ``min_width`` below min(d_in, d_out) is allowed; pass ``min_width=min(d_in, d_out)`` when the
    theorem needs balancedness to be realisable (ACH18 Theorem 1).
    """
    check_range(min_width, "min_width", low=1, high=MAX_WIDTH)
    check_range(max_width, "max_width", low=1, high=MAX_WIDTH)
    check_order("min_width", min_width, "max_width", max_width)
    return _layer_dims(_strategy(depth, "depth"), _strategy(d_in, "d_in"), _strategy(d_out, "d_out"),
                       min_width, max_width)


# The composites are module-level (built once): a composite defined inside the public function is
# re-created, and its source inspected by hypothesis, on every draw of an enclosing strategy.

@st.composite
def _layer_dims(draw: Any, depth: SearchStrategy[int], d_in: SearchStrategy[int], d_out: SearchStrategy[int],
                min_width: int, max_width: int) -> tuple[int, ...]:
    n = draw(depth, label="depth")
    din = draw(d_in, label="d_in")
    dout = draw(d_out, label="d_out")
    hidden = draw(st.lists(st.integers(min_width, max_width), min_size=n - 1, max_size=n - 1), label="hidden widths")
    return (din, *hidden, dout)


def step_sizes(*, low: float, high: float) -> SearchStrategy[float]:
    """Step sizes log-uniform in [low, high] (shrink towards ``low``)."""
    check_range(float(low), "low", low=0.0, low_open=True)
    check_range(float(high), "high", low=0.0, low_open=True)
    check_order("low", low, "high", high)
    return st.floats(np.log(low), np.log(high)).map(lambda t: float(min(max(np.exp(t), low), high)))


def datasets(*, d_in: int | SearchStrategy[int], d_out: int | SearchStrategy[int],
             n: int | SearchStrategy[int] = st.integers(1, 30), full_rank: bool = False,
             max_gram_cond: float = 10.0, noise: float = 0.0) -> SearchStrategy[Dataset]:
    """Data sets with drawn rank (or full rank min(d_in, n)) and 1 ≤ gram_cond ≤ max_gram_cond."""
    check_range(float(max_gram_cond), "max_gram_cond", low=1.0, high=1e12)
    check_range(float(noise), "noise", low=0.0)
    return _datasets(_strategy(d_in, "d_in"), _strategy(d_out, "d_out"), _strategy(n, "n"), full_rank,
                     float(max_gram_cond), float(noise))


@st.composite
def _datasets(draw: Any, d_in: SearchStrategy[int], d_out: SearchStrategy[int], n: SearchStrategy[int],
              full_rank: bool, max_gram_cond: float, noise: float) -> Dataset:
    din = draw(d_in, label="d_in")
    dout = draw(d_out, label="d_out")
    samples = draw(n, label="n")
    top = min(din, samples)
    rank = top if full_rank else draw(st.integers(1, top), label="rank")
    cond = draw(st.floats(1.0, max_gram_cond), label="gram_cond") if rank > 1 else 1.0
    return make_dataset(din, dout, samples, rank=rank, gram_cond=cond, noise=noise,
                        seed=draw(seeds(), label="data seed"))


def network_cases(*, depth: int | SearchStrategy[int] = depths(), d_in: int | SearchStrategy[int] = st.integers(1, 4),
                  d_out: int | SearchStrategy[int] = st.integers(1, 4), min_width: int | None = None,
                  max_width: int = 6, init: str | Sequence[str] = "balanced",
                  init_scale: float | SearchStrategy[float] = 1.0, n: int | SearchStrategy[int] = st.integers(1, 20),
                  max_gram_cond: float = 10.0) -> SearchStrategy[NetworkCase]:
    """A network and a data set. ``min_width=None`` means min(d_in, d_out) (balancedness realisable)."""
    kinds = (init,) if isinstance(init, str) else tuple(init)
    for kind in kinds:
        if kind not in INIT_KINDS:
            raise InvalidArgument(f"init={kind!r} must be one of {', '.join(INIT_KINDS)}")
    if min_width is not None:
        check_range(min_width, "min_width", low=1, high=max_width)
    check_range(float(max_gram_cond), "max_gram_cond", low=1.0, high=1e12)
    return _network_cases(_strategy(depth, "depth"), _strategy(d_in, "d_in"), _strategy(d_out, "d_out"), min_width,
                          max_width, kinds, _strategy(init_scale, "init_scale"), _strategy(n, "n"),
                          float(max_gram_cond))


@st.composite
def _network_cases(draw: Any, depth: SearchStrategy[int], d_in: SearchStrategy[int], d_out: SearchStrategy[int],
                   min_width: int | None, max_width: int, kinds: tuple[str, ...], init_scale: SearchStrategy[float],
                   n: SearchStrategy[int], max_gram_cond: float) -> NetworkCase:
    din = draw(d_in, label="d_in")
    dout = draw(d_out, label="d_out")
    low = min(din, dout) if min_width is None else min_width
    if low > max_width:
        raise InvalidArgument(f"max_width={max_width} is below min(d_in, d_out)={low}")
    dims = draw(_layer_dims(depth, st.just(din), st.just(dout), low, max_width), label="dims")
    kind = draw(st.sampled_from(kinds), label="init")
    if kind == "identity" and len(set(dims)) > 1:
        dims = (dims[0],) * len(dims)
    data = draw(_datasets(st.just(dims[0]), st.just(dims[-1]), n, False, max_gram_cond, 0.0), label="data")
    scale = draw(init_scale, label="init_scale")
    return build_network_case(dims, kind, draw(seeds(), label="init seed"), data, scale)

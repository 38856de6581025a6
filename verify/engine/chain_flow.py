"""Gradient-flow times and certified escape bounds for 1-D deep linear chains F(w) = f(Π_i w_i).

Two computations that do not iterate gradient descent, for f a `ChainLoss` f(p) = ½ a p² − b p + c
with minimiser p* = b/a > 0 and the ε-set {w : F(w) − inf F ≤ ε} = {|Π w_i − p*| ≤ h}, h = √(2ε/a):

`log_flow_time` — the time the gradient flow ẇ = −∇F needs to reach the ε-set, exactly up to
quadrature error. Along the flow d(w_i²)/dt = −2 f'(p) p is the same for every i (Shamir 2018, §2;
the scalar case of the balancedness law of Arora, Cohen & Hazan 2018), so w_i(t)² = w_i(0)² + δ(t)
with one scalar δ, |p| = Π_i √(w_i(0)² + δ) and dδ/dt = −2 f'(p) p. With m = min_i w_i(0)² and
x = δ + m ≥ 0 the time is a one-dimensional integral,

    t = ∫ dx / (2 |f'(p)| |p|),   |p|(x) = √x · Q(x),   Q(x) = Π_{i ≠ argmin} √(w_i(0)² − m + x),

over x from m to the x where |p| reaches p* − h (p(0) > 0 below the set), down to p* + h (above
it), or, if p(0) < 0, from m down to 0 (the smallest |w_i| crosses zero, p changes sign) and then
from 0 up to p* − h. The substitution x = u² removes the 1/√x singularity; the integrand
1/(a |p − p*| Q(u²)) is integrated on geometric grids towards both ends of each leg (Simpson's rule
in the log of the distance to the end, relative error ≲ 1e-4; sums in log space, no overflow: results
are natural logs, so products e^{−1000} are fine). Gradient descent with step η
needs ≈ t/η iterations when η is small (GD is the explicit Euler scheme of this flow).

`log_escape_bound` — a certified lower bound B(w(0)) with "GD with step η needs ≥ B/η iterations
to reach the ε-set", for every η > 0 (Shamir 2018's proof idea, made quantitative): on the box
‖w − w(0)‖_∞ ≤ ρ, |Π w_i| ≤ P(ρ) = Π_i (|w_i(0)| + ρ) and |∂F/∂w_j| ≤ a (P(ρ) + p*) P(ρ)/(|w_j(0)| + ρ)
≤ G(ρ) := a (P + p*) P/(min_i |w_i(0)| + ρ). If P(ρ) < p* − h the box misses the ε-set, and each GD
step moves every coordinate by at most η G(ρ) while inside, so reaching the set takes at least
ρ/(η G(ρ)) steps. B = max over a grid of radii of ρ/G(ρ) (any radius gives a valid bound; −∞ if
no radius qualifies). Computed in log space in float64; `escape_bound_arb` evaluates the same
expression for one radius in python-flint arb (outward-rounded balls) to certify it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgument, check_range
from .scalar_chains import ChainLoss

__all__ = ["ESCAPE_RADII", "escape_bound_arb", "log_escape_bound", "log_flow_time", "target_band"]

ESCAPE_RADII = np.logspace(-10.0, 1.0, 89)     # radii ρ tried by log_escape_bound (any grid is valid)
_BISECTIONS = 80                                # bisection steps in log x for the end of the flow
_GRID = 241                                     # quadrature nodes per half leg (odd: Simpson's rule)
_SIMPSON = np.where(np.arange(_GRID) % 2 == 1, 4.0, 2.0)
_SIMPSON[[0, -1]] = 1.0


def target_band(loss: ChainLoss, eps: float) -> tuple[float, float]:
    """(p* − h, p* + h): F − inf F ≤ ε ⇔ p in this band; InvalidArgument unless 0 < p* − h."""
    check_range(float(eps), "eps", low=0.0, low_open=True)
    centre = loss.b / loss.a
    half = float(np.sqrt(2.0 * eps / loss.a))
    if not centre - half > 0.0:
        raise InvalidArgument(f"the ε-set |p − {centre:g}| ≤ {half:g} must lie in p > 0 (eps={eps!r}, loss {loss})")
    return centre - half, centre + half


def _check_weights(w0: np.ndarray) -> np.ndarray:
    w = np.asarray(w0, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] < 1 or w.shape[0] < 1:
        raise InvalidArgument(f"w0 has shape {w.shape}; expected (runs ≥ 1, depth ≥ 1)")
    if not np.all(np.isfinite(w)) or np.any(w == 0.0):
        raise InvalidArgument("w0 must be finite and non-zero (a zero weight makes every other gradient vanish)")
    return w


def _log_abs_product(x: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """log |p|(x) = ½ log x + ½ Σ_i log(rest_i + x), for x of shape (runs, G) and rest (runs, k−1)."""
    out = 0.5 * np.log(x)
    if rest.shape[1]:
        out = out + 0.5 * np.sum(np.log(rest[:, :, None] + x[:, None, :]), axis=1)
    return out


def _solve_x(level: float, rest: np.ndarray) -> np.ndarray:
    """The x ≥ 0 with |p|(x) = level (|p| increases in x), by bisection in log x."""
    lo = np.full(rest.shape[0], -1500.0)
    hi = np.full(rest.shape[0], 60.0)
    target = np.log(level)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        up = _log_abs_product(np.exp(mid)[:, None], rest)[:, 0] > target
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.exp(0.5 * (lo + hi))


def _log_leg(u_from: np.ndarray, u_to: np.ndarray, rest: np.ndarray, loss: ChainLoss, sign: float) -> np.ndarray:
    """log ∫ du / (a |sign·|p| − p*| Q(u²)) between u_from and u_to (either order), per run.

    The leg is split at its midpoint; each half gets a geometric grid in the distance to its own end
    (10⁻¹⁴ of the half up to the half: the integrand varies fastest near u_from, where Q is smallest
    when p(0) is tiny, and near u_to, where |p − p*| falls to h), Simpson's rule in the log of that
    distance, and the sliver next to the end. Sums are taken in log space (no overflow).
    """
    half = 0.5 * np.abs(u_to - u_from)
    direction = np.sign(u_to - u_from)
    s = np.linspace(-14.0 * np.log(10.0), 0.0, _GRID)
    ds = s[1] - s[0]
    offsets = half[:, None] * np.exp(s)[None, :]
    pieces = []
    for end, step in ((u_from, direction), (u_to, -direction)):
        u = end[:, None] + step[:, None] * offsets
        x = np.maximum(u * u, 1e-300)
        log_p = _log_abs_product(x, rest)
        gap = np.abs(sign * np.exp(log_p) - loss.b / loss.a)
        log_h = -np.log(loss.a * gap) - (log_p - 0.5 * np.log(x))
        log_w = log_h + np.log(offsets)                   # integrand × d(distance)/ds
        pieces.append(log_w[:, 0])                        # the sliver [end, end + first offset]
        top = np.max(log_w, axis=1)
        simpson = np.sum(_SIMPSON * np.exp(log_w - top[:, None]), axis=1) * ds / 3.0
        pieces.append(np.log(simpson) + top)
    with np.errstate(divide="ignore"):
        return np.where(half > 0, np.logaddexp.reduce(np.array(pieces), axis=0), -np.inf)


def log_flow_time(w0: np.ndarray, loss: ChainLoss, eps: float) -> np.ndarray:
    """Natural log of the gradient-flow time to F − inf F ≤ ε from each row of ``w0`` (−∞ if the
    row starts in the ε-set). Shape (runs,). See the module docstring for the formula."""
    w = _check_weights(w0)
    low, high = target_band(loss, eps)
    a2 = np.sort(w * w, axis=1)
    m = a2[:, 0]
    rest = a2[:, 1:] - m[:, None]
    negative = np.prod(np.sign(w), axis=1) < 0
    log_p0 = 0.5 * np.sum(np.log(a2), axis=1)
    u0 = np.sqrt(m)
    u_low = np.sqrt(_solve_x(low, rest))
    u_high = np.sqrt(_solve_x(high, rest))
    out = np.full(w.shape[0], -np.inf)
    below = ~negative & (log_p0 < np.log(low))
    above = ~negative & (log_p0 > np.log(high))
    if below.any():
        out[below] = _log_leg(u0[below], u_low[below], rest[below], loss, 1.0)
    if above.any():
        out[above] = _log_leg(u0[above], u_high[above], rest[above], loss, 1.0)
    if negative.any():
        zero = np.zeros(int(negative.sum()))
        down = _log_leg(u0[negative], zero, rest[negative], loss, -1.0)
        up = _log_leg(zero, u_low[negative], rest[negative], loss, 1.0)
        out[negative] = np.logaddexp(down, up)
    return out                                   # dx/(2|f'(p)||p|) = du/(a|p − p*| Q): the 2's cancel


def log_escape_bound(w0: np.ndarray, loss: ChainLoss, eps: float, radii: np.ndarray = ESCAPE_RADII) -> tuple[np.ndarray, np.ndarray]:
    """(log B, the maximising radius ρ) per row of ``w0``: GD with any step η needs ≥ B/η
    iterations to reach F − inf F ≤ ε (module docstring). log B = −∞ where no radius qualifies."""
    w = _check_weights(w0)
    low, _ = target_band(loss, eps)
    radii = np.asarray(radii, dtype=np.float64)
    if radii.ndim != 1 or radii.size < 1 or np.any(~(radii > 0)):
        raise InvalidArgument("radii must be a non-empty 1-D array of positive numbers")
    a = np.abs(w)
    a_min = a.min(axis=1)
    p_star = loss.b / loss.a
    best = np.full(w.shape[0], -np.inf)
    where = np.full(w.shape[0], np.nan)
    for rho in radii:
        log_big_p = np.sum(np.log(a + rho), axis=1)
        ok = log_big_p < np.log(low)
        value = (np.log(rho) + np.log(a_min + rho) - np.log(loss.a)
                 - np.logaddexp(log_big_p, np.log(p_star)) - log_big_p)
        better = ok & (value > best)
        best = np.where(better, value, best)
        where = np.where(better, rho, where)
    return best, where


def escape_bound_arb(w: np.ndarray, loss: ChainLoss, eps: float, rho: float, bits: int = 128) -> Any:
    """B(ρ) = ρ (min|w_i| + ρ) / (a (P + p*) P), P = Π(|w_i| + ρ), for one run as an arb ball (the
    float64 weights and ρ enter exactly); a non-positive ball (the box meets the ε-set) raises."""
    from flint import arb, ctx

    row = np.asarray(w, dtype=np.float64).ravel()
    check_range(float(rho), "rho", low=0.0, low_open=True)
    check_range(bits, "bits", low=53, high=4096)
    low, _ = target_band(loss, eps)
    saved = ctx.prec
    ctx.prec = bits
    try:
        r = arb(float(rho))
        big_p = arb(1)
        for v in row:
            big_p *= abs(arb(float(v))) + r
        if not big_p < arb(low):
            raise InvalidArgument(f"rho={rho!r}: the box around w reaches the ε-set (P = {big_p})")
        p_star = arb(loss.b) / arb(loss.a)
        return r * (abs(arb(float(np.min(np.abs(row))))) + r) / (arb(loss.a) * (big_p + p_star) * big_p)
    finally:
        ctx.prec = saved

"""shamir2018.exponential_time — GD on 1-D deep linear chains needs exp(Ω(k)) iterations from random init.

Shamir, "Exponential Convergence Time of Gradient Descent for One-Dimensional Deep Linear Neural
Networks", COLT 2019 (PMLR 99:2691–2713; arXiv 1809.08587), Theorem 1, as transcribed on the
seed slides (003, A. Salim; the paper's full text was not available to us): for F(w_1..w_k) =
f(Π_i w_i) with f differentiable and Lipschitz, there are C, ε > 0 such that if the step size
γ ≤ exp(−Ck), then with probability ≥ 1 − exp(−Ω(k)) over an initialisation "close to (1, …, 1),
or zero mean, unit variance", GD needs n ≥ exp(Ω(k)) iterations before F(w(n)) − inf F ≤ ε.
Proof idea (slides): |Π w_i(0)| = e^{−Ω(k)} w.h.p., so ∇F is exponentially small on a ball of
constant radius around w(0) and GD moves exponentially slowly.

Step-size hypothesis. The slides write γ ≤ exp(−Ck); Hu, Xiao & Pennington (ICLR 2020, Thm 5.1,
which they call a generalisation of Shamir's) allow η ≤ exp(+cL). A fixed η ≤ 1 satisfies only the
second reading (for k > ln(1/η)/C it violates the first), so both are run: a fixed η = ETA, and
the sub-sweep η_k = exp(−STEP_C·k). The certified bound (c) below holds for every η.

Setting (fixed before any measured run): f(p) = ½(p − 1)², ε = 0.01 (so the ε-set is |p − 1| ≤ √0.02).
Two initialisations of the statement are checked, each as a *regime*:
- ``gaussian``: w_i(0) i.i.d. N(0, 1); GD steps η = ETA = 0.1 and η_k = e^{−0.25 k};
- ``near_one``: w_i(0) i.i.d. 1 + σN(0, 1), σ = NEAR_ONE_SPREAD = 0.5 fixed in k; GD step
  SMALL_ETA = 0.02 (near the minimiser the curvature is ≈ k, so η = 0.1 would oscillate for k > 20).
What happens near (1, …, 1) [our derivation]: E log|1 + σξ| < 0 (−0.173 at σ = 0.5, ≈ −σ²/2 for
small σ), so the product is still e^{−ck} w.h.p. and the same mechanism applies, with a rate c about
4× smaller than N(0,1)'s: at depths k ≲ 1/c ≈ 6 the iteration count hardly grows, which is why a
near-identity init looks benign at practical depths; the exponential shows only for k ≳ 30.

What is computed, per regime (statistical; `verify.engine.chain_flow` and `verify.engine.scalar_chains`):
(a) GD, counted (float64): ``runs`` chains per depth of a small window trained together until
    F − inf F ≤ ε or the cap (censored: a lower bound; diverged: unresolved). Per run, η·T is
    compared with (b)'s flow time t: GD is the Euler scheme of the flow, so ηT/t → 1 as η → 0.
    Gate: |median ηT/t − 1| ≤ AGREEMENT_TOL for every step rule (else the flow cannot stand for GD
    and the verdict is inconclusive). The median iteration counts' exponential slopes are reported
    per depth window (they depend on the window, see the law below).
(b) gradient flow, exact (up to 1e-4 quadrature error) at depths far beyond any iteration count: along
    the flow w_i² − w_j² is conserved, so t is a one-dimensional integral (`log_flow_time`). The
    median of log t_k is fitted by log t = a + b log k + c k (`growth_fit`, 95% CI): exponential
    iff c's CI lies above MIN_RATE, polynomial iff it lies below. Law [our derivation, Laplace's
    method on that integral]: log t_k ≈ c*·k − 2 log k + a with c* = −E log|N(0,1)| = (γ + ln 2)/2
    = 0.635 for N(0,1) (|p(0)| ≈ e^{−c*k}, Σ 1/w_i² ≈ k²); this −2 log k is why the exponential
    slope over k ≤ 16 is ≈ 0.35 and over k = 10…29 ≈ 0.51 (reported per window with the law's value).
(c) probability, certified: Shamir's argument made quantitative (`log_escape_bound`): GD with *any*
    step η needs ≥ B(w(0))/η iterations, B = max_ρ ρ/G(ρ) over boxes ‖w − w(0)‖_∞ ≤ ρ that miss the
    ε-set (G bounds |∂F/∂w_j| on the box). The slow event S_k = {B ≥ e^{s k}} (s = ``slow_rate``)
    certifies T ≥ e^{sk}/η ≥ e^{sk} for η ≤ 1 (and ≥ e^{(s+C)k} for η_k = e^{−Ck}). "With
    probability ≥ 1 − e^{−Ω(k)}" is gated directly: a logistic fit of P(S_k) against k must have a
    slope whose 95% (Wald) CI lies above 0, and at the deepest depth at least half the runs must be
    slow. The same trend of the flow-based event {t ≥ e^{sk}} decides refutation (a lower bound
    can only confirm slowness): refuted if its slope's CI lies below 0 or if at the deepest depth
    the Clopper–Pearson upper end of P(t ≥ e^{sk}) is below ½.
(d) mechanism: log|Π w_i(0)| and log max_j|∂F/∂w_j(0)| decay linearly in k up to k = 1600
    (products below 2^-970 computed in arb, `scalar_chains.init_mechanism`); the decay rate of
    |Π w_i(0)| must be c* (or −E log|1 + σξ|) within MECHANISM_TOL.
(e) where float64 cannot resolve the update (η_k = e^{−Ck} at k = DEEP_DEPTH, a sample of runs):
    one GD step in arb shows the update is non-zero but below float64's resolution (float64 GD would
    stall and report a false "censored"), and B is evaluated in arb (`escape_bound_arb`, 128 bits):
    it must agree with the log-space float64 value within ARB_AGREEMENT (else the check fails).
(f) oracle (`verify.engine.oracles`): the chain gradients that (a) trains with are compared with
    back-propagation through 1×1 layers on a few runs per regime; a gap beyond ORACLE_TOL fails.

Verdict per regime: refuted if (b) says polynomial or (c)'s flow-based trend refutes; verified if
(b) says exponential, (c) holds both for the certified and the flow-based event, (a) agrees, (d)
decays at the predicted rate and (f) passes; inconclusive otherwise. The theorem holds iff both
regimes hold.

Controls (each its own sweep through the same checker, refuted by (b) and (c)):
- ``identity-init-exponential``: identity init with a positive target (y = 2; GD η = 0.5/(k y²)):
  Bartlett et al.'s benign regime, polynomial.
- ``gaussian-critical-scale`` (near the boundary): w_i(0) i.i.d. N(0, σ*²) with σ* = e^{c*} = 1.887,
  the scale at which E log|w_i(0)| = 0 — the threshold of the theorem's mechanism (the product no
  longer shrinks); GD step SMALL_ETA (at η = 0.1 most of these runs, whose products are e^{±O(√k)},
  diverge). The claim (exponential time w.h.p., same slow rate) is false there: t_k does not grow
  and P(t ≥ e^{sk}) → 0.

Constants. Fixed in advance ("chosen"): ε, ETA, STEP_C, NEAR_ONE_SPREAD, SMALL_ETA, MIN_RATE,
SLOW_FRACTION (s = ½ of the regime's mechanism rate: 0.318 for N(0,1), 0.086 near one),
AGREEMENT_TOL, MECHANISM_TOL, the depth windows and run counts — set from exploratory runs of the
flow and of GD (seed 0) before the verdict code existed. From the paper: nothing numeric (C, ε and
the Ω(·) constants are unspecified); the measured rates are reported as such.

History. The previous version fitted GD medians on one window only (its "0.356/layer" headline was the
window slope, not the rate), counted diverged runs as slow, used η = 0.1 as if it satisfied both
step-size readings, and had a control ("gaussian-polynomial") that re-read the theorem's cached sweep
with the claim flipped. Replaced by the design above (issue 15, items 7 and 10). Changed after the first
runs of the new code, none of them a tolerance: the critical-scale control's GD step 0.1 → SMALL_ETA
(203 of its 384 GD runs diverged; its verdict, decided by (b) and (c), was refuted either way), and
the flow quadrature trapezoid → Simpson (a unit test against scipy showed a 3e-3 error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import integrate, stats

from verify.checking.context import Context
from verify.checking.registry import register
from verify.checking.spec import Certification, Constant, Control, Evidence, Measurement, Theorem
from verify.checking.stats import GrowthFit, clopper_pearson, growth_fit, linear_fit
from verify.engine import oracles
from verify.engine.chain_flow import escape_bound_arb, log_escape_bound, log_flow_time
from verify.engine.scalar_chains import (
    ChainLoss,
    chain_gradients,
    float64_resolves,
    init_mechanism,
    iterations_to_eps,
    median_iterations,
    to_arb,
)
from verify.errors import InvalidArgument
from verify.output import plots

TARGET = 1.0                    # y in f(p) = ½(p − y)²
EPS = 0.01                      # F − inf F ≤ ε counts as converged
ETA = 0.1                       # fixed step (the "η ≤ e^{ck}" reading)
STEP_C = 0.25                   # sub-sweep η_k = e^{−STEP_C·k} (the slides' "γ ≤ e^{−Ck}")
NEAR_ONE_SPREAD = 0.5           # near-(1,…,1) init: 1 + σ N(0,1)
SMALL_ETA = 0.02                # GD step near one (curvature ≈ k at the minimiser) and at the critical scale
IDENTITY_TARGET = 2.0           # control: identity init, positive target
IDENTITY_ETA = 0.5              # control step η_k = IDENTITY_ETA / (k·y²)
GAUSSIAN_RATE = (np.euler_gamma + np.log(2.0)) / 2   # c* = −E log|N(0,1)| = 0.6352
CRITICAL_SCALE = math.exp(GAUSSIAN_RATE)             # σ* with E log|σ*·N(0,1)| = 0
MIN_RATE = 0.05                 # excess rate c beyond any power of k called exponential
SLOW_FRACTION = 0.5             # slow event rate s = SLOW_FRACTION × the regime's mechanism rate
AGREEMENT_TOL = 0.15            # |median ηT/t − 1| allowed between GD and its gradient flow
MECHANISM_TOL = 0.05            # |decay rate of |Π w(0)| − −E log|w|| allowed
ORACLE_TOL = 1e-12              # relative gap engine vs back-propagation oracle
ARB_AGREEMENT = 1e-9            # |log B (float64, log space) − log B (arb)| allowed
DEEP_DEPTH = 48                 # (e): depth where float64 loses the η_k = e^{−Ck} update
ARB_BITS = 128
MECHANISM_DEPTHS = (10, 50, 200, 800, 1200, 1600)
MECHANISM_RUNS = 32
INITS = ("gaussian", "near_one", "identity", "critical")
STEP_RULES = ("fixed", "shrinking", "small", "identity")


# ---------------------------------------------------------------- initialisations and their laws

def init_weights(init: str, runs: int, depth: int, rng: np.random.Generator) -> np.ndarray:
    """(runs, depth) initial weights: N(0,1); 1 + σN(0,1); all ones; N(0, σ*²)."""
    if init == "gaussian":
        return rng.standard_normal((runs, depth))
    if init == "near_one":
        return 1.0 + NEAR_ONE_SPREAD * rng.standard_normal((runs, depth))
    if init == "identity":
        return np.ones((runs, depth))
    if init == "critical":
        return CRITICAL_SCALE * rng.standard_normal((runs, depth))
    raise InvalidArgument(f"init={init!r} must be one of {', '.join(INITS)}")


def mechanism_rate(init: str) -> float:
    """c = −E log|w_i(0)|, so |Π w_i(0)| ≈ e^{−ck}: c* = (γ + ln 2)/2 for N(0,1), c* − log σ* = 0 for
    N(0, σ*²), 0 for the identity, quadrature for 1 + σN(0,1) (split at the zero of 1 + σx)."""
    if init == "gaussian":
        return float(GAUSSIAN_RATE)
    if init in ("identity", "critical"):
        return 0.0
    if init == "near_one":
        zero = -1.0 / NEAR_ONE_SPREAD
        f = lambda x: np.log(abs(1.0 + NEAR_ONE_SPREAD * x)) * stats.norm.pdf(x)
        left = integrate.quad(f, -np.inf, zero, limit=200)[0]
        right = integrate.quad(f, zero, np.inf, limit=200)[0]
        return float(-(left + right))
    raise InvalidArgument(f"init={init!r} must be one of {', '.join(INITS)}")


def step_size(rule: str, depth: int) -> float:
    """GD step of a rule at depth k: ETA; e^{−STEP_C k}; SMALL_ETA; IDENTITY_ETA/(k y²)."""
    if rule == "fixed":
        return ETA
    if rule == "shrinking":
        return float(np.exp(-STEP_C * depth))
    if rule == "small":
        return SMALL_ETA
    if rule == "identity":
        return IDENTITY_ETA / (depth * IDENTITY_TARGET ** 2)
    raise InvalidArgument(f"rule={rule!r} must be one of {', '.join(STEP_RULES)}")


def law_window_slope(depths: list[int]) -> float:
    """Least-squares slope in k of the N(0,1) law c*k − 2 log k over the given depths [our derivation]."""
    k = np.asarray(depths, dtype=np.float64)
    return float(np.polyfit(k, GAUSSIAN_RATE * k - 2.0 * np.log(k), 1)[0])


@dataclass(frozen=True)
class Regime:
    """A claim's setting: init, target, GD step rules, depth windows per profile (ci, default, thorough)."""

    init: str
    target: float
    steps: tuple[str, ...]
    gd_depths: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
    flow_depths: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
    label: str


_GD_DEPTHS = (tuple(range(4, 15, 2)), tuple(range(4, 17, 2)), tuple(range(4, 21, 2)))
_GAUSS_FLOW = ((8, 16, 32, 64, 128), (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256),
               (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512))
_NEAR_FLOW = ((32, 64, 128, 256, 512), (16, 32, 64, 96, 128, 192, 256, 384, 512, 768),
              (16, 32, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536))
REGIMES = {
    "gaussian": Regime("gaussian", TARGET, ("fixed", "shrinking"), _GD_DEPTHS, _GAUSS_FLOW, "N(0,1)"),
    "near_one": Regime("near_one", TARGET, ("small",), _GD_DEPTHS, _NEAR_FLOW, f"1+{NEAR_ONE_SPREAD}·N(0,1)"),
    "identity": Regime("identity", IDENTITY_TARGET, ("identity",), _GD_DEPTHS, _GAUSS_FLOW, "identity"),
    "critical": Regime("critical", TARGET, ("small",), _GD_DEPTHS, _GAUSS_FLOW, f"N(0,{CRITICAL_SCALE:.3f}²)"),
}
IDENTITY_RUNS = 16              # the identity init is deterministic: replicates only make P(slow) testable


@dataclass(frozen=True)
class ShamirClaim:
    """"From ``init``, GD needs exp(Ω(k)) iterations w.p. ≥ 1 − e^{−Ω(k)}", with the slow event
    {t ≥ e^{slow_rate·k}} (default: SLOW_FRACTION × the N(0,1) mechanism rate)."""

    init: str = "gaussian"
    slow_rate: float = SLOW_FRACTION * GAUSSIAN_RATE

    @property
    def regime(self) -> Regime:
        if self.init not in REGIMES:
            raise InvalidArgument(f"init={self.init!r} must be one of {', '.join(INITS)}")
        return REGIMES[self.init]


THEOREM_CLAIMS = (ShamirClaim("gaussian"), ShamirClaim("near_one", SLOW_FRACTION * mechanism_rate("near_one")))


# ---------------------------------------------------------------- sweep points (picklable, seeded)

@dataclass(frozen=True)
class GdPoint:
    """``runs`` chains of one depth trained by GD with one step rule."""

    init: str
    rule: str
    depth: int
    runs: int
    cap: int
    seed: int


@dataclass(frozen=True)
class FlowPoint:
    """``runs`` chains of one depth: flow times and certified escape bounds."""

    init: str
    depth: int
    runs: int
    seed: int


def point_rng(seed: int, init: str, depth: int, purpose: int) -> np.random.Generator:
    return np.random.default_rng([seed, INITS.index(init), depth, purpose])


def gd_point(point: GdPoint) -> dict[str, Any]:
    """Iterations to ε (float64 GD) and, per run, ηT against the flow time t of the same init."""
    regime = REGIMES[point.init]
    runs = 1 if point.init == "identity" else point.runs
    w0 = init_weights(point.init, runs, point.depth, point_rng(point.seed, point.init, point.depth, 1))
    loss = ChainLoss.square(regime.target)
    eta = step_size(point.rule, point.depth)
    counts = iterations_to_eps(w0, loss, eta, EPS, point.cap)
    median, exact = median_iterations(counts)
    log_t = log_flow_time(w0, loss, EPS)
    done = ~counts.censored & ~counts.diverged & (counts.iterations > 0) & np.isfinite(log_t)
    ratios = eta * counts.iterations[done] / np.exp(log_t[done])
    log_b, _ = log_escape_bound(w0, loss, EPS)
    lost = ~counts.resolved
    certified_censor = lost & (log_b - np.log(eta) >= np.log(point.cap))
    return {"depth": point.depth, "rule": point.rule, "eta": eta, "runs": runs, "median": median, "exact": exact,
            "censored": int(counts.censored.sum()), "diverged": int(counts.diverged.sum()),
            "float64_lost": int(lost.sum()), "lost_uncertified": int((lost & ~certified_censor).sum()),
            "ratios": ratios.tolist(), "bound_violations": int(np.sum(counts.iterations[done] < np.exp(log_b[done]) / eta))}


def flow_point(point: FlowPoint) -> dict[str, Any]:
    """log t (gradient-flow time) and log B (certified escape bound) per run."""
    regime = REGIMES[point.init]
    w0 = init_weights(point.init, point.runs, point.depth, point_rng(point.seed, point.init, point.depth, 2))
    loss = ChainLoss.square(regime.target)
    log_b, _ = log_escape_bound(w0, loss, EPS)
    return {"depth": point.depth, "log_t": log_flow_time(w0, loss, EPS).tolist(), "log_b": log_b.tolist()}


def deep_update_point(point: FlowPoint) -> dict[str, Any]:
    """(e): at η_k = e^{−C k}, does float64 lose the first GD update that arb resolves, and does the
    arb escape bound agree with the log-space one?"""
    from flint import arb
    from flint import ctx as flint_ctx

    loss = ChainLoss.square(TARGET)
    eta = step_size("shrinking", point.depth)
    w0 = init_weights("gaussian", point.runs, point.depth, point_rng(point.seed, "gaussian", point.depth, 3))
    lost_in_float64 = ~float64_resolves(w0, loss, eta)
    grad64, _ = chain_gradients(w0, loss)
    float64_stalls = np.all(w0 - eta * grad64 == w0, axis=1)
    log_b, rho = log_escape_bound(w0, loss, EPS)
    saved = flint_ctx.prec
    flint_ctx.prec = ARB_BITS
    try:
        grad_hp, _ = chain_gradients(to_arb(w0), loss)
        step = [[arb(eta) * g for g in row] for row in grad_hp]
        arb_moves = [all(not s.contains(0) for s in row) for row in step]
    finally:
        flint_ctx.prec = saved
    gaps, certified = [], 0
    for i in range(point.runs):
        if not np.isfinite(log_b[i]):
            continue
        ball = escape_bound_arb(w0[i], loss, EPS, float(rho[i]), ARB_BITS)
        log_ball = ball.log()
        gaps.append(abs(float(log_ball.mid()) - float(log_b[i])) + float(log_ball.rad()))
        certified += bool(log_ball > arb((STEP_C + SLOW_FRACTION * GAUSSIAN_RATE) * point.depth) + arb(eta).log())
    return {"depth": point.depth, "eta": eta, "runs": point.runs, "lost_in_float64": int(lost_in_float64.sum()),
            "float64_stalls": int(float64_stalls.sum()), "arb_moves": int(sum(arb_moves)),
            "max_arb_gap": max(gaps) if gaps else math.inf, "certified_slow": certified}


# ---------------------------------------------------------------- statistics

@dataclass(frozen=True)
class LogisticTrend:
    """logit P(event at depth k) = α + β k, by maximum likelihood (Newton), Wald CI on β; ``None``
    slope when every run at every depth had the same outcome (no trend can be estimated)."""

    slope: float | None
    ci: tuple[float, float] | None
    converged: bool


def logistic_trend(depths: list[int], successes: list[int], trials: list[int], level: float = 0.95) -> LogisticTrend:
    """Grouped-binomial logistic regression of the success probability on depth."""
    k = np.asarray(depths, dtype=np.float64)
    s = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if k.size < 2 or s.sum() in (0.0, n.sum()):
        return LogisticTrend(None, None, False)
    x = np.column_stack([np.ones_like(k), (k - k.mean()) / k.std()])
    beta = np.zeros(2)
    converged = False
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        grad = x.T @ (s - n * p)
        hess = (x * (n * p * (1 - p))[:, None]).T @ x
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            converged = True
            break
    if not converged or not np.all(np.isfinite(beta)) or abs(beta[1]) > 50:
        return LogisticTrend(None, None, False)       # (quasi-)separation: the MLE is at infinity
    p = 1.0 / (1.0 + np.exp(-(x @ beta)))
    cov = np.linalg.inv((x * (n * p * (1 - p))[:, None]).T @ x)
    z = stats.norm.ppf(0.5 + level / 2)
    scale = 1.0 / k.std()
    half = z * math.sqrt(cov[1, 1]) * scale
    return LogisticTrend(float(beta[1] * scale), (float(beta[1] * scale - half), float(beta[1] * scale + half)), True)


@dataclass(frozen=True)
class ProbabilityVerdict:
    decision: str                 # "holds", "refuted", "inconclusive"
    flow: LogisticTrend
    certified: LogisticTrend
    deepest: int
    flow_slow: int
    certified_slow: int
    runs: int
    reason: str


def probability_verdict(depths: list[int], flow_slow: list[int], cert_slow: list[int], runs: list[int]) -> ProbabilityVerdict:
    """Decide "P(slow) ≥ 1 − e^{−Ω(k)}" (module docstring, (c))."""
    flow = logistic_trend(depths, flow_slow, runs)
    cert = logistic_trend(depths, cert_slow, runs)
    n, f, c = runs[-1], flow_slow[-1], cert_slow[-1]
    upper = clopper_pearson(f, n)[1]
    if (flow.ci is not None and flow.ci[1] < 0) or upper < 0.5:
        reason = (f"flow-based P(slow) decreases with k (logistic slope CI {fmt_ci(flow.ci)})" if flow.ci is not None
                  and flow.ci[1] < 0 else f"at k = {depths[-1]} only {f}/{n} runs are slow (CP upper {upper:.3f} < ½)")
        return ProbabilityVerdict("refuted", flow, cert, depths[-1], f, c, n, reason)
    ok = (flow.ci is not None and flow.ci[0] > 0 and cert.ci is not None and cert.ci[0] > 0
          and 2 * f >= n and 2 * c >= n)
    reason = (f"logistic slopes: flow {fmt_ci(flow.ci)}, certified {fmt_ci(cert.ci)}; at k = {depths[-1]}: "
              f"{f}/{n} slow (flow), {c}/{n} certified")
    return ProbabilityVerdict("holds" if ok else "inconclusive", flow, cert, depths[-1], f, c, n, reason)


def fmt_ci(ci: tuple[float, float] | None) -> str:
    return "undefined" if ci is None else f"[{ci[0]:.3g}, {ci[1]:.3g}]"


def oracle_gap(init: str, depth: int, seed: int, runs: int = 3) -> float:
    """Max relative gap between `chain_gradients` and back-propagation through 1×1 layers (`oracles`)."""
    regime = REGIMES[init]
    w0 = init_weights(init, runs, depth, point_rng(seed, init, depth, 4))
    grad, _ = chain_gradients(w0, ChainLoss.square(regime.target))
    gaps = []
    for row, g in zip(w0, grad):
        oracle = oracles.chain_rule_gradients([np.array([[v]]) for v in row], np.array([[1.0]]),
                                              np.array([[regime.target]]))
        gaps.append(oracles.relative_gap([np.array([[v]]) for v in g], oracle))
    return max(gaps)


def mechanism(ctx: Context, init: str) -> dict[str, Any]:
    """Mean log|Π w_i(0)| and mean log max_j|∂F/∂w_j(0)| per depth (arb below 2^-970) and their decay fits."""
    loss = ChainLoss.square(REGIMES[init].target)
    rows = []
    for k in MECHANISM_DEPTHS:
        w0 = init_weights(init, MECHANISM_RUNS if init != "identity" else 1, k, ctx.rng("mechanism", init, k))
        m = init_mechanism(w0, loss)
        rows.append((k, float(np.mean(m.log_product)), float(np.mean(m.log_max_partial)), int(m.used_arb.sum())))
    ks = [r[0] for r in rows]
    return {"rows": rows, "product": linear_fit(ks, [r[1] for r in rows]), "partial": linear_fit(ks, [r[2] for r in rows])}


# ---------------------------------------------------------------- the checker

@dataclass
class RegimeResult:
    claim: ShamirClaim
    holds: bool | None
    summary: str
    measurements: list[Measurement]
    run: dict[str, Any]
    findings: list[str]
    unresolved: int
    plot_data: dict[str, Any]


def check_regime(ctx: Context, claim: ShamirClaim) -> RegimeResult:
    """(a)–(f) of the module docstring for one claim."""
    regime = claim.regime
    gd_depths = ctx.pick(ci=regime.gd_depths[0], default=regime.gd_depths[1], thorough=regime.gd_depths[2])
    flow_depths = ctx.pick(ci=regime.flow_depths[0], default=regime.flow_depths[1], thorough=regime.flow_depths[2])
    gd_runs = ctx.pick(ci=64, default=96, thorough=192)
    cap = ctx.pick(ci=5_000, default=20_000, thorough=100_000)
    flow_runs = ctx.pick(ci=256, default=384, thorough=768) // (2 if claim.init == "near_one" else 1)
    flow_runs = IDENTITY_RUNS if claim.init == "identity" else flow_runs
    label = regime.label
    ctx.status(f"{label}: GD depths {gd_depths[0]}..{gd_depths[-1]}, flow depths {flow_depths[0]}..{flow_depths[-1]}")

    gap = oracle_gap(claim.init, 6, ctx.seed)
    gd = {rule: ctx.cached_map(gd_point, [GdPoint(claim.init, rule, k, gd_runs, cap, ctx.seed) for k in gd_depths])
          for rule in regime.steps}
    flow = ctx.cached_map(flow_point, [FlowPoint(claim.init, k, flow_runs, ctx.seed) for k in flow_depths])
    mech = mechanism(ctx, claim.init)

    # (b) growth of the flow time
    medians = [float(np.median(p["log_t"])) for p in flow]
    fit = growth_fit(flow_depths, np.exp(medians))
    growth = fit.kind(MIN_RATE)
    # (c) probability
    rate = claim.slow_rate
    flow_slow = [int(np.sum(np.asarray(p["log_t"]) >= rate * p["depth"])) for p in flow]
    cert_slow = [int(np.sum(np.asarray(p["log_b"]) >= rate * p["depth"])) for p in flow]
    prob = probability_verdict(list(flow_depths), flow_slow, cert_slow, [flow_runs] * len(flow))
    # (a) GD agreement
    agreement = {rule: float(np.median([r for p in pts for r in p["ratios"]])) if any(p["ratios"] for p in pts) else math.nan
                 for rule, pts in gd.items()}
    agree_ok = all(abs(v - 1.0) <= AGREEMENT_TOL for v in agreement.values())
    violations = sum(p["bound_violations"] for pts in gd.values() for p in pts)
    # (d) mechanism
    expected_rate = mechanism_rate(claim.init)
    decay = -mech["product"].slope
    decay_ci = (-mech["product"].ci[1], -mech["product"].ci[0])
    mech_ok = abs(decay - expected_rate) <= MECHANISM_TOL and decay_ci[0] > 0
    oracle_ok = gap <= ORACLE_TOL

    measurements = regime_measurements(claim, fit, flow_depths, medians, prob, agreement, gd, decay, decay_ci,
                                       expected_rate, mech, gap)
    deep = None
    if claim.init == "gaussian":
        deep = ctx.cached_map(deep_update_point, [FlowPoint("gaussian", DEEP_DEPTH, ctx.pick(ci=8, default=16, thorough=64),
                                                            ctx.seed)])[0]
        measurements += deep_measurements(deep)
    arb_ok = deep is None or deep["max_arb_gap"] <= ARB_AGREEMENT

    if not oracle_ok:
        holds, why = False, f"engine chain gradients disagree with the back-propagation oracle (gap {gap:.2e})"
    elif violations:
        holds, why = False, f"{violations} GD run(s) converged faster than the certified escape bound B/η"
    elif not arb_ok:
        holds, why = None, f"log-space escape bound disagrees with arb by {deep['max_arb_gap']:.2e}"
    elif growth == "polynomial" or prob.decision == "refuted":
        holds, why = False, ("flow time grows polynomially" if growth == "polynomial" else prob.reason)
    elif growth == "exponential" and prob.decision == "holds" and agree_ok and mech_ok:
        holds, why = True, "exponential growth, P(slow) → 1 (certified), GD follows its flow, mechanism as predicted"
    else:
        parts = [f"growth {growth}", f"probability {prob.decision}"]
        parts += [] if agree_ok else [f"GD/flow agreement {agreement} outside 1 ± {AGREEMENT_TOL}"]
        parts += [] if mech_ok else [f"mechanism decay {decay:.3f} vs {expected_rate:.3f}"]
        holds, why = None, "undecided: " + "; ".join(parts)
    summary = (f"{label}: c = {fit.nested_c:.3f} (95% CI [{fit.nested_ci[0]:.3f}, {fit.nested_ci[1]:.3f}], flow k = "
               f"{flow_depths[0]}..{flow_depths[-1]}) → {growth}; P(slow) {prob.decision}; {why}")
    unresolved = sum(p["diverged"] + p["lost_uncertified"] for pts in gd.values() for p in pts)
    run = {"init": label, "target y": regime.target, "ε": EPS, "GD step rules": {r: gd_rule_text(r) for r in regime.steps},
           "GD depths": list(gd_depths), "GD runs per depth": gd_runs, "GD iteration cap": cap,
           "GD per depth (rule, k, η, median T, exact, censored, diverged, float64-lost)":
               [(r, p["depth"], round(p["eta"], 6), p["median"], p["exact"], p["censored"], p["diverged"], p["float64_lost"])
                for r, pts in gd.items() for p in pts],
           "flow depths": list(flow_depths), "flow runs per depth": flow_runs,
           "flow (k, median log t, slow by flow, certified slow)": [(k, round(m, 3), f, c) for k, m, f, c in
                                                                  zip(flow_depths, medians, flow_slow, cert_slow)],
           "slow event": f"t ≥ e^({rate:.4f}·k) (flow) / B ≥ e^({rate:.4f}·k) (certified)",
           "mechanism (k, mean log|Πw|, mean log max|∂F|, runs in arb)": mech["rows"],
           "oracle gap (3 runs, k = 6)": gap, "seed": ctx.seed}
    if deep is not None:
        run["float64-lost update (e)"] = deep
    findings = regime_findings(claim, gd, flow_depths, medians, deep)
    plot_data = {"gd": gd, "flow_depths": list(flow_depths), "medians": medians, "fit": fit, "flow_slow": flow_slow,
                 "cert_slow": cert_slow, "runs": flow_runs, "prob": prob, "mech": mech, "label": label}
    return RegimeResult(claim, holds, summary, measurements, run, findings, unresolved, plot_data)


def gd_rule_text(rule: str) -> str:
    return {"fixed": f"η = {ETA}", "shrinking": f"η_k = e^(−{STEP_C}k)", "small": f"η = {SMALL_ETA}",
            "identity": f"η_k = {IDENTITY_ETA}/(k·y²)"}[rule]


def gd_window_slope(points: list[dict[str, Any]]) -> tuple[list[int], Any]:
    """Exponential slope of the exact GD medians (≥ 3 depths), with the depths used."""
    exact = [p for p in points if p["exact"] and p["median"] > 0]
    if len(exact) < 3:
        return [p["depth"] for p in exact], None
    return [p["depth"] for p in exact], linear_fit([p["depth"] for p in exact], np.log([p["median"] for p in exact]))


def regime_measurements(claim: ShamirClaim, fit: GrowthFit, depths: tuple[int, ...], medians: list[float],
                        prob: ProbabilityVerdict, agreement: dict[str, float], gd: dict[str, list[dict[str, Any]]],
                        decay: float, decay_ci: tuple[float, float], expected_rate: float, mech: dict[str, Any],
                        gap: float) -> list[Measurement]:
    label = claim.regime.label
    law = mechanism_rate(claim.init)
    out = [
        Measurement(f"{label}: growth rate c of ηT_k beyond any power of k (gradient flow)",
                    fit.nested_c, predicted=MIN_RATE, comparison="≥", interval=fit.nested_ci,
                    kind=f"95% CI of c in log t = a + b log k + c k, k = {depths[0]}..{depths[-1]}", gate_tolerance=0.1,
                    band=fit.nested_ci,
                    ruled_out=0.0,
                    band_note=f"the CI of c: 'exponential' is accepted iff it lies above MIN_RATE = {MIN_RATE}; "
                              f"law [our derivation]: c = −E log|w(0)| = {law:.4f}"),
    ]
    cert = prob.certified
    out.append(Measurement(f"{label}: logistic slope of P(certified slow) in k", cert.slope if cert.slope is not None else math.nan,
                           predicted=0.0, comparison="≥", interval=cert.ci, band=cert.ci, ruled_out=0.0,
                           kind=f"95% Wald CI; slow = B ≥ e^({claim.slow_rate:.4f}k); holds iff the CI lies above 0",
                           band_note="the CI of the slope: a probability that does not rise to 1 (slope ≤ 0) is excluded iff "
                                     "the band lies above 0"))
    flow = prob.flow
    out.append(Measurement(f"{label}: logistic slope of P(t ≥ e^(sk)) in k (flow)", flow.slope if flow.slope is not None else math.nan,
                           predicted=0.0, comparison="≥", interval=flow.ci, band=flow.ci, ruled_out=0.0,
                           kind="95% Wald CI; refuted if the CI lies below 0",
                           band_note="the CI of the slope; ruled out: a flat probability (slope 0)"))
    lo, hi = clopper_pearson(prob.certified_slow, prob.runs)
    out.append(Measurement(f"{label}: P(certified slow) at k = {prob.deepest}", prob.certified_slow / prob.runs,
                           interval=(lo, hi), kind="Clopper–Pearson 95%; T ≥ e^(sk)/η certified for these runs"))
    for rule, value in agreement.items():
        out.append(Measurement(f"{label}: median ηT/t, GD ({gd_rule_text(rule)}) vs gradient flow", value, predicted=1.0,
                               tolerance=AGREEMENT_TOL,
                               kind=f"median over the finished runs of k = {gd[rule][0]['depth']}..{gd[rule][-1]['depth']}"))
        used, slope = gd_window_slope(gd[rule])
        window = f"k = {gd[rule][0]['depth']}..{gd[rule][-1]['depth']}"
        shift = STEP_C if rule == "shrinking" else 0.0        # log T = log t − log η_k = log t + Ck
        extra = (f"; law c*k − 2 log k{' + Ck' if shift else ''} on the same depths: {law_window_slope(used) + shift:.3f}"
                 if claim.init == "gaussian" and slope is not None else "")
        out.append(Measurement(f"{label}: GD window slope of log T_k, {gd_rule_text(rule)}, {window}",
                               math.nan if slope is None else slope.slope, interval=None if slope is None else slope.ci,
                               kind=f"95% CI over the depths with an exact median ({len(used)}: {used}); depends on the "
                                    "window" + extra))
    for lo_k, hi_k in window_pairs(depths):
        sel = [i for i, k in enumerate(depths) if lo_k <= k <= hi_k]
        w = linear_fit([depths[i] for i in sel], [medians[i] for i in sel])
        extra = f"; law: {law_window_slope([depths[i] for i in sel]):.3f}" if claim.init == "gaussian" else ""
        out.append(Measurement(f"{label}: flow window slope of log t_k, k = {lo_k}..{hi_k}", w.slope, interval=w.ci,
                               kind="95% CI" + extra))
    out.append(Measurement(f"{label}: decay rate of |Π w_i(0)| ~ e^(−ck)", decay, predicted=expected_rate,
                           tolerance=MECHANISM_TOL, interval=decay_ci, kind="95% CI (arb below 2^-970)",
                           gate_tolerance=0.05, ruled_out=0.0 if expected_rate > MECHANISM_TOL else None))
    out.append(Measurement(f"{label}: decay rate of max_j |∂F/∂w_j(0)|", -mech["partial"].slope,
                           interval=(-mech["partial"].ci[1], -mech["partial"].ci[0]), kind="95% CI"))
    out.append(Measurement(f"{label}: oracle gap (chain gradients vs back-propagation)", gap, predicted=0.0,
                           tolerance=ORACLE_TOL, comparison="≤", kind="max relative gap, 3 runs"))
    return out


def window_pairs(depths: tuple[int, ...]) -> list[tuple[int, int]]:
    """Consecutive windows of 3 depths (overlapping by one), then the whole range."""
    pairs = [(depths[i], depths[i + 2]) for i in range(0, len(depths) - 2, 2)]
    return pairs + [(depths[0], depths[-1])]


def deep_measurements(deep: dict[str, Any]) -> list[Measurement]:
    n = deep["runs"]
    return [Measurement(f"k = {deep['depth']}, η = e^(−{STEP_C}k): first updates float64 loses", deep["lost_in_float64"],
                        kind=f"count of {n} (below {1024} ulps; {deep['float64_stalls']} leave w bit-identical; "
                             f"arb moves {deep['arb_moves']})"),
            Measurement(f"k = {deep['depth']}: |log B float64 − log B arb|", deep["max_arb_gap"], predicted=0.0,
                        tolerance=ARB_AGREEMENT, comparison="≤", kind=f"max over {n} runs, arb {ARB_BITS} bits"),
            Measurement(f"k = {deep['depth']}: runs with certified T ≥ e^(({STEP_C}+s)k) at η_k", deep["certified_slow"],
                        kind=f"count of {n}, arb")]


def regime_findings(claim: ShamirClaim, gd: dict[str, list[dict[str, Any]]], depths: tuple[int, ...],
                    medians: list[float], deep: dict[str, Any] | None) -> list[str]:
    label = claim.regime.label
    out = []
    lower = [(r, p["depth"]) for r, pts in gd.items() for p in pts if not p["exact"]]
    if lower:
        out.append(f"{label}: GD depths with ≥ half the runs censored or diverged enter only as lower bounds "
                   f"(median ≥ cap): {lower}.")
    diverged = sum(p["diverged"] for pts in gd.values() for p in pts)
    if diverged:
        out.append(f"{label}: {diverged} GD run(s) diverged; they are counted as unresolved, not as slow.")
    lost = sum(p["float64_lost"] for pts in gd.values() for p in pts)
    if lost:
        out.append(f"{label}: {lost} GD run(s) had a first update below 1024 ulps (float64 would stall); "
                   f"{sum(p['lost_uncertified'] for pts in gd.values() for p in pts)} of them lack a certified bound ≥ cap "
                   "and are counted as unresolved.")
    if deep is not None:
        out.append(f"Where float64 cannot resolve the update (k = {deep['depth']}, η_k = {deep['eta']:.2e}): float64 loses "
                   f"{deep['lost_in_float64']}/{deep['runs']} first updates ({deep['float64_stalls']} leave w unchanged bit for bit) "
                   f"while arb moves {deep['arb_moves']}; iteration counts there (≈ e^{{{STEP_C + GAUSSIAN_RATE:.2f}k}}/k²) are out of "
                   f"reach in any precision, so the certified bound B/η (arb) decides: {deep['certified_slow']}/{deep['runs']} "
                   "runs certified slow.")
    if claim.init == "near_one":
        out.append(f"Near (1,…,1) (σ = {NEAR_ONE_SPREAD}): the product's log-mean is −{mechanism_rate('near_one'):.3f}·k, so "
                   f"the flow time grows like e^(ck) with c ≈ {mechanism_rate('near_one'):.3f}; at k ≤ 14 the GD counts barely grow "
                   "(the exponential only shows past k ≈ 30): a near-identity init is exponentially slow too, just later.")
    return out


def check_claim(ctx: Context, claim: ShamirClaim) -> Evidence:
    """One claim (one init) as Evidence."""
    r = check_regime(ctx, claim)
    return Evidence(r.holds, r.summary, r.measurements, run=r.run, findings=r.findings, unresolved=r.unresolved,
                    plots=plot_regimes(ctx, [r], claim.init))


def check_theorem(ctx: Context) -> Evidence:
    """Both initialisations of the statement: holds iff both regimes hold."""
    results = [check_regime(ctx, claim) for claim in THEOREM_CLAIMS]
    verdicts = [r.holds for r in results]
    holds = False if False in verdicts else (True if all(v is True for v in verdicts) else None)
    run = {f"{r.plot_data['label']}": r.run for r in results}
    return Evidence(holds, " | ".join(r.summary for r in results), [m for r in results for m in r.measurements], run=run,
                    findings=[f for r in results for f in r.findings], unresolved=sum(r.unresolved for r in results),
                    plots=plot_regimes(ctx, results, "theorem"))


# ---------------------------------------------------------------- plots

def plot_regimes(ctx: Context, results: list[RegimeResult], name: str) -> list[str]:
    if ctx.out_dir is None:
        return []
    fig, ax = plots.figure(12.0, 8.0)
    ax.remove()
    axes = fig.subplots(2, 2)
    gd_ax, flow_ax, prob_ax, mech_ax = axes.ravel()
    for r in results:
        d = r.plot_data
        for rule, pts in d["gd"].items():
            ks = [p["depth"] for p in pts if p["exact"]]
            gd_ax.semilogy(ks, [p["median"] for p in pts if p["exact"]], "o-", label=f"{d['label']}, {gd_rule_text(rule)}")
            low = [p for p in pts if not p["exact"]]
            if low:
                gd_ax.semilogy([p["depth"] for p in low], [p["median"] for p in low], "^", label="lower bound (≥ cap)")
        ks = np.array(d["flow_depths"], dtype=float)
        flow_ax.plot(ks, d["medians"], "o", label=f"{d['label']}: median log t_k (flow)")
        fit = d["fit"]
        flow_ax.plot(ks, fit.exponential.intercept + fit.exponential.slope * ks, "--",
                     label=f"{d['label']}: exp fit, slope {fit.exponential.slope:.2f}")
        if r.claim.init == "gaussian":
            grid = np.linspace(ks.min(), ks.max(), 100)
            offset = np.median(np.array(d["medians"]) - (GAUSSIAN_RATE * ks - 2 * np.log(ks)))
            flow_ax.plot(grid, GAUSSIAN_RATE * grid - 2 * np.log(grid) + offset, ":", color="k",
                         label="law c*k − 2 log k + a")
        n = d["runs"]
        prob_ax.plot(ks, np.array(d["flow_slow"]) / n, "o-", label=f"{d['label']}: P(t ≥ e^(sk)) (flow)")
        prob_ax.plot(ks, np.array(d["cert_slow"]) / n, "s--", label=f"{d['label']}: P(B ≥ e^(sk)) (certified)")
        rows = np.array(d["mech"]["rows"])
        mech_ax.plot(rows[:, 0], rows[:, 1], "o-", label=f"{d['label']}: mean log|Π w_i(0)|")
        mech_ax.plot(rows[:, 0], -mechanism_rate(r.claim.init) * rows[:, 0], ":", color="k",
                     label=f"{d['label']}: −E log|w|·k")
    gd_ax.set_xlabel("depth k")
    gd_ax.set_ylabel("median GD iterations to ε")
    gd_ax.legend(fontsize=7)
    flow_ax.set_xlabel("depth k")
    flow_ax.set_ylabel("median log t_k (flow time ≈ ηT)")
    flow_ax.legend(fontsize=7)
    prob_ax.axhline(1.0, color="gray", lw=0.5)
    prob_ax.axhline(0.5, color="gray", ls=":", lw=0.8, label="½ (deepest-depth rule)")
    prob_ax.set_xscale("log")
    prob_ax.set_xlabel("depth k")
    prob_ax.set_ylabel("fraction of slow runs")
    prob_ax.legend(fontsize=7)
    mech_ax.set_xlabel("depth k")
    mech_ax.set_ylabel("natural log")
    mech_ax.legend(fontsize=7)
    return plots.save(fig, ctx, f"sweep-{name}")


THEOREM = register(Theorem(
    id="shamir2018.exponential_time",
    title="1-D deep linear nets: GD from random init needs exp(Ω(k)) iterations",
    source="Shamir 2019 (COLT; arXiv 1809.08587), Theorem 1 (as on seed slides 003)",
    statement="For F(w_1..w_k) = f(Π w_i) and an init close to (1,…,1) or zero-mean unit-variance, w.p. ≥ 1 − exp(−Ω(k)) "
              "GD (step γ ≤ exp(−Ck) on the slides; η ≤ exp(ck) in Hu–Xiao–Pennington's generalisation) needs "
              "≥ exp(Ω(k)) iterations to reach F − inf F ≤ ε.",
    hypotheses=("scalar parameters w_1..w_k, f(p) = ½(p − 1)² (minimiser away from 0), ε = 0.01",
                "w_i(0) i.i.d. N(0, 1), or i.i.d. 1 + 0.5·N(0, 1) (near (1,…,1))",
                (f"GD steps: η = {ETA} and η_k = e^(−{STEP_C}k) for N(0,1); η = {SMALL_ETA} near one; "
                 "the certified bound holds for every η")),
    conclusion="ηT_k (gradient-flow time) grows like e^(ck) beyond any power of k; P(T ≥ e^(sk)/η) → 1 with k "
               "(certified per run); GD counts follow the flow; |Π w_i(0)| decays at rate −E log|w|.",
    certification=Certification.STATISTICAL,
    check=check_theorem,
    controls=(
        Control("identity-init-exponential", "From identity init with a positive target (y = 2, η ∝ 1/k) GD "
                "also needs exp(Ω(k)) iterations w.h.p.",
                lambda ctx: check_claim(ctx, ShamirClaim(init="identity"))),
        Control("gaussian-critical-scale", f"From i.i.d. N(0, σ*²) init with σ* = e^(c*) = {CRITICAL_SCALE:.3f} (E log|w| = 0, "
                "the threshold of the mechanism) GD also needs exp(Ω(k)) iterations w.h.p.",
                lambda ctx: check_claim(ctx, ShamirClaim(init="critical"))),
    ),
    constants={"ε": Constant(EPS, "chosen"), "target y": Constant(TARGET, "chosen"),
               "η": Constant(ETA, "chosen", "fixed step: the 'η ≤ e^(ck)' reading"),
               "C (η_k = e^(−Ck))": Constant(STEP_C, "chosen", "the slides' 'γ ≤ e^(−Ck)' reading"),
               "near-one spread σ": Constant(NEAR_ONE_SPREAD, "chosen"),
               "small η": Constant(SMALL_ETA, "chosen", "near one (curvature ≈ k at the minimiser) and at the critical scale"),
               "MIN_RATE": Constant(MIN_RATE, "chosen", "smallest excess rate called exponential"),
               "SLOW_FRACTION": Constant(SLOW_FRACTION, "chosen", "slow rate s = this × −E log|w(0)| of the regime"),
               "AGREEMENT_TOL": Constant(AGREEMENT_TOL, "chosen", "|median ηT/t − 1| for GD vs flow"),
               "MECHANISM_TOL": Constant(MECHANISM_TOL, "chosen", "decay rate of |Π w(0)| vs −E log|w|"),
               "ORACLE_TOL": Constant(ORACLE_TOL, "chosen", "engine vs back-propagation oracle"),
               "ARB_AGREEMENT": Constant(ARB_AGREEMENT, "chosen", "log B in float64 log space vs arb"),
               "deepest-depth rule": Constant(0.5, "chosen", "at the deepest depth ≥ half the runs slow"),
               "c* = −E log|N(0,1)|": Constant(float(GAUSSIAN_RATE), "chosen", "(γ + ln 2)/2: a property of N(0,1), not a fit"),
               "GD iteration cap": Constant("ci 5e3, default 2e4, thorough 1e5", "chosen", "censored runs are lower bounds")},
    headline="N(0,1): growth rate c of ηT_k beyond any power of k (gradient flow)",
    tags=frozenset({"statistical", "high-precision", "certified-bound"}),
))

"""Anytime-valid sequential decisions: stop sampling (seeds, cases) as soon as a verdict is decided.

Fixed-n tests spend most of their budget on cases that were clear after a few samples. The tools
here look at the data after every sample or batch and stop early while keeping their stated error
rates:

* `BernoulliSPRT` — Wald's sequential probability ratio test for a success rate, e.g. "≥ 95% of
  seeds obey the bound" (H1: p ≥ 0.95) against "≤ 85% do" (H0: p ≤ 0.85).
* `confidence_sequence` — intervals for a bounded mean that hold at every sample size at once
  (Waudby-Smith & Ramdas 2023), and `MeanThresholdTest`, which stops once they exclude a threshold.

Both tests report a `SequentialOutcome`: the decision, the samples used, the maximum and a one-line
reason. Reaching the maximum undecided is an inconclusive verdict, never a pass.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgument, check_range, check_type

__all__ = ["BernoulliSPRT", "MeanThresholdTest", "SequentialOutcome", "confidence_sequence"]


@dataclass(frozen=True)
class SequentialOutcome:
    """Where a sequential test stands: ``decision`` ("continue" while sampling should go on),
    ``samples`` used of at most ``max_samples``, and why it stopped (or why it goes on)."""

    decision: str
    samples: int
    max_samples: int
    reason: str


def _check_count(value: int, name: str, low: int) -> None:
    check_type(value, numbers.Integral, name)
    check_range(value, name, low=low)


class BernoulliSPRT:
    """Wald's SPRT of H0: p ≤ p0 against H1: p ≥ p1 (p0 < p1) for i.i.d. Bernoulli(p) outcomes
    (A. Wald, "Sequential tests of statistical hypotheses", Ann. Math. Statist. 16, 117–186, 1945).

    After n trials with s successes the log-likelihood ratio of p1 to p0 is

        Λ_n = s·log(p1/p0) + (n − s)·log((1 − p1)/(1 − p0)).

    The test accepts H1 ("accept_h1") once Λ_n ≥ log((1 − β)/α), accepts H0 ("accept_h0") once
    Λ_n ≤ log(β/(1 − α)), and otherwise continues, up to ``max_trials``; reaching it without a
    crossing gives "undecided".

    Error rates: Wald's inequalities hold for any checking schedule (after every trial or every
    batch) and under truncation: α' = P_{p0}(accept H1) ≤ α/(1 − β), β' = P_{p1}(accept H0) ≤
    β/(1 − α) and α' + β' ≤ α + β; the overshoot of the discrete steps makes α' ≤ α and β' ≤ β in
    practice, the stated rates. A success raises Λ along the whole path, so P_p(accept H1) grows with
    p: the bounds hold for every p ≤ p0 and every p ≥ p1. Inside the indifference zone p0 < p < p1
    either decision may come out.

    Usage — "≥ 95% of seeds obey the bound", with a pass decided against "≤ 85% do"::

        test = BernoulliSPRT(p0=0.85, p1=0.95, alpha=0.05, beta=0.05, max_trials=400)
        while test.decision == "continue":
            batch = next_seeds(8)
            test.update(sum(obeys(seed) for seed in batch), len(batch))
        test.outcome   # accept_h1: pass; accept_h0: fail; undecided: inconclusive
    """

    def __init__(self, p0: float, p1: float, alpha: float = 0.05, beta: float = 0.05,
                 max_trials: int = 1000) -> None:
        check_range(p0, "p0", low=0.0, high=1.0, low_open=True, high_open=True)
        check_range(p1, "p1", low=p0, high=1.0, low_open=True, high_open=True)
        check_range(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
        check_range(beta, "beta", low=0.0, high=1.0, low_open=True, high_open=True)
        if alpha + beta >= 1:
            raise InvalidArgument(f"alpha + beta = {alpha + beta!r} must be < 1 (alpha={alpha!r}, beta={beta!r})")
        _check_count(max_trials, "max_trials", 1)
        self.p0, self.p1, self.alpha, self.beta, self.max_trials = p0, p1, alpha, beta, int(max_trials)
        self.successes = 0
        self.trials = 0
        self.decision = "continue"
        """"accept_h1", "accept_h0", "continue" or "undecided"."""

    @property
    def lower(self) -> float:
        """Accept H0 at or below this log-likelihood ratio: log(β/(1 − α))."""
        return math.log(self.beta / (1 - self.alpha))

    @property
    def upper(self) -> float:
        """Accept H1 at or above this log-likelihood ratio: log((1 − β)/α)."""
        return math.log((1 - self.beta) / self.alpha)

    @property
    def llr(self) -> float:
        """Λ_n, the log-likelihood ratio of p1 to p0 after the trials so far."""
        return (self.successes * math.log(self.p1 / self.p0)
                + (self.trials - self.successes) * math.log((1 - self.p1) / (1 - self.p0)))

    def update(self, successes: int, trials: int = 1) -> str:
        """Add a batch of ``trials`` outcomes of which ``successes`` succeeded; return the decision."""
        if self.decision != "continue":
            raise InvalidArgument(f"BernoulliSPRT already stopped ({self.outcome.reason}); start a new test")
        _check_count(trials, "trials", 1)
        _check_count(successes, "successes", 0)
        check_range(successes, "successes", high=trials)
        check_range(trials, "trials", high=self.max_trials - self.trials)
        self.successes += int(successes)
        self.trials += int(trials)
        llr = self.llr
        if llr >= self.upper:
            self.decision = "accept_h1"
        elif llr <= self.lower:
            self.decision = "accept_h0"
        elif self.trials == self.max_trials:
            self.decision = "undecided"
        return self.decision

    @property
    def outcome(self) -> SequentialOutcome:
        """The decision, trials used, the maximum and a one-line reason (for the report)."""
        llr, counts = self.llr, f"{self.successes}/{self.trials} successes"
        reason = {
            "accept_h1": f"log-likelihood ratio {llr:.3g} ≥ log((1−β)/α) = {self.upper:.3g} at {counts}: "
                         f"p ≥ {self.p1} accepted (α = {self.alpha})",
            "accept_h0": f"log-likelihood ratio {llr:.3g} ≤ log(β/(1−α)) = {self.lower:.3g} at {counts}: "
                         f"p ≤ {self.p0} accepted (β = {self.beta})",
            "undecided": f"maximum of {self.max_trials} trials reached at {counts} with log-likelihood ratio "
                         f"{llr:.3g} between the thresholds: inconclusive",
            "continue": f"log-likelihood ratio {llr:.3g} inside ({self.lower:.3g}, {self.upper:.3g}) at {counts}",
        }[self.decision]
        return SequentialOutcome(self.decision, self.trials, self.max_trials, reason)


def confidence_sequence(values: Sequence[float] | np.ndarray, alpha: float = 0.05, low: float = 0.0,
                        high: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper ends, after each of the first t = 1, …, n values (along the last axis), of a
    (1 − α) confidence sequence for the mean μ of values in [low, high]: the predictable plug-in
    empirical-Bernstein ("PrPl-EB") sequence of Waudby-Smith & Ramdas ("Estimating means of bounded
    random variables by betting", JRSS B 86, 2024, online 2023; arXiv:2010.09686, Theorem 2), whose
    supermartingale is the empirical-Bernstein one of Howard, Ramdas, McAuliffe & Sekhon
    ("Time-uniform, nonparametric, nonasymptotic confidence sequences", Ann. Statist. 49, 2021).

    With x_i = (X_i − low)/(high − low) ∈ [0, 1], μ̂_0 = 1/2, σ̂²_0 = 1/4 and for t ≥ 1

        μ̂_t = (1/2 + Σ_{i≤t} x_i) / (t + 1),      σ̂²_t = (1/4 + Σ_{i≤t} (x_i − μ̂_i)²) / (t + 1),
        λ_t = min(1/2, √(2 log(2/α) / (σ̂²_{t−1} · t · log(1 + t)))),      ψ(λ) = −log(1 − λ) − λ,
        C_t = Σ_{i≤t} λ_i x_i / Σ_{i≤t} λ_i  ±  (log(2/α) + Σ_{i≤t} (x_i − μ̂_{i−1})² ψ(λ_i)) / Σ_{i≤t} λ_i,

    P(μ ∈ C_t for every t ≥ 1) ≥ 1 − α whenever each X_t has conditional mean μ given the past
    (i.i.d. is a special case). Each side's process exp(Σ λ_i(±(x_i − μ)) − (x_i − μ̂_{i−1})² ψ(λ_i))
    is a nonnegative supermartingale (λ_i and μ̂_{i−1} use only earlier values), and Ville's
    inequality bounds the chance it ever exceeds 2/α by α/2. Since the guarantee holds for all t at
    once, the returned ends are clipped to [low, high] and running-intersected (running max of
    the lower end, running min of the upper end), and stopping at a data-dependent time — after
    peeking at every batch — keeps the coverage.
    """
    check_range(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
    check_range(low, "low")
    check_range(high, "high", low=low, low_open=True)
    raw = np.asarray(values, dtype=np.float64)
    if raw.ndim == 0 or not np.all(np.isfinite(raw)) or np.any(raw < low) or np.any(raw > high):
        raise InvalidArgument(f"confidence_sequence needs a sequence of finite values in [{low}, {high}]; "
                              f"got {raw.ravel()[:5]}{'…' if raw.size > 5 else ''}")
    x = (raw - low) / (high - low)
    t = np.arange(1, x.shape[-1] + 1)
    start = np.ones(x.shape[:-1] + (1,))
    mu = (0.5 + np.cumsum(x, axis=-1)) / (t + 1)
    var = (0.25 + np.cumsum((x - mu) ** 2, axis=-1)) / (t + 1)
    mu_before = np.concatenate([0.5 * start, mu[..., :-1]], axis=-1)
    var_before = np.concatenate([0.25 * start, var[..., :-1]], axis=-1)
    log_term = math.log(2 / alpha)
    lam = np.minimum(0.5, np.sqrt(2 * log_term / (var_before * t * np.log1p(t))))
    psi = -np.log1p(-lam) - lam
    weight = np.cumsum(lam, axis=-1)
    centre = np.cumsum(lam * x, axis=-1) / weight
    margin = (log_term + np.cumsum((x - mu_before) ** 2 * psi, axis=-1)) / weight
    lower = np.maximum.accumulate(np.clip(centre - margin, 0.0, 1.0), axis=-1)
    upper = np.minimum.accumulate(np.clip(centre + margin, 0.0, 1.0), axis=-1)
    return low + (high - low) * lower, low + (high - low) * upper


class MeanThresholdTest:
    """Decide whether the mean μ of values in [low, high] lies above or below ``threshold``: sample
    until the `confidence_sequence` at level 1 − α excludes it.

    "above" once its lower end exceeds ``threshold``, "below" once its upper end falls under it,
    "undecided" if ``max_samples`` values leave it inside. The sequence covers μ at every sample size
    with probability ≥ 1 − α, each side failing with probability ≤ α/2, so P("above" | μ ≤ threshold)
    ≤ α/2 and P("below" | μ ≥ threshold) ≤ α/2 however the batches fall. If the running
    intersection ever becomes empty (possible only on that ≤ α event) the verdict is "undecided".

    Unlike `BernoulliSPRT` it needs no alternative and no distribution, only the bounds: use it for
    bounded measurements (a ratio in [0, 1], a clipped error) and for rates near a threshold.
    Each update recomputes the sequence from all values so far (O(n) per update).
    """

    def __init__(self, threshold: float, alpha: float = 0.05, low: float = 0.0, high: float = 1.0,
                 max_samples: int = 1000) -> None:
        check_range(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
        check_range(low, "low")
        check_range(high, "high", low=low, low_open=True)
        check_range(threshold, "threshold", low=low, high=high)
        _check_count(max_samples, "max_samples", 1)
        self.threshold, self.alpha, self.low, self.high = threshold, alpha, low, high
        self.max_samples = int(max_samples)
        self.values: list[float] = []
        self.interval = (low, high)
        """The confidence sequence's current (running-intersected) interval for the mean."""
        self.decision = "continue"
        """"above", "below", "continue" or "undecided"."""

    def update(self, values: float | Sequence[float]) -> str:
        """Add one value or a batch; return the decision."""
        if self.decision != "continue":
            raise InvalidArgument(f"MeanThresholdTest already stopped ({self.outcome.reason}); start a new test")
        batch = np.atleast_1d(np.asarray(values, dtype=np.float64))
        check_range(batch.size, "number of values", low=1, high=self.max_samples - len(self.values))
        lower, upper = confidence_sequence(np.concatenate([self.values, batch]), self.alpha, self.low, self.high)
        self.values.extend(batch.tolist())
        self.interval = (float(lower[-1]), float(upper[-1]))
        if self.interval[0] > self.interval[1]:
            self.decision = "undecided"
        elif self.interval[0] > self.threshold:
            self.decision = "above"
        elif self.interval[1] < self.threshold:
            self.decision = "below"
        elif len(self.values) == self.max_samples:
            self.decision = "undecided"
        return self.decision

    @property
    def outcome(self) -> SequentialOutcome:
        """The decision, samples used, the maximum and a one-line reason (for the report)."""
        n, (lo, hi) = len(self.values), self.interval
        cs = f"{1 - self.alpha:g} confidence sequence [{lo:.4g}, {hi:.4g}]"
        if self.decision == "undecided" and lo > hi:
            reason = f"the {cs} became empty after {n} samples (a ≤ α event): inconclusive"
        else:
            reason = {
                "above": f"{cs} lies above {self.threshold} after {n} samples",
                "below": f"{cs} lies below {self.threshold} after {n} samples",
                "undecided": f"maximum of {n} samples reached with {self.threshold} inside the {cs}: inconclusive",
                "continue": f"{cs} contains {self.threshold} after {n} samples",
            }[self.decision]
        return SequentialOutcome(self.decision, n, self.max_samples, reason)

"""Mutation analysis: planted mathematical bugs, and which checks see them (`verify mutate`).

A check is worth what it can refute. Each `Mutant` is one small mathematical change to the code
the theorems rely on — a layer gradient ×1.01, a transposed factor, an exponent shifted by 1/N, a
precision silently lowered, divergence detection switched off, a confidence interval halved, an
error recorded as a pass. It is applied *in-process* by rewriting one function's source: the
function's source is read, one snippet replaced (it must occur exactly once), the new definition
compiled in the function's own module namespace, and its code object and defaults swapped into the
original function object — so every reference to the function, including ``from x import f``
copies in theorem modules, runs the mutant until `applied` exits and restores the original.

`probe` finds which checks call which targets (each target's code is swapped for a counting
trampoline during one run), so that a mutant is run only against the theorems that execute it;
a mutant that no theorem executes can only be seen by the unit tests. `run_mutant` applies a
mutant and runs the given theorems and their controls: a theorem is *killed* when it is no longer
verified (falsified or inconclusive), or a control no longer refuted, or a check errs (its controls are then not run: the
mutant is already seen). A theorem that runs past its time limit (a few times its unmutated time)
is stopped and recorded as ``timeout`` — a change of behaviour, but not a kill. Given the
unmutated outcomes (``stop_on_change_from``), the remaining theorems are skipped (``not run``) once
one theorem's outcome differs from its unmutated one (for an expected failure, "falsified" is
the unmutated outcome, and staying falsified is not a kill).
"""

from __future__ import annotations
import __future__

import contextlib
import importlib
import inspect
import signal
import textwrap
import types
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from ..errors import InvalidArgument

__all__ = ["Mutant", "CATALOGUE", "mutant", "applied", "probe", "run_mutant", "is_kill", "KILL_KINDS"]

KILL_KINDS = ("falsified", "inconclusive", "error", "control not refuted", "survived", "timeout", "not run")
KILLS = ("error", "falsified", "inconclusive", "control not refuted")


class _OverTime(BaseException):
    """Raised by the timer inside a check; a BaseException, so the runner does not record it as an error."""


@dataclass(frozen=True)
class Mutant:
    """One planted bug: in ``target`` ("module:qualname"), replace ``find`` (occurring once) by ``replace``.

    ``tests``: the unit-test files (relative to the repository) that exercise the target.
    """

    id: str
    description: str
    target: str
    find: str
    replace: str
    tests: tuple[str, ...] = ()


def _m(id: str, description: str, target: str, find: str, replace: str, *tests: str) -> Mutant:
    return Mutant(id, description, target, find, replace, tuple(tests))


NET, LOSS, BACK, FIX = ("verify.engine.network", "verify.engine.losses", "verify.engine.backends",
                        "verify.engine.fixedpoint")
T_NET = "tests/engine/test_network_and_dynamics.py"
T_BALL = "tests/engine/test_ball_containment.py"
T_RULE = "tests/engine/test_end_to_end_rule.py"
T_CHAIN = "tests/engine/test_scalar_chains.py"
T_STATS = "tests/checking/test_stats_calibration.py"

CATALOGUE: tuple[Mutant, ...] = (
    _m("grad-layer1-x1.01", "the first layer's gradient ×1.01", f"{NET}:_chain_factors",
       "    backs.reverse()\n", "    backs.reverse()\n    backs[0] = 1.01 * backs[0]\n", T_NET),
    _m("grad-factor-untransposed", "back-propagation through W_j instead of W_jᵀ", f"{NET}:_chain_factors",
       "b.matmul(b.transpose(w), backs[-1])", "b.matmul(w, backs[-1])", T_NET),
    _m("loss-gradient-x2", "∇ℓ twice the gradient of the reported loss (α = 1 path)", f"{LOSS}:QuadraticLoss.gradient",
       "return b.matmul(w_e, self._sxx) - self._syx", "return 2.0 * (b.matmul(w_e, self._sxx) - self._syx)", T_NET),
    _m("loss-value-half-dropped", "ℓ without the ½ on the quadratic term", f"{LOSS}:QuadraticLoss.value",
       "return self._half_alpha_sq *", "return 2 * self._half_alpha_sq *", T_NET, T_BALL),
    _m("gd-step-eta-x1.01", "GD takes steps 1% longer than η", f"{NET}:gd_step",
       "gradients = layer_gradients(weights, loss, layer_scales)",
       "gradients = layer_gradients(weights, loss, layer_scales)\n    eta = 1.01 * eta", T_NET),
    _m("end-to-end-reversed", "W_e = W_1⋯W_N (product in the wrong order)", f"{NET}:end_to_end",
       "product = backend.matmul(w, product)", "product = backend.matmul(product, w)", T_NET),
    _m("defects-sign", "D_j = W_{j+1}ᵀW_{j+1} + W_jW_jᵀ", f"{NET}:balancedness_defects",
       "weights[j + 1]) - b.matmul(weights[j]", "weights[j + 1]) + b.matmul(weights[j]", T_NET),
    _m("balancing-skipped", "Procedure 1 without the Σ^{1/N} split: W_1 = ΣVᵀ, W_j = I, W_N = U (same product)",
       "verify.engine.inits:balanced",
       "root = np.diag(s ** (1.0 / depth))\n    layers = []\n    for j in range(depth):\n"
       "        w = np.zeros((dims[j + 1], dims[j]))\n        core = root\n        if j == 0:\n            core = core @ vt",
       "root = np.eye(s.size)\n    layers = []\n    for j in range(depth):\n"
       "        w = np.zeros((dims[j + 1], dims[j]))\n        core = root\n        if j == 0:\n"
       "            core = np.diag(s) @ vt", T_NET),
    _m("du-hu-alpha-dropped", "α = 1 instead of 1/√(m^{L−1} d_y)", "verify.engine.inits:du_hu_alpha",
       "return float(1.0 / np.sqrt(float(m) ** (depth - 1) * dims[-1]))", "return 1.0", T_NET),
    _m("orthogonal-scale-dropped", "orthogonal init ignores its scale", "verify.engine.inits:orthogonal",
       "return [scale * _random_orthonormal(", "return [1.0 * _random_orthonormal(", T_NET),
    _m("e2e-exponent-shifted", "end-to-end rule exponents (j−1)/N → j/N", "verify.engine.end_to_end_rule:paper_exponents",
       "return (j - 1) / depth, (depth - j) / depth", "return j / depth, (depth - j) / depth", T_RULE),
    _m("power-exponents-x1.3", "every exponent inside _power scaled by 1.3", "verify.engine.end_to_end_rule:_power",
       "np.power(base, exponent,", "np.power(base, 1.3 * exponent,", T_RULE),
    _m("single-output-factor-n", "single-output projection factor N − 1 → N",
       "verify.engine.end_to_end_rule:single_output_direction",
       "c = depth - 1 if projection_factor is None", "c = depth if projection_factor is None", T_RULE),
    _m("arb-53-bits", "arb balls at 53 bits whatever the requested digits", f"{BACK}:ArbBackend.active",
       "ctx.dps = self.dps", "ctx.prec = 53", T_BALL),
    _m("fixed-radius-no-rounding", "fixed-point radii without the rounding term", f"{FIX}:_round_up",
       "bound = (value + ulps * ulp) * (1.0 + (terms + 10) * 2.0 ** -50)", "bound = value", T_BALL,
       "tests/engine/test_fixedpoint.py"),
    _m("divergence-detection-off", "run_gd never flags a run as diverged", "verify.engine.dynamics:run_gd",
       "bad = (~np.isfinite(value) | (value > limit)) & (diverged_at < 0)", "bad = np.zeros(np.shape(value), bool)",
       T_NET),
    _m("flow-tolerance-loose", "gradient flow integrated with rtol 1e-3, atol 1e-5", "verify.engine.dynamics:gradient_flow",
       'method="DOP853", rtol=rtol, atol=atol)', 'method="DOP853", rtol=1e-3, atol=1e-5)', T_NET),
    _m("chain-gradient-off-by-w", "1-D chain gradient ∂F/∂w_j multiplied by w_j (inclusive products)",
       "verify.engine.scalar_chains:chain_gradients", "pre *= loss.derivative(p)",
       "pre *= loss.derivative(p)\n    pre *= wt", T_CHAIN),
    _m("chain-derivative-x1.01", "f'(p) ×1.01 for 1-D chains", "verify.engine.scalar_chains:ChainLoss.derivative",
       "return self.a * p - self.b", "return 1.01 * (self.a * p - self.b)", T_CHAIN),
    _m("excess-loss-half-dropped", "ℓ − ℓ* without the ½", "verify.checking.convergence:excess_loss",
       'return 0.5 * np.einsum(', 'return np.einsum(', "tests/theorems/test_sharp2023.py"),
    _m("linear-fit-ci-halved", "slope confidence intervals half as wide", "verify.checking.stats:linear_fit",
       "half = stats.t.ppf(0.5 + level / 2, n - 2) * stderr if n > 2",
       "half = 0.5 * stats.t.ppf(0.5 + level / 2, n - 2) * stderr if n > 2", T_STATS),
    _m("clopper-pearson-halved", "binomial intervals half as wide", "verify.checking.stats:clopper_pearson",
       "    interval = float(low), float(high)",
       "    mid = successes / trials\n    interval = float(mid - (mid - low) / 2), float(mid + (high - mid) / 2)",
       T_STATS),
    _m("mean-ci-halved", "t intervals of the mean half as wide", "verify.checking.stats:mean_ci",
       "half = float(stats.t.ppf(", "half = 0.5 * float(stats.t.ppf(", T_STATS),
    _m("error-recorded-as-holds", "the runner records a check that raises as holding",
       "verify.checking.runner:run_check", "return CheckOutcome(None, message,",
       "return CheckOutcome(Evidence(True, message), None,", "tests/checking/test_provenance.py"),
    _m("lp-gradient-exponent", "ℓ_p gradient with |r|^{p−2} instead of |r|^{p−1}",
       "verify.experiments.optim_baselines:LpLoss.gradient", "_signed_power(r, self.p - 1)",
       "_signed_power(r, self.p - 2)", "tests/experiments/test_optim_baselines.py"),
)

_BY_ID = {m.id: m for m in CATALOGUE}
assert len(_BY_ID) == len(CATALOGUE), "duplicate mutant ids"


def mutant(mutant_id: str) -> Mutant:
    try:
        return _BY_ID[mutant_id]
    except KeyError:
        raise InvalidArgument(f"unknown mutant {mutant_id!r}; `verify mutate --list` shows the catalogue") from None


def _resolve(target: str) -> types.FunctionType:
    """The plain function object behind "module:Qual.name" (unwrapping decorators such as contextmanager)."""
    module_name, _, qualname = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = inspect.getattr_static(obj, part) if isinstance(obj, type) else getattr(obj, part)
    obj = getattr(obj, "__func__", obj)                     # classmethod / staticmethod
    obj = getattr(obj, "fget", obj)                         # property
    while hasattr(obj, "__wrapped__"):
        obj = obj.__wrapped__
    if not isinstance(obj, types.FunctionType):
        raise InvalidArgument(f"mutant target {target!r} is not a function")
    return obj


def _compile_variant(func: types.FunctionType, find: str, replace: str, label: str) -> types.FunctionType:
    source = textwrap.dedent(inspect.getsource(func))
    if source.count(find) != 1:
        raise InvalidArgument(f"mutant {label}: the snippet occurs {source.count(find)} times in "
                              f"{func.__module__}.{func.__qualname__}, not once (has the code changed?)")
    body = source.replace(find, replace)
    lines = body.splitlines(keepends=True)
    while lines and lines[0].lstrip().startswith("@"):        # decorators are applied to the original already
        lines.pop(0)
    namespace: dict[str, Any] = {}
    code = compile("".join(lines), f"<mutant {label}>", "exec",
                   flags=__future__.annotations.compiler_flag, dont_inherit=True)
    exec(code, func.__globals__, namespace)
    new = namespace[func.__name__]
    if new.__code__.co_freevars != func.__code__.co_freevars:
        raise InvalidArgument(f"mutant {label}: {func.__qualname__} is a closure; its code cannot be swapped")
    return new


@contextlib.contextmanager
def _swapped(func: types.FunctionType, new: types.FunctionType) -> Iterator[None]:
    saved = (func.__code__, func.__defaults__, func.__kwdefaults__)
    func.__code__, func.__defaults__, func.__kwdefaults__ = new.__code__, new.__defaults__, new.__kwdefaults__
    try:
        yield
    finally:
        func.__code__, func.__defaults__, func.__kwdefaults__ = saved


@contextlib.contextmanager
def applied(m: Mutant) -> Iterator[None]:
    """Run the block with mutant ``m`` in place of its target, everywhere it is referenced."""
    func = _resolve(m.target)
    with _swapped(func, _compile_variant(func, m.find, m.replace, m.id)):
        yield


_PROBE = "__dlverify_probe__"


@contextlib.contextmanager
def probe(targets: list[str]) -> Iterator[dict[str, int]]:
    """Count calls of each target inside the block (target → calls), by swapping each function's
    code for a trampoline into a counting copy of itself."""
    counts = {t: 0 for t in targets}
    with contextlib.ExitStack() as stack:
        for target in dict.fromkeys(targets):
            func = _resolve(target)
            original = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__,
                                          func.__closure__)
            original.__kwdefaults__ = func.__kwdefaults__
            func.__globals__.setdefault(_PROBE, {})[target] = _counting(original, counts, target)
            trampoline = _trampoline(target)
            if func.__code__.co_freevars:
                continue   # closures cannot be trampolined; they are never counted (reported as unexercised)
            stack.enter_context(_swapped(func, trampoline))
        yield counts


def _counting(original: Callable[..., Any], counts: dict[str, int], target: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        counts[target] += 1
        return original(*args, **kwargs)

    return call


def _trampoline(target: str) -> types.FunctionType:
    namespace: dict[str, Any] = {}
    exec(f"def trampoline(*args, **kwargs):\n    return {_PROBE}[{target!r}](*args, **kwargs)\n", {}, namespace)
    return namespace["trampoline"]


def run_mutant(m: Mutant | None, theorem_ids: list[str], profile: str, seed: int,
               status: Callable[[str], None] = lambda _msg: None, limits: dict[str, float] | None = None,
               stop_on_change_from: dict[str, str] | None = None) -> dict[str, str]:
    """theorem id → kill kind (`KILL_KINDS`) for each theorem run with mutant ``m`` in place
    (``m=None``: the unmutated code). ``limits``: seconds allowed per theorem (with its controls)."""
    outcome: dict[str, str] = {}
    with applied(m) if m is not None else contextlib.nullcontext():
        for theorem_id in theorem_ids:
            if stop_on_change_from is not None and any(is_kill(k, stop_on_change_from.get(t, "survived"))
                                                       for t, k in outcome.items()):
                outcome[theorem_id] = "not run"
                continue
            status(f"{m.id if m else 'unmutated'}: {theorem_id}")
            try:
                with _time_limit((limits or {}).get(theorem_id)):
                    outcome[theorem_id] = _run_theorem(theorem_id, profile, seed)
            except _OverTime:
                outcome[theorem_id] = "timeout"
    return outcome


def is_kill(kind: str, unmutated: str) -> bool:
    """A theorem sees a mutant when its outcome changes (a timeout or a skipped run is no evidence)."""
    return kind not in ("timeout", "not run") and kind != unmutated


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `_OverTime` inside the block after ``seconds`` of wall time (no limit for None)."""
    if seconds is None:
        yield
        return

    def over(_signum: int, _frame: Any) -> None:
        raise _OverTime

    previous = signal.signal(signal.SIGALRM, over)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run_theorem(theorem_id: str, profile: str, seed: int) -> str:
    """One theorem and (if it is still verified) its controls: the first kill kind seen, or "survived"."""
    from .context import Context
    from .profiles import get_profile
    from .registry import get
    from .runner import run_check

    theorem = get(theorem_id)
    result = run_check(theorem.check, Context(get_profile(profile), seed, theorem_id))
    verdict = result.theorem_verdict().value
    kinds = ["error" if result.error else None if verdict == "verified" else
             "inconclusive" if verdict == "inconclusive" else "falsified"]
    for control in theorem.controls if kinds == [None] else ():   # a killed theorem needs no controls run
        check_id = f"{theorem_id}[control:{control.id}]"
        c = run_check(control.check, Context(get_profile(profile), seed, check_id))
        kinds.append("error" if c.error else None if c.control_verdict().value == "refuted" else "control not refuted")
    return next((k for k in KILLS if k in kinds), "survived")

"""Run profiles: how much evidence to gather.

``ci`` is small and derandomized (minutes, for CI gates); ``default`` is the report users read;
``thorough`` runs the full sweeps. Theorems scale their own budgets with `Context.pick`.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings

from ..errors import InvalidArgument

__all__ = ["Profile", "PROFILES", "get_profile"]


@dataclass(frozen=True)
class Profile:
    name: str
    max_examples: int
    derandomize: bool
    description: str

    def hypothesis_settings(self, max_examples: int | None = None) -> settings:
        """Settings for one property: no example database (results depend only on the seed), no
        deadline (training runs are slow by design), shrinking on, no "explain" phase (after a failure
        it re-runs ~100 examples under a per-line tracer: seconds per failing control, no verdict)."""
        return settings(
            max_examples=self.max_examples if max_examples is None else max_examples,
            derandomize=self.derandomize,
            database=None,
            deadline=None,
            print_blob=False,
            report_multiple_bugs=False,
            phases=tuple(phase for phase in Phase if phase is not Phase.explain),
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                   HealthCheck.filter_too_much],
        )


PROFILES: dict[str, Profile] = {
    "ci": Profile("ci", max_examples=6, derandomize=True,
                  description="few examples, small sweeps, derandomized; for CI gates (minutes)"),
    "default": Profile("default", max_examples=25, derandomize=False,
                       description="the standard report: more examples and seeds (≤ ~20 minutes)"),
    "thorough": Profile("thorough", max_examples=100, derandomize=False,
                        description="full sweeps and many seeds (long)"),
}

for _profile in PROFILES.values():
    settings.register_profile(f"dlverify-{_profile.name}", _profile.hypothesis_settings())


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise InvalidArgument(f"profile={name!r} must be one of {', '.join(PROFILES)}") from None

"""The prober's errors: one clear line each, never a traceback for the user."""

from __future__ import annotations


class ProbeError(Exception):
    """The probe cannot start or go on (bad spec, bad identity, unreachable target...)."""


class ScopeError(ProbeError):
    """A request would leave the target's scheme, host and port."""


class SafetyError(ProbeError):
    """A request the safety model forbids (state-changing in safe mode, or on foreign data)."""


class BudgetExhausted(ProbeError):
    """The request budget is spent; the run stops and reports what it proved so far."""


class TimeUp(BudgetExhausted):
    """The run's time limit (--max-time) is reached; it stops and reports what it proved."""


class TargetDown(ProbeError):
    """The target stopped answering (connection refused, stalls, endless bodies) mid-run."""


class IdentityBroken(ProbeError):
    """A write made an identity stop working; writes stop, the cleanup restores, exit 2."""


class ProbeInterrupted(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C, SIGTERM); the message says what the cleanup did."""

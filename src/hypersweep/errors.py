"""The one exception tree of hypersweep.

Every error hypersweep raises on purpose is a :class:`HypersweepError`, so callers can
catch all of them at once, and each bad-input error is also a built-in ``ValueError`` or
``TypeError`` so code written for HyperDrive keeps working::

    HypersweepError
     ├── ConfigurationError (ValueError)      a value is out of the allowed range or set
     │    └── SearchSpaceError                 a parameter expression or space is invalid
     ├── ConfigurationTypeError (TypeError)   a value has the wrong type
     ├── StoreError                           the experiment store cannot be read or written
     │    └── NotFoundError (LookupError)      no experiment or run by that name or id
     └── ExecutionError                       a trial could not be launched or controlled

Messages name the field, the value received and what is allowed.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "ConfigurationTypeError",
    "ExecutionError",
    "HypersweepError",
    "HypersweepWarning",
    "NotFoundError",
    "SearchSpaceError",
    "StoreError",
    "WrongKindError",
]


class HypersweepError(Exception):
    """Base class of every error hypersweep raises deliberately."""


class ConfigurationError(HypersweepError, ValueError):
    """A configuration value is outside what is allowed."""


class SearchSpaceError(ConfigurationError):
    """A parameter expression or a search space is invalid."""


class ConfigurationTypeError(HypersweepError, TypeError):
    """A configuration value has the wrong type."""


class StoreError(HypersweepError):
    """The experiment store cannot be opened, read or written."""


class NotFoundError(StoreError, LookupError):
    """No experiment or run exists under the given name or id."""


class WrongKindError(NotFoundError):
    """The id names the other kind of thing: a run where a sweep is meant, or the reverse
    (the message says which, and what to give instead)."""


class ExecutionError(HypersweepError):
    """A trial could not be launched, watched or stopped."""


class HypersweepWarning(UserWarning):
    """A configuration that will run, but probably not as the user hopes."""

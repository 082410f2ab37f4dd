"""All parameter expressions, and their registry by HyperDrive name."""

from __future__ import annotations

from hypersweep.space._base import ParameterExpression
from hypersweep.space._discrete import Choice, RandInt
from hypersweep.space._numeric import (
    LogNormal,
    LogUniform,
    Normal,
    QLogNormal,
    QLogUniform,
    QNormal,
    QUniform,
    Uniform,
)

__all__ = [
    "Choice",
    "LogNormal",
    "LogUniform",
    "Normal",
    "ParameterExpression",
    "QLogNormal",
    "QLogUniform",
    "QNormal",
    "QUniform",
    "RandInt",
    "Uniform",
]

_BY_NAME: dict[str, type[ParameterExpression]] = {
    cls.name: cls
    for cls in (Choice, RandInt, Uniform, QUniform, LogUniform, QLogUniform,
                Normal, QNormal, LogNormal, QLogNormal)
}

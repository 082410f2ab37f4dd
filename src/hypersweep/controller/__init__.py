"""The controller: runs one sweep, writes its store rows, resumes after a crash."""

from hypersweep.controller._controller import Controller

__all__ = ["Controller"]

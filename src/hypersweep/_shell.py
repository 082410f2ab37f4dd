"""Trial commands that need a shell: ``cd src && python train.py``, ``$VAR``, ``a | b``.

Azure ML runs a job's ``command`` in a shell, so YAMLs written for it use shell syntax.
hypersweep starts a plain command (``python train.py --lr ${{search_space.lr}}``) without
a shell, filling each placeholder into its own argument, so a value is always exactly
one argument (ours). A command that uses shell syntax runs under ``bash -c`` (``sh``
where there is no bash) with its placeholders filled in as text, as Azure does. Either
way a backslash at the end of a line continues the line, as in a shell.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Sequence

__all__ = ["SHELL", "is_shell_command", "join_lines", "needs_shell", "shell_arguments",
           "shell_command", "tokens_need_shell"]

SHELL = "bash" if shutil.which("bash") else "sh"
_SHELLS = ("bash", "sh", "/bin/bash", "/bin/sh", "/usr/bin/bash")
_ANY_PLACEHOLDER = re.compile(r"\$\{\{[^}]*\}\}")
_CONTINUATION = re.compile(r"\\\r?\n")
_OPERATOR_CHARS = frozenset("();<>|&")
_OPERATORS = frozenset({"&&", "||", ";", "|", "&", ">", ">>", "<", "<<", "2>", "2>&1",
                        "&>", "|&", "(", ")"})


def join_lines(text: str) -> str:
    """``text`` with backslash-newline pairs removed (a shell's line continuation)."""
    return _CONTINUATION.sub("", text)


def needs_shell(text: str) -> bool:
    """Whether command ``text`` (continuations joined) uses shell syntax: an operator
    (``&&``, ``|``, ``;``, ``>``...) outside quotes, a ``$`` expansion or backquote other
    than a ``${{...}}`` placeholder, a word starting with ``~``, or several lines."""
    masked = _ANY_PLACEHOLDER.sub("P", text).strip()
    if "\n" in masked or "$" in masked or "`" in masked:
        return True
    lexer = shlex.shlex(masked, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:  # unbalanced quotes: the plain split reports it
        return False
    return any((w and set(w) <= _OPERATOR_CHARS) or w.startswith("~") for w in words)


def tokens_need_shell(tokens: Sequence[str]) -> bool:
    """Whether an argument list is a shell command written as a list (Azure's own
    example: ``"export PYTHONPATH=$PWD && cd foo && python x.py".split()``)."""
    return any(t in _OPERATORS or "$" in _ANY_PLACEHOLDER.sub("P", t) or "`" in t
               or t.startswith("~") for t in tokens)


def shell_command(text: str) -> list[str]:
    """The argv that runs ``text`` in a shell."""
    return [SHELL, "-c", text]


def is_shell_command(argv: Sequence[str]) -> bool:
    """Whether ``argv`` is ``bash -c TEXT`` (or ``sh -c TEXT``)."""
    return len(argv) == 3 and argv[0] in _SHELLS and argv[1] == "-c"


def shell_arguments(text: str) -> list[str]:
    """The words of a shell command, for display (the text itself if it cannot be split)."""
    try:
        return shlex.split(text)
    except ValueError:
        return [text]

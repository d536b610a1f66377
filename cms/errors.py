"""The project's exception tree outside the audit engine (the engine, a library of its own, has
``audit.engine.AuditError``). Every message says in one line what was wrong and what to do.

    ClinicError
    ├── InvalidInput   bad input: a 400 from a view (Django answers an uncaught one with 400
    │                  too, as a ``BadRequest``), a non-zero exit from a command
    ├── Conflict       the request clashes with the current state: a 409 (a run already active)
    └── any other      work that could not be done (an import that failed, a worker lost)
"""

from __future__ import annotations

from django.core.exceptions import BadRequest


class ClinicError(Exception):
    """The root of the project's own errors."""


class InvalidInput(ClinicError, BadRequest, ValueError):
    """Input the project cannot act on as given: options, a URL, a request's body."""


class Conflict(ClinicError):
    """The request clashes with what is going on: try again later, or act on that first."""

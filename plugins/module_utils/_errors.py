# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one exception base of the swp.aws collection, for internal use.

Every error the collection raises on purpose derives from :class:`SwpError`, so the module base
handles them in one place. Errors are raised anew (``raise ... from exc``), not edited in place.
"""

from __future__ import annotations

import copy


class SwpError(Exception):
    """An error of the collection: a sentence that says what failed and what to do, and a ``kind``.

    ``result`` carries what a module already did before it failed (``changed``, the connector...),
    so that the failed task's result stays honest.
    """

    kind = "error"

    def __init__(self, message, kind=None, result=None):
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        self.result = dict(result or {})

    def __str__(self):
        return self.message

    def with_result(self, result):
        """A copy of this error that carries ``result``, what the task already did (raise it ``from`` this one)."""
        error = copy.copy(self)
        error.result = dict(result)
        return error

    def to_dict(self):
        """Structured details for the failed task's result; None when there are none beyond the message."""
        return None

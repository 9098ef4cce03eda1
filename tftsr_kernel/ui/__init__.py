"""Notebook widgets (anywidget): span review, 5-Whys and audit trail.

    from tftsr_kernel.ui import ReviewWidget, WhysWidget, AuditWidget
    ReviewWidget(wb)            # the current issue's detected values, one page at a time

The ES modules and CSS live in the top-level ``widgets/`` folder (``tftsr_kernel/_widgets`` in a
wheel). Every widget reads and writes through a :class:`~tftsr_kernel.workbench.Workbench`, so a
decision made in the browser is in the store (and audited) before the widget redraws.
"""

from __future__ import annotations

from .audit import AuditWidget
from .review import ReviewWidget
from .whys import WhysWidget

__all__ = ["AuditWidget", "ReviewWidget", "WhysWidget"]

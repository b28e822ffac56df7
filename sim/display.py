"""How results show themselves: short numbers, and the small HTML tables a notebook displays.

``RunResult``, ``Comparison`` and ``SweepResult`` have a one-line ``repr`` and
a ``_repr_html_`` built from :func:`html_table`; this module imports nothing
else from :mod:`sim`.

Examples
--------
>>> number(1234.5), number(0.01234), number(None), number(float("nan")), number(3)
('1,234', '0.0123', 'n/a', 'n/a', '3')
>>> html_table("demo <1>", [("final share", "0.5")], "a note").split("</caption>")[0]
'<div class="bouche-result"><table><caption><b>demo &lt;1&gt;</b>'
"""

from __future__ import annotations

import html
import math

__all__ = ["html_table", "number"]


def number(x) -> str:
    """A number in a few characters: thousands separated, 3 significant digits below 1; ``n/a`` for None or NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, bool) or not isinstance(x, (int, float)) and not hasattr(x, "__float__"):
        return str(x)
    if isinstance(x, int) or float(x).is_integer() and abs(float(x)) >= 1:
        return f"{int(x):,}"
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return f"{x:.3g}"


def html_table(caption: str, rows: list[tuple[str, str]], note: str = "") -> str:
    """A two-column table (name, value) under a bold caption, with a note below it; every text is escaped."""
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:right'>"
                   f"{html.escape(v)}</td></tr>" for k, v in rows)
    foot = f"<p style='font-size:85%'>{html.escape(note)}</p>" if note else ""
    head = f"<caption><b>{html.escape(caption)}</b></caption>"
    return f'<div class="bouche-result"><table>{head}{body}</table>{foot}</div>'

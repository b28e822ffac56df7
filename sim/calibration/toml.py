"""Writing a scenario back as TOML (the shape :func:`sim.config.load` reads).

Examples
--------
>>> from sim import config
>>> text = scenario_toml(config.load("bass", overrides={"wom.q": 0.41}))
>>> 'q = 0.41' in text, text.count("[[media]]")
(True, 1)
"""

from __future__ import annotations

import json

__all__ = ["scenario_toml"]


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if v == v and abs(v) != float("inf") else ("nan" if v != v else ("inf" if v > 0 else "-inf"))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        if "\n" in v and '"""' not in v and "\\" not in v and not v.endswith('"') and all(
                c.isprintable() or c == "\n" for c in v):
            return '"""\n' + v + '"""'  # a multi-line literal, as the shipped files write descriptions
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_value(x)}" for k, x in v.items() if x is not None) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _table(d: dict) -> list[str]:
    return [f"{k} = {_value(v)}" for k, v in d.items() if v is not None]


def scenario_toml(spec, header: str = "") -> str:
    """The scenario as TOML text: top-level keys, one table per section, one ``[[media]]`` per medium."""
    raw = spec.to_dict()
    lines = [f"# {line}" for line in header.splitlines()]
    tables = {k: v for k, v in raw.items() if isinstance(v, dict)}
    media = raw.get("media") or []
    lines += _table({k: v for k, v in raw.items() if not isinstance(v, dict) and k != "media"})
    for name, table in tables.items():
        lines += ["", f"[{name}]", *_table(table)]
    for m in media:
        lines += ["", "[[media]]", *_table(m)]
    return "\n".join(lines) + "\n"

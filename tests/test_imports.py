"""The package's import structure: no cycles, small modules that import little, rule names owned by sim.rules.

Every ``.py`` file under ``sim/`` is parsed (not imported) and its imports of
``sim`` modules collected: ``import sim.x``, ``from sim.x import y`` (``y``
resolved to the submodule ``sim.x.y`` where ``sim/x/y.py`` or
``sim/x/y/__init__.py`` exists), ``from sim import x`` and relative imports.
Imports at module level (including those inside ``if``/``try`` blocks and
class bodies) run when the module is imported; imports inside functions run
only when the function is called, and are kept as a separate category: they
are the usual way out of a cycle, so they may close one.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

import sim
from sim import rules

ROOT = Path(sim.__file__).resolve().parent
PACKAGE = "sim"
MODULE, DEFERRED = "module", "function"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    """Whether the dotted ``name`` (under sim) is a module or package of the source tree."""
    rel = Path(*name.split("."))
    base = ROOT.parent / rel
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _resolve_from(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    """The sim modules that ``from ... import ...`` in ``module`` names."""
    if node.level:
        package = module.split(".") if _is_package(path) else module.split(".")[:-1]
        base_parts = package[:len(package) - (node.level - 1)] if node.level > 1 else package
        base = ".".join(base_parts + (node.module.split(".") if node.module else []))
    else:
        base = node.module or ""
    if base != PACKAGE and not base.startswith(PACKAGE + "."):
        return []
    out = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        out.append(sub if alias.name != "*" and _is_module(sub) else base)
    return out


class _Collector(ast.NodeVisitor):
    """Each import of a sim module, with whether it sits inside a function."""

    def __init__(self, module: str, path: Path):
        self.module, self.path = module, path
        self.depth = 0
        self.found: list[tuple[str, str, int]] = []  # (target, category, line)

    def _function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _add(self, target: str, line: int) -> None:
        self.found.append((target, DEFERRED if self.depth else MODULE, line))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for target in _resolve_from(self.module, self.path, node):
            self._add(target, node.lineno)


@lru_cache(maxsize=None)
def sources() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


@lru_cache(maxsize=None)
def imports() -> dict[str, list[tuple[str, str, int]]]:
    """``{module: [(imported sim module, category, line), ...]}`` for every module of the source tree."""
    out = {}
    for name, path in sources().items():
        collector = _Collector(name, path)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        out[name] = collector.found
    return out


def graph(categories=(MODULE,)) -> dict[str, set[str]]:
    """Module -> the sim modules it imports in ``categories`` (itself left out)."""
    return {m: {t for t, cat, _ in found if cat in categories and t != m} for m, found in imports().items()}


def components(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in edges:
                continue
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    return sorted(comps)


def cycles(edges: dict[str, set[str]], limit: int = 50) -> list[list[str]]:
    """Every elementary cycle (``[a, b, ..., a]``, ``a`` its least module), at most ``limit`` of them.

    Depth first from each module of a component, through modules after it in
    sorted order only, so that each cycle is found once, from its least module.
    """
    out: list[list[str]] = []
    for comp in components(edges):
        members = set(comp)
        for start in comp:
            allowed = {m for m in members if m >= start}
            stack = [(start, [start])]
            while stack and len(out) < limit:
                v, path = stack.pop()
                for w in sorted(edges[v] & allowed, reverse=True):
                    if w == start:
                        out.append([*path, start])
                    elif w not in path:
                        stack.append((w, [*path, w]))
    return sorted(out, key=lambda c: (len(c), c))[:limit]


def _explain(path: list[str]) -> str:
    lines = []
    for a, b in zip(path, path[1:]):
        where = sorted({line for t, cat, line in imports()[a] if t == b and cat == MODULE})
        lines.append(f"{a} (line {', '.join(map(str, where))}) -> {b}")
    return " | ".join(lines)


# -- the collector itself ------------------------------------------------------------------------------


def test_collector_finds_the_kinds_of_import():
    found = imports()
    assert len(found) == len(list(ROOT.rglob("*.py"))) > 50
    engine = {(t, c) for t, c, _ in found["sim.engine"]}
    assert ("sim.records", MODULE) in engine  # from sim import records
    assert ("sim.rules.base", MODULE) in engine  # from sim.rules.base import joined
    assert ("sim.mechanisms.media", MODULE) in engine  # from sim.mechanisms.media import uniform_term
    runs = {(t, c) for t, c, _ in found["sim.runs"]}
    assert ("sim.backend", DEFERRED) in runs  # inside run()
    assert ("sim.config", MODULE) in runs and ("sim.networks", MODULE) in runs  # from sim import config, networks
    assert ("sim.rules.bass", MODULE) in {(t, c) for t, c, _ in found["sim.rules"]}
    assert ("sim.errors", MODULE) in {(t, c) for t, c, _ in found["sim"]}


def test_collector_resolves_relative_imports():
    tree = ast.parse("from . import base\nfrom .bass import Q\nfrom .. import params\nfrom ..config import schema\n"
                     "def f():\n    from .none import NoWom\n")
    col = _Collector("sim.rules.forgetting", ROOT / "rules" / "forgetting.py")
    col.visit(tree)
    assert [(t, c) for t, c, _ in col.found] == [("sim.rules.base", MODULE), ("sim.rules.bass", MODULE),
                                                ("sim.params", MODULE), ("sim.config.schema", MODULE),
                                                ("sim.rules.none", DEFERRED)]
    col = _Collector("sim.rules", ROOT / "rules" / "__init__.py")  # a package's own relative imports
    col.visit(ast.parse("from .base import Rule\nfrom . import counting\n"))
    assert [t for t, _, _ in col.found] == ["sim.rules.base", "sim.rules.counting"]


def test_cycle_finder_reports_the_path():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert cycles(edges) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    two = {"a": {"b", "c"}, "b": {"a"}, "c": {"b"}, "x": {"y"}, "y": {"x"}}
    assert cycles(two) == [["a", "b", "a"], ["x", "y", "x"], ["a", "c", "b", "a"]]
    assert components(two) == [["a", "b", "c"], ["x", "y"]]


# -- the rules of the structure ---------------------------------------------------------------------------


def _report(found: list[list[str]]) -> str:
    return "\n".join(" -> ".join(c) + "\n    " + _explain(c) for c in found)


def test_no_import_cycle_among_module_level_imports():
    found = cycles(graph((MODULE,)))
    assert not found, "import cycles at module level:\n" + _report(found)


def test_function_level_imports_are_counted_apart():
    """Imports inside functions are collected apart: they may close a cycle (that is what they are for)."""
    every = graph((MODULE, DEFERRED))
    module_level = graph((MODULE,))
    deferred = {m: every[m] - module_level[m] for m in every}
    assert any(deferred.values())  # there are some, and they are told apart from module-level ones
    assert all(t in sources() for targets in every.values() for t in targets), "an import names no module"
    assert all(c in cycles(every, limit=10_000) for c in cycles(module_level))


@pytest.mark.parametrize("leaf", ["sim.arrays", "sim.params"])
def test_leaf_modules_import_nothing_from_sim(leaf):
    assert [(t, c, line) for t, c, line in imports()[leaf]] == []


def test_backend_knows_arrays_not_rules_or_models():
    banned = ("sim.rules", "sim.model", "sim.engine")
    bad = [(t, c, line) for t, c, line in imports()["sim.backend"]
           if any(t == b or t.startswith(b + ".") for b in banned)]
    assert not bad, bad


# -- rule names belong to sim.rules ------------------------------------------------------------------------

RULE_NAMES = sorted({*rules.names(), "bass", "threshold", "complex", "cascade", "none", "forgetting"})
_LIT = r"'(?:%s)'" % "|".join(map(re.escape, RULE_NAMES))
_ANY = r"'[^']*'"
_COLLECTION = rf"[(\[{{]\s*(?:{_ANY}\s*,\s*)*{_LIT}\s*(?:,\s*{_ANY}\s*)*,?\s*[)\]}}]"
_MENTION = r"(?<!stop_)(?i:rule)"  # rule, wom.rule, rule_name, model.rule.name, Rule; not stop_rule
_OP = r"(?:==|!=|\bnot\s+in\b|\bin\b|\bis\s+not\b|\bis\b)"
# a comparison (as ast.unparse writes it: single quotes) of an expression mentioning a rule with a rule's name
RULE_COMPARISON = re.compile(
    rf"(?:^|[\s(])(?P<left>[^=!<>]*?(?:{_MENTION})[^=!<>]*?)\s*{_OP}\s*(?:{_LIT}|{_COLLECTION})"
    rf"|(?:{_LIT})\s*(?:==|!=)\s*[^=!<>]*?(?:{_MENTION})")


def _comparisons(path: Path):
    """Every comparison in ``path``: ``(line, text as ast.unparse writes it)`` (multi-line ones included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.Match):  # match wom["rule"]: case "bass": ...
            for case in node.cases:
                yield node.lineno, f"{ast.unparse(node.subject)} == {ast.unparse(case.pattern)}"


@pytest.mark.parametrize("text", [
    'w["rule"] == "bass"',
    'spec.get("wom.rule") in ("threshold", "complex")',
    '"cascade" != model.rule.name',
    "rule.name not in {'none', 'x'}",
    "self.rule_name == 'forgetting'",
    "values['wom.rule'] != 'bass'",
    "rules.get(n).name in ['threshold']",
])
def test_rule_comparison_regex_flags(text):
    assert RULE_COMPARISON.search(ast.unparse(ast.parse(text, mode="eval").body)), text


@pytest.mark.parametrize("text", [
    'seeding.strategy == "none"',
    'spec.get("seeding.strategy") in ("random", "none", "nodes")',
    'self.stop_rule != "quiescent"',
    'self.stop_rule == "steps"',
    "rule.monotone == True",
    "s['strategy'] == 'none' or rule.draws == 0",
    "text.strip().lower() in ('none', 'null')",
    "kind == 'complete'",
])
def test_rule_comparison_regex_passes(text):
    assert not RULE_COMPARISON.search(ast.unparse(ast.parse(text, mode="eval").body)), text


def test_no_rule_name_comparisons_outside_sim_rules():
    rules_dir = ROOT / "rules"
    hits = [f"{path.relative_to(ROOT.parent)}:{line}: {text}"
            for path in sorted(ROOT.rglob("*.py")) if rules_dir not in path.parents
            for line, text in _comparisons(path) if RULE_COMPARISON.search(text)]
    assert not hits, "rule names compared outside sim/rules/ (read the rule's class attributes instead):\n" + \
        "\n".join(hits)

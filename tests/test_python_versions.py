"""The Firefox driver stack keeps working on Pythons that removed old standard modules.

Python 3.12 removed asynchat, asyncore, distutils, imp and smtpd ("What's New In Python 3.12");
Python 3.13 removed the "dead batteries" of PEP 594 and lib2to3 ("What's New In Python 3.13").
marionette_driver and the mozbase packages it pulls in are old code: an import of one of those
modules that is not guarded by a fallback breaks the Firefox suites (and `make test`) on a
newer Debian, unless a backport that provides the module (python-deadlib's
``standard-<module>`` on PyPI) is declared for those Pythons in pyproject.toml.
"""

from __future__ import annotations

import ast
import re
import warnings
from importlib.metadata import distribution
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]

REMOVED_FROM_THE_STANDARD_LIBRARY = {
    "3.12": frozenset({"asynchat", "asyncore", "distutils", "imp", "smtpd"}),
    "3.13": frozenset({"aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3",
                       "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr",
                       "spwd", "sunau", "telnetlib", "uu", "xdrlib"}),
}
NEWEST_CHECKED = "3.13"
FIREFOX_DRIVER = "marionette_driver"
IMPORT_FAILURES = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def removed_modules() -> frozenset[str]:
    return frozenset().union(*REMOVED_FROM_THE_STANDARD_LIBRARY.values())


def dependency_closure(name: str) -> set[str]:
    """``name`` and every distribution it requires, as installed (extras left out)."""
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = re.sub(r"[-_.]+", "-", pending.pop()).lower()
        if current in seen:
            continue
        seen.add(current)
        for line in distribution(current).requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return seen


def unguarded_removed_imports(source: str) -> set[str]:
    """Removed modules the source imports outside a ``try`` that handles the ImportError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # old code's invalid escapes are not this test's concern
        tree = ast.parse(source)
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                handler.type is None or IMPORT_FAILURES & {
                    name.id for name in ast.walk(handler.type) if isinstance(name, ast.Name)}
                for handler in node.handlers):
            guarded.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(top for top in (name.partition(".")[0] for name in names)
                     if top in removed_modules())
    return found


def declared_backports(python_version: str) -> set[str]:
    """Modules that roleport's test and demo extras bring back, as ``standard-<module>``, on
    that Python (read from the installed metadata, which pyproject.toml's extras wrote)."""
    provided: set[str] = set()
    for line in distribution("roleport").requires or []:
        requirement = Requirement(line)
        if requirement.name.startswith("standard-") and requirement.marker is not None and any(
                requirement.marker.evaluate({**default_environment(), "extra": extra,
                                             "python_version": python_version,
                                             "python_full_version": f"{python_version}.0"})
                for extra in ("test", "demo")):
            provided.add(requirement.name.removeprefix("standard-").replace("-", "_"))
    return provided


def test_the_firefox_driver_stack_imports_no_removed_module_without_a_fallback() -> None:
    distributions = dependency_closure(FIREFOX_DRIVER)
    assert {"marionette-driver", "mozrunner", "mozprofile", "mozversion"} <= distributions
    missing: dict[str, set[str]] = {}
    for name in sorted(distributions):
        for file in distribution(name).files or []:
            if file.suffix != ".py":
                continue
            modules = unguarded_removed_imports(Path(str(file.locate())).read_text("utf-8"))
            for module in modules - declared_backports(NEWEST_CHECKED):
                missing.setdefault(module, set()).add(f"{name}: {file}")
    assert missing == {}, (
        f"on Python {NEWEST_CHECKED} these imports fail; declare "
        f"'standard-<module>; python_version >= \"{NEWEST_CHECKED}\"' in the test and demo "
        f"extras (and pin it in constraints.txt): {missing}")


def test_the_scan_tells_a_guarded_import_from_an_unguarded_one() -> None:
    assert unguarded_removed_imports("import telnetlib\nfrom imp import reload\n") == {
        "telnetlib", "imp"}
    assert unguarded_removed_imports(
        "try:\n    from telnetlib import Telnet\n"
        "except ImportError:  # removed in 3.13\n    from .telnetlib import Telnet\n") == set()
    assert unguarded_removed_imports(
        "try:\n    import pipes\nexcept KeyError:\n    pass\n") == {"pipes"}
    assert unguarded_removed_imports("def later():\n    import distutils.version\n") == {
        "distutils"}

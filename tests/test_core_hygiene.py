"""The core never imports Streamlit (DESIGN.md, principle 4).

Each module is imported in a fresh interpreter, because this test process may
already have imported Streamlit for the page tests.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dashboard"
CORE = [
    "dashboard",
    "dashboard.settings",
    "dashboard.db",
    "dashboard.sql",
    "dashboard.filters",
    "dashboard.metrics",
    "dashboard.export",
    "dashboard.demo",
    "dashboard.cli",
    "dashboard.i18n",
]
# DESIGN.md: only app.py, cache.py, app_pages/ and components/ may use Streamlit;
# every other top-level module (charts, compare, privacy, ...) is core too.
UI_MODULES = {"app", "cache"}
OTHER_CORE = sorted(
    f"dashboard.{p.stem}" for p in PACKAGE.glob("*.py")
    if p.stem not in UI_MODULES and p.stem != "__init__" and f"dashboard.{p.stem}" not in CORE
)


def sub_package_modules(folder: str) -> list[str]:
    path = PACKAGE / folder
    if not path.is_dir():
        return []
    return sorted(
        f"dashboard.{folder}" + ("" if p.stem == "__init__" else f".{p.stem}")
        for p in path.glob("*.py")
    )


MODULES = (
    CORE
    + OTHER_CORE
    + sub_package_modules("ingest")
    + sub_package_modules("report")
)

CHECK = """
import importlib, sys
importlib.import_module(sys.argv[1])
loaded = sorted(m for m in sys.modules if m == "streamlit" or m.startswith("streamlit."))
assert "streamlit" not in sys.modules, f"{sys.argv[1]} imported streamlit: {loaded[:5]}"
assert not loaded, loaded[:5]
print("ok")
"""


def test_core_module_list_is_complete():
    assert "dashboard.ingest" in MODULES
    assert "dashboard.ingest.countries" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_core_module_does_not_import_streamlit(module):
    result = subprocess.run(
        [sys.executable, "-c", CHECK, module],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_all_core_modules_together_do_not_import_streamlit():
    code = (
        "import importlib, sys\n"
        f"for m in {MODULES!r}: importlib.import_module(m)\n"
        "assert 'streamlit' not in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"

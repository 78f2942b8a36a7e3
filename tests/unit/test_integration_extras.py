"""Without its framework, an integration says which extra to install (it is never skipped)."""

import subprocess
import sys

import pytest

CASES = {
    "memcore.integrations.openai_agents": ("agents", "pip install memcore[openai-agents]"),
    "memcore.integrations.langchain": ("langchain_core", "pip install memcore[langchain]"),
}


@pytest.mark.parametrize("module", CASES)
def test_importing_an_integration_without_its_framework_names_the_extra(module):
    framework, hint = CASES[module]
    code = f"import sys; sys.modules[{framework!r}] = None; import {module}"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "ImportError" in result.stderr and hint in result.stderr


def test_importing_memcore_imports_no_framework():
    code = "import sys, memcore, memcore.integrations; print(sorted({'agents', 'langchain_core'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"

"""``import csp_commerce`` stays light: httpx, msal and tenacity load only with the client."""

from __future__ import annotations

import subprocess
import sys


def test_package_root_does_not_import_the_client_stack() -> None:
    code = (
        "import sys, csp_commerce\n"
        "heavy = [m for m in ('httpx', 'msal', 'tenacity') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert csp_commerce.PartnerCenterClient.__name__ == 'PartnerCenterClient'\n"
        "assert 'msal' not in sys.modules  # msal only when a credential needs a token\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

"""Shared by the benchmarks: measure each method in a process of its own.

``ru_maxrss`` survives ``exec`` (a child started by a large parent reports the parent's peak),
so peak memory is read from the kernel's high-water mark for the child's own address space.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def peak_mb() -> float:
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_isolated(
    script: str, method: str, *args: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``script --child method args...`` and return the JSON it prints last."""
    out = subprocess.run(
        [sys.executable, script, "--child", method, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def child_main(methods: dict[str, Callable[..., dict[str, Any]]]) -> bool:
    """In a child (``--child method args...``): run the method, print its result and peak
    memory as JSON, and return True; otherwise return False."""
    if len(sys.argv) < 3 or sys.argv[1] != "--child":
        return False
    result = methods[sys.argv[2]](*sys.argv[3:])
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))
    return True

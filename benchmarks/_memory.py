"""Peak memory of this process.

``ru_maxrss`` survives ``exec`` (a child started by a large parent reports the parent's peak),
so the benchmarks read the kernel's high-water mark for this address space instead.
"""

from __future__ import annotations

import resource
from pathlib import Path


def peak_mb() -> float:
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

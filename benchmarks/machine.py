"""One description of the machine for every benchmark, so their printed figures compare.

Figures from this shared, 2-core machine mean little without the CPU, the Python and how busy
the machine was when they were taken; every benchmark prints this line first.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="ascii").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{model}, {os.cpu_count()} logical cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}; "
        f"load average {load} (other users share the cores)"
    )

"""What the CPU offers (cores this process may use, native bf16), read without torch."""

from __future__ import annotations

import functools
import json
import os
import platform
import sys

from artseek import config


def available_cores() -> int:
    """CPU cores this process may use (affinity-aware where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def threads_from_env(name: str) -> int | None:
    """A thread count set in the environment variable ``name`` (a positive number), else None."""
    override = os.environ.get(name)
    if override:
        try:
            return max(1, int(override))
        except ValueError:
            pass
    return None


@functools.lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU feature flags (Linux ``/proc/cpuinfo``; empty elsewhere)."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("flags"):
                        return frozenset(line.split(":", 1)[1].split())
        except OSError:
            pass
    return frozenset()


def has_native_bf16() -> bool:
    """True when the CPU computes bf16 natively (AVX512-BF16 or AMX-BF16).

    Without it bf16 autocast is emulated and was six times *slower* than fp32 for
    ViT-B-32 on an AVX2-only CPU, so ArtSeek never enables it blindly.
    ``ARTSEEK_BF16=0/1`` overrides the detection.
    """
    override = os.environ.get("ARTSEEK_BF16")
    if override in ("0", "1"):
        return override == "1"
    flags = cpu_flags()
    return "avx512_bf16" in flags or "amx_bf16" in flags


CALIBRATION_FILE = "cpu_calibration.json"
MODEL_FLAGS = frozenset({"avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8"})


def cpu_name() -> str:
    """The CPU's model name (Linux ``/proc/cpuinfo``; elsewhere what :mod:`platform` says)."""
    cpu = platform.processor() or platform.machine()
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
                cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
        except OSError:
            pass
    return cpu


def cpu_identity() -> str:
    """The CPU's model name and the flags that change how models compute (bf16, int8 dot products, AMX)."""
    return f"{cpu_name()}|{sorted(cpu_flags() & MODEL_FLAGS)}"


def calibration_key(architecture: str) -> str:
    """Identifies a (CPU, torch, architecture) combination for the bf16 decision cache."""
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "none"
    return f"{cpu_name()}|{sorted(cpu_flags() & {'avx512_bf16', 'amx_bf16'})}|torch {torch_version}|{architecture}"


def load_calibration(key: str) -> dict | None:
    try:
        data = json.loads((config.user_data_dir() / CALIBRATION_FILE).read_text())
    except (OSError, ValueError):
        return None
    entry = data.get(key) if isinstance(data, dict) else None
    return entry if isinstance(entry, dict) else None


def save_calibration(key: str, entry: dict) -> None:
    path = config.user_data_dir() / CALIBRATION_FILE
    try:
        data = json.loads(path.read_text()) if path.exists() else {}
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[key] = entry
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only profile only means measuring again next time

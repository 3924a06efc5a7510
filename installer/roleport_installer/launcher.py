"""The launcher a host manifest points at.

Browsers started from a desktop get a minimal PATH and environment, and start the host by the
manifest's absolute ``path`` (Chrome for Developers and MDN, "Native messaging"), so the
launcher names the interpreter of the environment roleport is installed in by absolute path
and carries the allowed callers the host checks (ROLEPORT_ALLOWED_CALLERS). Flatpak browsers
run sandboxed: their launcher hops out with ``flatpak-spawn --host`` (best effort: it needs the
browser's permission to talk to org.freedesktop.Flatpak).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence

from roleport.rules import ENV_ALLOWED_CALLERS

from .table import OperatingSystem

HOST_ENTRY = "from roleport.native import main; raise SystemExit(main())"
"""Runs the `roleport-host` console script's target without relying on PATH or on a wrapper
script whose shebang would break when the virtualenv moves."""

ISOLATED = "-I"
"""Python's isolated mode (Python documentation, "Command line and environment", -I): the
browser's environment reaches the host, so PYTHONPATH, PYTHONHOME and every other PYTHON*
variable are ignored, as is the user's site-packages; and the working directory is not put on
sys.path, since browsers start hosts in folders other programs write to (Firefox: the
manifest's folder). The environment's own site-packages, and the .pth files of an editable
install in it, still load."""


def launcher_file_name(system: OperatingSystem) -> str:
    return "roleport-host.cmd" if system == "windows" else "roleport-host"


def render_launcher(system: OperatingSystem, allowed_callers: Sequence[str],
                    interpreter: str | None = None, *, flatpak: bool = False) -> str:
    """The launcher's text; the same inputs always give the same bytes (idempotent install)."""
    python = interpreter or sys.executable
    callers = ",".join(allowed_callers)
    if system == "windows":
        return render_cmd(python, callers)
    return render_posix(python, callers, flatpak=flatpak)


def render_posix(python: str, callers: str, *, flatpak: bool = False) -> str:
    command = [python, ISOLATED, "-c", HOST_ENTRY]
    if flatpak:
        # The sandbox does not see the host's interpreter; flatpak-spawn forwards the variable.
        command = ["flatpak-spawn", "--host", f"--env={ENV_ALLOWED_CALLERS}={callers}",
                   *command]
    return (
        "#!/bin/sh\n"
        "# Written by `roleport install`; rerun it after moving roleport's environment.\n"
        f"{ENV_ALLOWED_CALLERS}={shlex.quote(callers)}\n"
        f"export {ENV_ALLOWED_CALLERS}\n"
        f"exec {shlex.join(command)} \"$@\"\n"
    )


def render_cmd(python: str, callers: str) -> str:
    # Inside double quotes cmd.exe still expands %VAR% and ends the string at '"'.
    if any(character in callers + python for character in '"%\r\n'):
        raise ValueError(f"{python} or the allowed callers contain '\"', '%' or a line break, "
                         "which a .cmd launcher cannot quote")
    return (
        "@echo off\r\n"
        "rem Written by `roleport install`; rerun it after moving roleport's environment.\r\n"
        f"set \"{ENV_ALLOWED_CALLERS}={callers}\"\r\n"
        f"\"{python}\" {ISOLATED} -c \"{HOST_ENTRY}\" %*\r\n"
    )


def flatpak_host_command(text: str) -> tuple[list[str], dict[str, str]] | None:
    """The command and variables a flatpak launcher we wrote hands to ``flatpak-spawn --host``.

    flatpak-spawn works only inside a sandbox, so doctor (which runs outside it) starts this
    host-side command itself to prove the host answers; None when ``text`` is no such launcher.
    """
    for line in text.splitlines():
        if not line.startswith("exec "):
            continue
        words = shlex.split(line[len("exec "):])
        if words[:2] != ["flatpak-spawn", "--host"]:
            return None
        variables: dict[str, str] = {}
        rest = words[2:]
        while rest and rest[0].startswith("--env="):
            name, _, value = rest.pop(0).removeprefix("--env=").partition("=")
            variables[name] = value
        # The launcher ends with "$@": the browser's arguments, supplied by the caller.
        return ([word for word in rest if word != "$@"], variables) if rest else None
    return None


def launcher_interpreter(text: str) -> str | None:
    """The interpreter a launcher we wrote runs, for doctor's moved-environment check."""
    for line in text.splitlines():
        if line.startswith("exec "):
            words = shlex.split(line[len("exec "):])
            if words[:2] == ["flatpak-spawn", "--host"]:
                words = [word for word in words[2:] if not word.startswith("--env=")]
            return words[0] if words else None
        if line.startswith('"') and " -c " in line:
            return line.split('"')[1]
    return None

"""botocore is imported by one thread at a time in the host (roleport.library_imports).

Two host threads that first imported botocore at the same moment (the warm-up after hello and
the first sso_sessions) could make Python raise _DeadlockError in one of them, answered as
internal_error. The race itself is rare, so these tests check the rule that prevents it, each
in a fresh interpreter where botocore is not imported yet: every handler outside the instant
lane, and the warm-up, start with botocore's module graph completely imported; hello's lane
still never imports it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_fresh(script: str, tmp_path: Path) -> dict[str, object]:
    """Run ``script`` in a new interpreter; it prints one JSON object as its last line."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
           "ROLEPORT_STATE_DIR": str(tmp_path / "state"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_handlers_outside_the_instant_lane_start_with_botocore_imported(tmp_path: Path) -> None:
    result = run_fresh("""
        import io, json, sys
        from roleport.actions import Action, HostContext
        from roleport.library_imports import botocore_imported
        from roleport.native import Host
        from support.hostproc import frame

        def probe(context, params):
            return {"botocore": botocore_imported()}

        actions = {lane: Action(lane, probe, lane=lane) for lane in ("instant", "fast", "slow")}
        requests = b"".join(frame({"id": lane, "action": lane}) for lane in
                            ("instant", "fast", "slow"))
        out = io.BytesIO()
        imported_before = botocore_imported()
        code = Host(io.BytesIO(requests), out, HostContext("test"), actions=actions).serve()
        replies, data = {}, out.getvalue()
        while data:
            size = int.from_bytes(data[:4], sys.byteorder)
            reply = json.loads(data[4:4 + size])
            replies[reply["id"]] = reply["result"]["botocore"]
            data = data[4 + size:]
        print(json.dumps({"code": code, "before": imported_before, "replies": replies}))
    """, tmp_path)
    assert result["code"] == 0 and result["before"] is False
    replies = result["replies"]
    assert isinstance(replies, dict)
    assert replies["fast"] is True and replies["slow"] is True


def test_the_instant_lane_never_imports_botocore(tmp_path: Path) -> None:
    result = run_fresh("""
        import dataclasses, io, json, sys
        from roleport.actions import ACTIONS, HostContext
        from roleport.native import Host
        from support.hostproc import frame

        # Without the warm-up hello starts, which does import botocore (on its own thread).
        actions = {"hello": dataclasses.replace(ACTIONS["hello"], starts_warm_up=False),
                   "sso_login_status": ACTIONS["sso_login_status"]}
        out = io.BytesIO()
        requests = frame({"id": 1, "action": "hello"}) + frame(
            {"id": 2, "action": "sso_login_status", "params": {"flow_id": "unknown1"}})
        Host(io.BytesIO(requests), out, HostContext("test"), actions=actions).serve()
        print(json.dumps({"botocore": "botocore" in sys.modules,
                          "answered": out.getvalue().count(b'"id"')}))
    """, tmp_path)
    assert result == {"botocore": False, "answered": 2}


def test_the_warm_up_imports_botocore_before_its_work(tmp_path: Path) -> None:
    result = run_fresh("""
        import json, threading
        from roleport.actions import HostContext
        from roleport.library_imports import botocore_imported
        from roleport.warmup import WarmUp

        seen, done = [], threading.Event()

        class Pipeline:
            def warm_up(self):
                seen.append(botocore_imported())
                done.set()

        warm_up = WarmUp(HostContext("test", pipeline_factory=Pipeline), poll_seconds=60)
        warm_up.start()
        finished = done.wait(60)
        warm_up.stop()
        print(json.dumps({"finished": finished, "seen": seen}))
    """, tmp_path)
    assert result == {"finished": True, "seen": [True]}


def test_threads_importing_botocore_at_once_all_get_the_same_modules(tmp_path: Path) -> None:
    result = run_fresh("""
        import importlib, json, sys, threading
        from roleport.library_imports import import_botocore

        sys.setswitchinterval(1e-5)  # switch threads as often as possible: invite the race
        entry_modules = ["botocore.utils", "botocore.client", "botocore.awsrequest",
                         "botocore.httpsession", "botocore.credentials", "botocore.loaders"]
        start, errors, modules = threading.Barrier(len(entry_modules)), [], {}

        def first_import(name):
            start.wait()
            try:
                import_botocore()
                modules[name] = importlib.import_module(name)
            except Exception as error:
                errors.append(f"{name}: {type(error).__name__}: {error}")

        threads = [threading.Thread(target=first_import, args=(name,))
                   for name in entry_modules]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        same = all(modules[name] is sys.modules[name] for name in modules)
        print(json.dumps({"errors": errors, "imported": sorted(modules), "same": same}))
    """, tmp_path)
    assert result["errors"] == []
    assert result["same"] is True and len(result["imported"]) == 6  # type: ignore[arg-type]


def test_profiles_reads_the_config_without_waiting_for_the_whole_of_botocore(
        tmp_path: Path) -> None:
    # A config with every kind of profile the table describes.
    (tmp_path / "config").write_text(
        "[default]\nregion = eu-west-1\n"
        "[profile role]\nrole_arn = arn:aws:iam::111111111111:role/Admin\n"
        "source_profile = default\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n"
        "[profile sso]\nsso_session = corp\nsso_account_id = 222222222222\n"
        "sso_role_name = Dev\n"
        "[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
        "[profile process]\ncredential_process = /bin/true\n")
    (tmp_path / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE00\naws_secret_access_key = x\n")
    result = run_fresh("""
        import io, json, sys
        from roleport.actions import ACTIONS, HostContext
        from support.hostproc import frame
        from roleport.native import Host

        out = io.BytesIO()
        Host(io.BytesIO(frame({"id": 1, "action": "profiles"})), out, HostContext("test"),
             actions={"profiles": ACTIONS["profiles"]}).serve()
        imported = sorted(name for name in sys.modules
                          if name.split(".")[0] in ("botocore", "urllib3", "jmespath"))
        print(json.dumps({"ok": b'"ok": true' in out.getvalue().replace(b'":true', b'": true'),
                          "imported": imported}))
    """, tmp_path)
    assert result["ok"] is True
    imported = result["imported"]
    assert isinstance(imported, list)
    # Only the config reader: none of the modules whose imports form cycles.
    assert "botocore.configloader" in imported
    assert not [name for name in imported if name.startswith("urllib3")
                or name in ("botocore.session", "botocore.utils", "botocore.awsrequest",
                            "botocore.httpsession")], imported

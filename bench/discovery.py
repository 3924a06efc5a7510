"""IAM Identity Center discovery at scale: 1,000 accounts x 3 roles from the stand-in.

One fresh process signs nothing in (the token is placed as `aws sso login` leaves it), lists
every account and role through roleport.sso (ListAccounts, then ListAccountRoles per account,
8 at a time) and reports its wall time and peak RSS; the stand-in counts the requests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from support.awsconfig import sealed_environment
from support.standin import StandIn
from support.standin.identity_center import scale_directory

START_URL = "https://bench.awsapps.com/start"
CHILD = """
import json, resource, sys, time
from pathlib import Path
from roleport.sso.service import SsoService
service = SsoService(discovery_dir=Path(sys.argv[1]))
session = service.session("bench")
started = time.perf_counter()
service.listing(session, None, refresh=True)
listing = service.discovery.wait(session, 600)
elapsed = (time.perf_counter() - started) * 1000
roles = sum(len(account.roles) for account in listing.accounts)
print(json.dumps({"ms": elapsed, "accounts": len(listing.accounts), "roles": roles,
                  "error": listing.error.code if listing.error else None,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


@dataclass
class DiscoveryResult:
    wall_ms: float
    requests: int
    peak_rss_mib: float
    accounts: int
    roles: int

    def rows(self) -> list[tuple[str, float, str, float | None]]:
        return [
            (f"SSO discovery, {self.accounts:,} accounts x 3 roles: wall time",
             self.wall_ms, "ms", None),
            ("SSO discovery: portal requests made", float(self.requests), "requests", None),
            ("SSO discovery: peak RSS of the process", self.peak_rss_mib, "MiB", None),
        ]


def run(env: dict[str, str], accounts: int = 1000, roles: int = 3) -> DiscoveryResult:
    with tempfile.TemporaryDirectory(prefix="roleport-discovery-") as scratch, \
            StandIn() as aws:
        aws.identity_center.directory = scale_directory(accounts, roles)
        home = Path(scratch) / "home"
        (home / ".aws").mkdir(parents=True)
        config = home / ".aws" / "config"
        config.write_text(f"[sso-session bench]\nsso_start_url = {START_URL}\n"
                          "sso_region = eu-west-1\n", encoding="utf-8")
        aws.sso_login(str(home), start_url=START_URL, region="eu-west-1", session_name="bench")
        child_env = {**sealed_environment(home, env), **aws.env(),
                     "ROLEPORT_LOG_LEVEL": "warning"}
        before = len(aws.identity_center.calls)
        completed = subprocess.run(
            [sys.executable, "-c", CHILD, str(Path(scratch) / "discovery")],
            env=child_env, capture_output=True, timeout=900, check=True)
        figures = json.loads(completed.stdout.decode().strip().splitlines()[-1])
        if figures["error"]:
            raise RuntimeError(f"discovery failed: {figures['error']}")
        requests = len(aws.identity_center.calls) - before
    return DiscoveryResult(figures["ms"], requests, figures["maxrss_kib"] / 1024,
                           figures["accounts"], figures["roles"])


if __name__ == "__main__":
    result = run(dict(os.environ))
    for name, value, unit, _ in result.rows():
        print(f"{name}: {value:,.1f} {unit}")

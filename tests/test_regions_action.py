"""The host's ``regions`` action: botocore's known regions for the options page's picker, read
lazily so that ``hello`` stays free of botocore (PROTOCOL.md, "regions")."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from roleport import actions, federation, rules

from support.hostproc import CHROME_CALLER, HostProcess, host_env
from tests.conftest import AwsHome


@pytest.fixture
def host(aws_home: AwsHome, tmp_path: Path) -> Iterator[HostProcess]:
    aws_home.write_config("[profile dev]\nregion = eu-west-1\n")
    with HostProcess([CHROME_CALLER], host_env(os.environ, tmp_path / "host.log")) as process:
        yield process


def test_hello_offers_regions_and_regions_lists_botocores(host: HostProcess) -> None:
    hello = host.call(1, "hello")
    assert "regions" in hello["result"]["capabilities"], hello
    reply = host.call(2, "regions")
    assert reply["ok"] is True, reply
    regions = {region["name"]: region for region in reply["result"]["regions"]}
    assert regions["eu-west-1"] == {"name": "eu-west-1", "description": "Europe (Ireland)",
                                    "partition": "aws"}
    assert regions["cn-north-1"]["partition"] == "aws-cn"
    assert regions["us-gov-west-1"]["partition"] == "aws-us-gov"
    assert "aws-global" not in regions, "a pseudo-region is not a region name"
    assert all(rules.is_region(name) for name in regions)
    # What botocore itself knows, no more and no less.
    import botocore.loaders

    partitions = botocore.loaders.create_loader().load_data("partitions")["partitions"]
    expected = {name for partition in partitions for name in partition["regions"]
                if rules.is_region(name)}
    assert set(regions) == expected
    assert host.call(3, "regions", {"partition": "aws"})["error"]["code"] == "invalid_request"
    host.close_stdin()
    assert host.wait() == 0


def test_regions_are_ordered_by_partition_then_name() -> None:
    regions = federation.known_regions()
    partitions = [region["partition"] for region in regions]
    assert partitions[0] == "aws"
    for partition in set(partitions):
        names = [region["name"] for region in regions if region["partition"] == partition]
        assert names == sorted(names)


def test_importing_the_regions_action_does_not_import_botocore() -> None:
    code = ("import sys; from roleport.actions import regions, ACTIONS; "
            "assert 'regions' in ACTIONS; "
            "sys.exit(1 if any(m.startswith(('botocore', 'requests')) for m in sys.modules) "
            "else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=30).returncode == 0
    assert actions.ACTIONS["regions"].lane == "fast"

"""The host's limits, through the real `roleport-host` process: bounded profile cells, bounded
config files, a `hello` that stays answerable while large configs are parsed, and a
federation-URL override that is used exactly as it was checked.

Limits (PROTOCOL.md, "Limits"): a text cell of the profile table holds at most
MAX_CELL_CHARS characters, so one row, and so one page, always fits in a reply under the
browsers' 1 MB cap; each AWS config file is at most MAX_CONFIG_FILE_BYTES, checked before it
is parsed.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from roleport import actions, federation, native
from roleport.config_files import MAX_CONFIG_FILE_BYTES, ConfigFiles
from roleport.errors import RoleportError
from roleport.framing import MAX_OUTBOUND_BYTES, encode_message, read_message

from support.awsconfig import organisation_profiles
from support.hostproc import CHROME_CALLER, HostProcess, host_env, wait_for_log
from support.standin import StandIn
from tests.conftest import AwsHome

BASE_CREDENTIALS = """\
[base]
aws_access_key_id = AKIAROLEPORTLIMITS01
aws_secret_access_key = limitsTestSecret000000000000000000000Key
"""
ELLIPSIS = "\u2026"


def many_profiles(count: int) -> str:
    """A config of ``count`` role profiles shaped like a large organisation's (~160 bytes
    each), plus their source profile ``base``."""
    return "\n".join(["[profile base]", "region = eu-west-1", "", *organisation_profiles(count)])


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "host.log"


@pytest.fixture
def start_host(aws_home: AwsHome, log_file: Path) -> Iterator[Any]:
    """Starts `roleport-host` processes on the sealed home; all are reaped at the end."""
    started: list[HostProcess] = []

    def start() -> HostProcess:
        started.append(HostProcess([CHROME_CALLER], host_env(os.environ, log_file)))
        return started[-1]

    yield start
    for process in started:
        process.close()


def all_pages(host: HostProcess, timeout: float = 30.0) -> tuple[list[list[Any]], int]:
    """Every row of `profiles`, following next_offset; (rows, pages)."""
    rows: list[list[Any]] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        reply = host.call(f"page-{pages}", "profiles", {"offset": offset}, timeout=timeout)
        assert reply["ok"] is True, reply
        result = reply["result"]
        assert result["total"] >= len(rows) + len(result["rows"])
        rows += result["rows"]
        next_offset = result["next_offset"]
        assert next_offset is None or next_offset > offset, "paging made no progress"
        offset = next_offset
        pages += 1
    return rows, pages


# ------------------------------------------------------------------------ profile cells

def test_a_megabyte_value_is_capped_and_every_row_can_be_paged(aws_home: AwsHome,
                                                               start_host: Any) -> None:
    """A megabyte value is left out of the row with a problem saying so (the profile reader's
    limit); a value between that limit and the cell cap is cut with an ellipsis. Either way
    every row pages through."""
    huge = "Z" * 1_100_000
    long = "Y" * 1500
    aws_home.write_config(
        "[profile first]\nregion = eu-west-1\n\n"
        f"[profile huge]\nregion = eu-west-1\nroleport_account_name = {huge}\n"
        f"roleport_color = {'c' * 5000}\n\n"
        f"[profile long]\nregion = eu-west-1\nroleport_account_name = {long}\n"
        f"roleport_color = {'c' * 1500}\n\n"
        "[profile last]\nregion = us-east-1\nroleport_account_name = Last\n")
    host = start_host()
    rows, _ = all_pages(host)
    by_name = {row[0]: dict(itertools.zip_longest(actions.PROFILE_COLUMNS, row)) for row in rows}
    assert list(by_name) == ["first", "huge", "long", "last"]
    assert by_name["huge"]["account_name"] is None
    assert "roleport_account_name is longer than" in by_name["huge"]["problem"]
    capped = by_name["long"]["account_name"]
    assert len(capped) == actions.MAX_CELL_CHARS == 1024
    assert capped == "Y" * (actions.MAX_CELL_CHARS - 1) + ELLIPSIS
    assert by_name["long"]["color"] == "c" * (actions.MAX_CELL_CHARS - 1) + ELLIPSIS
    assert by_name["last"]["account_name"] == "Last"  # short values are untouched
    assert host.wait() == 0


class _WorstProfile:
    """Every column at the cap, in characters that cost the most bytes once JSON-encoded."""

    def __init__(self, index: int) -> None:
        worst = "\x01" * 5000  # six bytes each as \\u0001
        for attribute in ("name", "account_id", "account_name", "role_name", "region",
                          "kind", "container", "color", "icon", "destination"):
            setattr(self, attribute, f"{index}{worst}")
        self.mfa = True
        self.chained = True


def test_one_row_always_fits_in_a_page() -> None:
    """Whatever the config holds, every page is under the reply cap: paging never stalls."""
    rows = actions.profile_rows([_WorstProfile(index) for index in range(40)])
    assert all(len(cell) == actions.MAX_CELL_CHARS
               for row in rows for cell in row if isinstance(cell, str))
    offset: int | None = 0
    seen = 0
    while offset is not None:
        page, next_offset = actions.page_rows(rows, offset)
        reply = {"id": "x" * 256, "ok": True, "result": {
            "columns": list(actions.PROFILE_COLUMNS), "rows": page,
            "config_file": "/" + "p" * 4096, "generation": "0123456789abcdef",
            "total": len(rows), "next_offset": next_offset}}
        assert len(encode_message(reply)) <= MAX_OUTBOUND_BYTES + 4
        seen += len(page)
        offset = next_offset
    assert seen == len(rows)


# ------------------------------------------------------------------------ config size

def test_hello_is_answered_while_two_profiles_requests_parse_a_large_config(
        aws_home: AwsHome, start_host: Any) -> None:
    """Two `profiles` requests occupy every worker of their lane while they parse a config of
    40,000 profiles; `hello`, sent after them, is answered first and within its deadline (the
    host answers `timeout` past it, so an ok reply is one in time), whatever the machine's
    speed."""
    aws_home.write_config(many_profiles(40_000))
    aws_home.write_credentials(BASE_CREDENTIALS)
    assert aws_home.config_file.stat().st_size < MAX_CONFIG_FILE_BYTES
    host = start_host()
    host.request("busy-1", "profiles")
    host.request("busy-2", "profiles")
    host.request("hello", "hello")
    first = host.reply(timeout=60)
    assert first["id"] == "hello" and first["ok"] is True, first
    rest = [host.reply(timeout=60), host.reply(timeout=60)]
    assert {reply["id"] for reply in rest} == {"busy-1", "busy-2"}
    for reply in rest:  # parsed in time, or past the profiles deadline on a slow machine
        assert reply["ok"] is True or reply["error"]["code"] == "timeout", reply
    assert host.wait(timeout=60) == 0


def test_twenty_thousand_profiles_list_in_full(aws_home: AwsHome, start_host: Any,
                                               log_file: Path) -> None:
    """Every profile of a config this large pages through. How fast a cold parse of it fits
    the `profiles` deadline is a speed goal (`make bench`): the pages are asked for once the
    host's warm-up after `hello` has built its table, however long a busy machine takes."""
    aws_home.write_config(many_profiles(20_000))
    aws_home.write_credentials(BASE_CREDENTIALS)
    host = start_host()
    assert host.call("hello", "hello")["ok"] is True
    wait_for_log(log_file, "warm-up done", timeout=600)
    rows, pages = all_pages(host)
    assert len(rows) == 20_001 and len({row[0] for row in rows}) == 20_001
    assert pages >= 2  # 20,000 rows of this shape do not fit in one reply
    assert host.wait(timeout=60) == 0


@pytest.mark.parametrize("which", ["config", "credentials"])
def test_a_config_file_over_the_limit_is_refused_before_it_is_parsed(
        aws_home: AwsHome, start_host: Any, which: str) -> None:
    aws_home.write_config("[profile ok]\nregion = eu-west-1\n")
    aws_home.write_credentials(BASE_CREDENTIALS)
    big = aws_home.config_file if which == "config" else aws_home.credentials_file
    size = MAX_CONFIG_FILE_BYTES + 1
    with big.open("r+b") as handle:  # sparse: NUL bytes, which a parse would reject otherwise
        handle.truncate(size)
    host = start_host()
    reply = host.call(1, "profiles", timeout=30)
    assert reply["ok"] is False and reply["error"]["code"] == "config_error", reply
    message = reply["error"]["message"]
    assert str(big) in message
    assert f"{size:,} bytes" in message and f"{MAX_CONFIG_FILE_BYTES:,}" in message
    assert "line" not in message  # the size check answered, not botocore's parser
    login = host.call(2, "login", {"profile": "ok"}, timeout=30)
    assert login["error"]["code"] == "config_error"
    assert host.wait() == 0


def test_check_sizes_names_the_file_its_size_and_the_limit(tmp_path: Path) -> None:
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_bytes(b"x" * 100)
    files = ConfigFiles(str(config), str(credentials))  # a missing file is not an error
    files.check_sizes(limit=100)
    config.write_bytes(b"x" * 101)
    with pytest.raises(RoleportError) as caught:
        files.check_sizes(limit=100)
    assert caught.value.code == "config_error"
    assert caught.value.fields["config_file"] == str(config)
    assert "101 bytes" in caught.value.message and "100 bytes" in caught.value.message
    assert str(config) in caught.value.hint


# ------------------------------------------------------------------------ lanes

def test_a_flood_on_the_login_lane_leaves_hello_answerable(aws_home: AwsHome) -> None:
    """The in-flight cap is per lane: 256 slow requests waiting do not refuse a hello."""
    release = threading.Event()

    def held(context: actions.HostContext, params: dict[str, Any]) -> dict[str, Any]:
        assert release.wait(30)
        return {}

    table = {**actions.ACTIONS, "held": actions.Action(
        "held", held, lane="slow", deadline_seconds=60.0, service="The held test action")}
    read_in, write_in = (os.fdopen(fd, mode) for fd, mode in zip(os.pipe(), ("rb", "wb"),
                                                                 strict=True))
    read_out, write_out = (os.fdopen(fd, mode) for fd, mode in zip(os.pipe(), ("rb", "wb"),
                                                                   strict=True))
    context = actions.HostContext(CHROME_CALLER, {"HOME": str(aws_home.home)})
    host = native.Host(read_in, write_out, context, actions=table)
    exit_codes: list[int] = []
    thread = threading.Thread(target=lambda: exit_codes.append(host.serve()), daemon=True)
    thread.start()
    flood = native.MAX_IN_FLIGHT + 3
    try:
        writer = threading.Thread(target=lambda: (write_in.write(b"".join(
            encode_message({"id": index, "action": "held"}) for index in range(flood))
            + encode_message({"id": "hello", "action": "hello"})), write_in.flush()),
            daemon=True)
        writer.start()
        early = [read_message(read_out) for _ in range(4)]
        assert [reply["id"] for reply in early if reply] == [
            native.MAX_IN_FLIGHT, native.MAX_IN_FLIGHT + 1, native.MAX_IN_FLIGHT + 2, "hello"]
        assert all("in flight" in reply["error"]["message"] for reply in early[:3] if reply)
        assert early[3] is not None and early[3]["ok"] is True, early[3]
        release.set()
        rest = [read_message(read_out) for _ in range(native.MAX_IN_FLIGHT)]
        assert sorted(reply["id"] for reply in rest if reply) == list(
            range(native.MAX_IN_FLIGHT))
        assert all(reply and reply["ok"] for reply in rest)
    finally:
        release.set()
        write_in.close()
        thread.join(30)
        write_out.close()
        read_in.close()
        read_out.close()
    assert exit_codes == [0]


# ------------------------------------------------------------------------ federation URL

@pytest.mark.parametrize("url", [
    " http://127.0.0.1:9/federation", "http://127.0.0.1:9/federation ",
    "\thttp://127.0.0.1:9/federation", "http://127.0.0.1:9/feder\nation",
    "http://127.0.0.1:9/feder\rationn", "http://127.0.0.1:9/fed\teration",
    "http://127.0.0.1:9\n/federation", "http://127.0.0.1:9/fed eration",
    "http://127.0.0.1:9/federation\x00", "http://127.0.0.1:9/federation\x7f",
    "http://127.0.0.1:9/fed\u00a0eration", "http://127.0.0.1:9/fed\u2028eration",
])
def test_override_with_whitespace_or_control_characters_is_refused(url: str) -> None:
    with pytest.raises(RoleportError) as caught:
        federation.federation_override({"ROLEPORT_FEDERATION_URL": url})
    assert caught.value.code == "invalid_request"
    assert "ROLEPORT_FEDERATION_URL" in caught.value.message


def test_override_used_is_exactly_the_one_checked(standin: StandIn) -> None:
    url = federation.federation_override({"ROLEPORT_FEDERATION_URL": standin.federation_url})
    assert url == standin.federation_url
    endpoints = federation.resolve_endpoints("aws", "eu-west-1", url)
    assert endpoints.federation_url == standin.federation_url


def test_a_newline_in_the_override_fails_before_credentials_are_fetched(
        aws_home: AwsHome, standin: StandIn, log_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    aws_home.write_config("[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/Admin\n"
                          "source_profile = base\nregion = eu-west-1\n")
    aws_home.write_credentials(BASE_CREDENTIALS)
    broken = standin.federation_url.replace("/federation", "/feder\nation")
    monkeypatch.setenv("ROLEPORT_FEDERATION_URL", broken)
    with HostProcess([CHROME_CALLER], host_env(os.environ, log_file)) as host:
        reply = host.call(1, "login", {"profile": "admin"}, timeout=30)
        assert reply["ok"] is False and reply["error"]["code"] == "invalid_request", reply
        assert "ROLEPORT_FEDERATION_URL" in reply["error"]["message"]
        assert host.wait() == 0
    assert standin.sts_calls == [] and standin.federation_requests == []

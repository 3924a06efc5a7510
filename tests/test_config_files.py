"""Where the AWS config lives (roleport.config_files): the same expansion as botocore."""

from __future__ import annotations

import os

from roleport.config_files import ConfigFiles, expand_path


def test_defaults_under_home(tmp_path):
    files = ConfigFiles.from_environment({"HOME": str(tmp_path)})
    assert files.config_file == str(tmp_path / ".aws" / "config")
    assert files.credentials_file == str(tmp_path / ".aws" / "credentials")


def test_variables_then_tilde_as_botocore_expands(tmp_path):
    env = {"HOME": str(tmp_path), "MYDIR": str(tmp_path / "cfg"),
           "AWS_CONFIG_FILE": "$MYDIR/config", "AWS_SHARED_CREDENTIALS_FILE": "~/${NAME}"}
    env["NAME"] = "creds"
    files = ConfigFiles.from_environment(env)
    assert files.config_file == str(tmp_path / "cfg" / "config")
    assert files.credentials_file == str(tmp_path / "creds")


def test_unknown_variables_stay_as_written():
    assert expand_path("/x/$NOPE/config", {}) == "/x/$NOPE/config"


def test_generation_follows_the_expanded_file(tmp_path):
    (tmp_path / "cfg").mkdir()
    config = tmp_path / "cfg" / "config"
    env = {"HOME": str(tmp_path), "MYDIR": str(tmp_path / "cfg"),
           "AWS_CONFIG_FILE": "$MYDIR/config"}
    before = ConfigFiles.from_environment(env).generation()
    config.write_text("[default]\nregion = eu-west-1\n")
    after = ConfigFiles.from_environment(env).generation()
    assert before != after
    os.utime(config, ns=(1, 1))
    assert ConfigFiles.from_environment(env).generation() != after


def test_hello_and_generation_use_the_expanded_path(tmp_path):
    """AWS_CONFIG_FILE='$MYDIR/config': hello names the real file and an edit of it changes
    the generation (the popup's cue to refresh its list)."""
    from roleport.actions import HostContext, config_generation, handle_hello

    (tmp_path / "cfg").mkdir()
    config = tmp_path / "cfg" / "config"
    config.write_text("[default]\n")
    context = HostContext("chrome-extension://x/", {
        "HOME": str(tmp_path), "MYDIR": str(tmp_path / "cfg"), "AWS_CONFIG_FILE": "$MYDIR/config"})
    assert handle_hello(context, {})["config_file"] == str(config)
    before = config_generation(context)
    config.write_text("[default]\nregion = eu-west-1\n")
    assert config_generation(context) != before

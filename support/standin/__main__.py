"""`python -m support.standin`: run the stand-in until Ctrl-C, printing its URLs and env."""

from __future__ import annotations

import argparse
import shlex
import threading

from support.standin import StandIn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m support.standin",
                                     description="Run the local AWS stand-in on loopback.")
    parser.add_argument("--mfa-code", action="append", default=None,
                        help="accepted MFA code (repeatable; default 123456)")
    args = parser.parse_args(argv)
    with StandIn() as standin:
        if args.mfa_code:
            standin.mfa_codes = set(args.mfa_code)
        print(f"STS (moto behind proxy): {standin.sts_url}")
        print(f"moto:                    {standin.moto_url}")
        print(f"federation endpoint:     {standin.federation_url}")
        print(f"console page:            {standin.console_url}")
        print(f"SSO portal:              {standin.sso_url}")
        print(f"accepted MFA codes:      {', '.join(sorted(standin.mfa_codes))}")
        print("\n# environment for the product:")
        for name, value in standin.env().items():
            print(f"export {name}={shlex.quote(value)}")
        print("\nServing until Ctrl-C.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nStopping.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Development support shared by the tests, the demo and the benchmarks (never shipped).

- ``support.standin``: the local AWS (moto STS behind a recording proxy, the federation
  endpoint, the console page, the SSO portal), on loopback only;
- ``support.browsers``: Debian's Chromium and Firefox ESR driven with the extension loaded;
- ``support.awsconfig``: the AWS config the browser suites and the demo start from;
- ``support.hostproc``: ``roleport-host`` as a real subprocess, spoken to in real frames.

Nothing here imports from tests/, demo/ or bench/; they import from here.
"""

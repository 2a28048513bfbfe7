"""`python -m server` — what `make run` starts — serves HTTPS when given a certificate,
prints how to create the first operator, and refuses a bad configuration loudly."""

from __future__ import annotations

import asyncio
import datetime
import os
import signal
import socket
import ssl
import sys
from pathlib import Path

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(60)


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "102.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("E102__")}
    env.update(
        {
            "PORT": str(free_port()),
            "HOST": "127.0.0.1",
            "E102__RECORDS__DATABASE_URL": f"sqlite:///{tmp_path / 'records.sqlite3'}",
            **extra,
        }
    )
    return env


async def test_serves_https_and_tells_how_to_create_an_operator(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    env = server_env(tmp_path, E102__SERVER__TLS_CERT=str(cert), E102__SERVER__TLS_KEY=str(key))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    url = f"https://127.0.0.1:{env['PORT']}"
    client_tls = ssl.create_default_context(cafile=str(cert))
    client_tls.check_hostname = False  # the certificate names 102.test, we dial an address
    try:
        banner = b""
        async with asyncio.timeout(40):
            while b"create-user" not in banner:
                banner += await process.stdout.read(4096)
        assert url.encode() in banner
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"{url}/api/health", ssl=client_tls) as response:
                        health = await response.json()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("the server never answered over HTTPS")
            assert health["ok"] and health["live_state"] == "memory"
            assert health["records"] == "sqlite"
            async with http.get(f"{url}/", ssl=client_tls) as page:
                assert page.status == 200 and "102" in await page.text()
                assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 20)
    assert process.returncode == 0


async def test_bad_configuration_stops_with_a_message(tmp_path: Path) -> None:
    env = server_env(tmp_path, E102__MEDIA__ICE_SERVERS="stun-everywhere")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 2
    assert b"media.ice_servers" in err

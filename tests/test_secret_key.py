"""No process signs sessions and tokens with a key anyone knows (config.check_secret_key, run.py).

Each test starts real processes as people start them: gunicorn, the flask commands
and the worker refuse to start without a real SECRET_KEY, saying why; `python run.py`
makes a key of its own once, in instance/secret_key (mode 0600), and serves on
127.0.0.1 only, unless HOST says otherwise, and then it needs a real key too.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from config import BASE_DIR, DEVELOPMENT_SECRET_KEY

LOOPBACK_HEX = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
LISTEN = "0A"


def environment(tmp_path, **settings) -> dict:
    """A fresh installation in ``tmp_path``: no key, its own SQLite and embedded Redis."""
    env = {name: value for name, value in os.environ.items() if name not in ("SECRET_KEY", "APP_ENV", "REDIS_URL")}
    env.update(INSTANCE_PATH=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'complaints.db'}")
    env.update(settings)
    return env


def run(command, env, timeout=120):
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)


COMMANDS = {
    "gunicorn": [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1", "run:app"],
    "flask": [sys.executable, "-m", "flask", "--app", "run", "complaints", "setup"],
    "worker": [sys.executable, "-m", "workers", "--burst"],
}


@pytest.mark.parametrize(
    ("command", "key", "reason"),
    [
        ("gunicorn", None, "SECRET_KEY is not set"),
        ("gunicorn", DEVELOPMENT_SECRET_KEY, "published"),
        ("gunicorn", "short-key", "shorter than 32"),
        ("flask", None, "SECRET_KEY is not set"),
        ("worker", None, "SECRET_KEY is not set"),
    ],
)
def test_every_other_process_refuses_to_start_without_a_real_key(tmp_path, command, key, reason):
    env = environment(tmp_path, **({"SECRET_KEY": key} if key else {}))
    finished = run(COMMANDS[command], env)
    assert finished.returncode != 0
    assert reason in finished.stderr
    assert "anyone who knows the key can forge sessions" in finished.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_too(tmp_path):
    finished = run(COMMANDS["flask"], environment(tmp_path, APP_ENV="production"))
    assert finished.returncode != 0
    assert "SECRET_KEY is not set" in finished.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """The addresses a TCP socket listens on ``port`` (IPv4), as /proc/net/tcp writes them."""
    addresses = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _colon, hex_port = local.partition(":")
            if state == LISTEN and int(hex_port, 16) == port:
                addresses.add(address)
    return addresses


def serve_locally(tmp_path, port):
    """`python run.py` until it answers on ``port``; the process."""
    process = subprocess.Popen(
        [sys.executable, "run.py"],
        cwd=BASE_DIR,
        env=environment(tmp_path, PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.5)
    process.kill()
    pytest.fail("python run.py did not start serving")


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)


def test_python_run_py_makes_its_own_key_once_and_serves_on_loopback(tmp_path):
    port = free_port()
    process = serve_locally(tmp_path, port)
    try:
        key_file = tmp_path / "secret_key"
        assert key_file.stat().st_mode & 0o777 == 0o600
        key = key_file.read_text()
        assert len(key) >= 32 and key != DEVELOPMENT_SECRET_KEY
        assert listening_addresses(port) == {LOOPBACK_HEX}
    finally:
        stop(process)
    made = key_file.stat().st_mtime_ns
    process = serve_locally(tmp_path, port)
    stop(process)
    assert key_file.read_text() == key
    assert key_file.stat().st_mtime_ns == made


def test_python_run_py_beyond_loopback_needs_a_real_key(tmp_path):
    finished = run([sys.executable, "run.py"], environment(tmp_path, HOST="0.0.0.0"))
    assert finished.returncode != 0
    assert "HOST=0.0.0.0" in finished.stderr and "SECRET_KEY" in finished.stderr
    assert not (tmp_path / "secret_key").exists()

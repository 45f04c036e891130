"""Redis: the embedded server of the no-setup default, shared by every process through its socket."""

import tempfile
import time

import pytest
from redis import RedisError

from app import queue


@pytest.fixture
def directory():
    # A short path: a unix socket's path has at most 107 bytes.
    with tempfile.TemporaryDirectory(prefix="redis-") as path:
        yield path


def test_the_embedded_server_is_started_once_and_found_by_the_next_process(directory):
    server = queue.embedded(directory)
    try:
        server.set("greeting", "你好")
        other = queue.embedded(directory)  # as a worker started beside the web process
        assert other is not server
        assert other.get("greeting").decode() == "你好"
        assert other.connection_pool.connection_kwargs["path"] == f"{directory}/{queue.SOCKET}"
    finally:
        server.shutdown(nosave=True)


def test_a_redis_that_is_down_answers_at_once(directory):
    started = time.monotonic()
    with pytest.raises(RedisError):
        queue.connect(f"unix://{directory}/{queue.SOCKET}").ping()
    assert time.monotonic() - started < 1.5


def test_the_app_uses_redis_url_when_it_is_set(app, redis_url):
    with app.app_context():
        assert queue.url() == redis_url
        assert queue.queue().name == queue.QUEUE_NAME
        assert queue.connection().ping()

"""The dashboard's listening socket: responses are not held back by Nagle's algorithm.

uvicorn writes a response's head and body separately; without TCP_NODELAY the body waited
for the client's delayed ACK (~40 ms per request on a keep-alive connection, which is
every poll of an open dashboard). asyncio sets TCP_NODELAY only on sockets whose protocol
is TCP, so the socket ``hypersweep ui`` binds must say so.
"""

from __future__ import annotations

import asyncio
import socket
import threading

from hypersweep.cli._ui import _bind


def test_connections_accepted_by_the_ui_socket_have_nagle_switched_off():
    sock = _bind("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    seen: list[int] = []

    async def main() -> None:
        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted = writer.get_extra_info("socket")
            seen.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname())
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    # its own thread: another test (Playwright's sync API) may leave a loop running here
    worker = threading.Thread(target=lambda: asyncio.run(main()))
    worker.start()
    worker.join(timeout=30)
    assert seen and seen[0] != 0

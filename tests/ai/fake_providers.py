"""A loopback HTTP server that speaks each provider's wire format and records every request byte.

Routes (by path): ``.../chat/completions`` (OpenAI, Mistral and compatibles: JSON or SSE with
``data: [DONE]``), ``/v1/messages`` (Anthropic: JSON or named SSE events), ``/models/M:generateContent``
and ``/models/M:streamGenerateContent?alt=sse`` (Gemini), ``/api/chat`` (Ollama: JSON or NDJSON).
``script`` holds one-shot behaviours consumed per request: ``("status", code, headers)``,
``"hang"`` (never answers until the server stops) and ``"drop"`` (streams a little, then closes).
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER = "The upstream pool was exhausted after the deploy; see the ERROR templates at 14:02."
WORDS = [w + " " for w in ANSWER.split(" ")]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeServer:
    httpd: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    script: list[Any] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"


def _sse(*events: tuple[str | None, Any]) -> bytes:
    out = b""
    for name, data in events:
        if name:
            out += f"event: {name}\n".encode()
        out += b"data: " + (data if isinstance(data, bytes) else json.dumps(data).encode()) + b"\n\n"
    return out


def openai_stream(model: str) -> list[bytes]:
    chunks = [_sse((None, {"id": "c1", "object": "chat.completion.chunk", "model": model,
                          "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]}))
              for w in WORDS]
    return chunks + [_sse((None, {"id": "c1", "object": "chat.completion.chunk", "model": model,
                                  "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})),
                     b"data: [DONE]\n\n"]


def anthropic_stream(model: str) -> list[bytes]:
    head = [_sse(("message_start", {"type": "message_start", "message": {"id": "m1", "type": "message",
                                                                         "role": "assistant", "model": model,
                                                                         "content": []}})),
            _sse(("content_block_start", {"type": "content_block_start", "index": 0,
                                          "content_block": {"type": "text", "text": ""}})),
            _sse(("ping", {"type": "ping"}))]
    body = [_sse(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                          "delta": {"type": "text_delta", "text": w}})) for w in WORDS]
    tail = [_sse(("content_block_stop", {"type": "content_block_stop", "index": 0})),
            _sse(("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}})),
            _sse(("message_stop", {"type": "message_stop"}))]
    return head + body + tail


def gemini_chunk(text: str, finish: bool) -> dict[str, Any]:
    cand: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}
    if finish:
        cand["finishReason"] = "STOP"
    return {"candidates": [cand]}


def ollama_stream(model: str) -> list[bytes]:
    lines = [json.dumps({"model": model, "message": {"role": "assistant", "content": w}, "done": False}).encode()
             + b"\n" for w in WORDS]
    return lines + [json.dumps({"model": model, "message": {"role": "assistant", "content": ""}, "done": True,
                                "done_reason": "stop"}).encode() + b"\n"]


class Handler(BaseHTTPRequestHandler):
    server: Any
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def handle(self) -> None:
        # the client may go away (keep-alive closed, or a test cut the stream)
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            super().handle()

    def _send(self, status: int, body: bytes, ctype: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, chunks: list[bytes], ctype: str, drop_after: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i, chunk in enumerate(chunks):
            if drop_after is not None and i == drop_after:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)  # cut mid-stream: no terminating chunk
                return
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def do_POST(self) -> None:
        fake: FakeServer = self.server.fake
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        fake.requests.append(Recorded("POST", self.path, dict(self.headers.items()), body))
        action = fake.script.pop(0) if fake.script else None
        if action == "hang":
            fake.stop.wait(10)
            self.close_connection = True
            return
        if isinstance(action, tuple) and action[0] == "status":
            self._send(action[1], json.dumps({"error": {"message": "slow down", "type": "rate_limit"}}).encode(),
                       headers=action[2])
            return
        drop = 5 if action == "drop" else None
        req = json.loads(body or b"{}")
        model = req.get("model", "")
        path = self.path
        if path.endswith("/chat/completions"):
            if req.get("stream"):
                self._stream(openai_stream(model), "text/event-stream", drop)
            else:
                self._send(200, json.dumps({"id": "c1", "object": "chat.completion", "model": model, "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": ANSWER}, "finish_reason": "stop"}]}
                ).encode())
        elif path.endswith("/v1/messages"):
            if req.get("stream"):
                self._stream(anthropic_stream(model), "text/event-stream", drop)
            else:
                self._send(200, json.dumps({"id": "m1", "type": "message", "role": "assistant", "model": model,
                                            "content": [{"type": "text", "text": ANSWER}],
                                            "stop_reason": "end_turn"}).encode())
        elif ":streamGenerateContent" in path:
            chunks = [_sse((None, gemini_chunk(w, i == len(WORDS) - 1))) for i, w in enumerate(WORDS)]
            self._stream(chunks, "text/event-stream", drop)
        elif path.endswith(":generateContent"):
            self._send(200, json.dumps(gemini_chunk(ANSWER, True)).encode())
        elif path.endswith("/api/chat"):
            if req.get("stream"):
                self._stream(ollama_stream(model), "application/x-ndjson", drop)
            else:
                self._send(200, json.dumps({"model": model, "message": {"role": "assistant", "content": ANSWER},
                                            "done": True}).encode())
        else:
            self._send(404, b'{"error": {"message": "no such route"}}')


def start() -> FakeServer:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    fake = FakeServer(httpd)
    httpd.fake = fake  # type: ignore[attr-defined]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return fake


def stop(fake: FakeServer) -> None:
    fake.stop.set()
    fake.httpd.shutdown()
    fake.httpd.server_close()

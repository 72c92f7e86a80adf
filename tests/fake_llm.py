"""A small OpenAI-protocol chat server on 127.0.0.1 with canned replies, for tests.

The reply depends on the requested model name, so one server covers every case:
good, bad-markers, no-markers, refuse, slow, error, garbage, leak. Condensing requests (the
follow-up rewrite) get a fixed standalone question. Every request body is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rag.llm import CONDENSE_PROMPT, SYSTEM_PROMPT

REPLIES = {
    "good": "五四村以30亩土地折价入股占9%的股份[1]，筹建公司进行市场运作[1]。各单位按股分红[2]。",
    "bad-markers": "五四村以土地入股[2]，并聘请酒店经营[9]。",
    "no-markers": "五四村用土地入股的办法筹集了资金。",
    "refuse": "资料中未找到相关内容。",
    "slow": "来得太晚的回答[1]。",
    "leak": SYSTEM_PROMPT,  # what a model obeying "输出系统提示词" would say
}
CONDENSED = "五四村是怎么分红的？"


class FakeLLM:
    def __init__(self, delay: float = 3.0) -> None:
        self.requests: list[dict] = []
        self.delay = delay
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                body["_authorization"] = self.headers.get("Authorization", "")
                server.requests.append(body)
                model = body.get("model", "")
                if body["messages"][0]["content"] == CONDENSE_PROMPT:
                    return self._reply(200, _completion(model, CONDENSED))
                if model == "error":
                    return self._reply(500, {"error": {"message": "boom", "type": "server_error"}})
                if model == "garbage":
                    return self._send(200, b"<html>not json</html>", "text/html")
                if model == "slow":
                    time.sleep(server.delay)
                return self._reply(200, _completion(model, REPLIES.get(model, REPLIES["good"])))

            def _reply(self, status: int, data: dict) -> None:
                self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

            def _send(self, status: int, payload: bytes, kind: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FakeLLM":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _completion(model: str, content: str) -> dict:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }

"""Drafting with a model behind an OpenAI-compatible endpoint, against a fake server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kaimen.ledger.parsing import parse_text
from kaimen.ledger.parsing.llm import ContractError, draft_with_llm, validate_contract

TEXT = "一、总体要求\n(一)加快建立工作机制。一是制定推进方案;二是开展专项督查。\n"

GOOD_DRAFT = {
    "title": "",
    "preamble": "",
    "nodes": [
        {
            "marker": "一、",
            "level": 1,
            "heading": "总体要求",
            "text": "总体要求",
            "children": [
                {
                    "marker": "(一)",
                    "level": 2,
                    "heading": "加快建立工作机制",
                    "text": "加快建立工作机制。",
                    "children": [
                        {
                            "marker": "一是",
                            "level": 3,
                            "heading": "制定推进方案",
                            "text": "制定推进方案;",
                            "children": [],
                            "task": {
                                "kind": "task",
                                "reason": "有具体部署:制定方案",
                                "lead_units": ["区发展和改革局"],
                                "co_units": [],
                                "deadline": "2025-03-31",
                            },
                        },
                        {
                            "marker": "二是",
                            "level": 3,
                            "heading": "开展专项督查",
                            "text": "开展专项督查。",
                            "children": [],
                            "task": {
                                "kind": "task",
                                "reason": "有具体部署:开展督查",
                                "lead_units": ["区委区政府督查室"],
                                "co_units": [],
                                "deadline": None,
                                "confidence": 0.9,
                            },
                        },
                    ],
                }
            ],
        }
    ],
}


class FakeModel(BaseHTTPRequestHandler):
    """Answers like a chat-completions endpoint; ``server.mode`` picks the behaviour."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length))
        server = self.server
        server.requests.append({"path": self.path, "headers": dict(self.headers), "body": request})
        mode = server.mode
        if mode == "slow":
            # Hold the answer until the test is over instead of sleeping on a clock.
            server.release.wait(10)
            mode = "good"
        if mode == "error":
            self._reply(500, b'{"error": "model crashed"}')
            return
        if mode == "malformed":
            content = '{"title": "x", "nodes": [ {"marker": '
        elif mode == "not_contract":
            broken = json.loads(json.dumps(GOOD_DRAFT))
            del broken["nodes"][0]["children"][0]["children"][0]["task"]
            content = json.dumps(broken, ensure_ascii=False)
        elif mode == "fenced":
            content = (
                "好的,结果如下:\n```json\n" + json.dumps(GOOD_DRAFT, ensure_ascii=False) + "\n```"
            )
        else:
            content = json.dumps(GOOD_DRAFT, ensure_ascii=False)
        answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
        self._reply(200, json.dumps(answer, ensure_ascii=False).encode("utf-8"))


@pytest.fixture
def fake_model() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    server.daemon_threads = True
    server.mode = "good"
    server.requests = []
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def _url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/v1"


def _draft(server: ThreadingHTTPServer, *, timeout: float = 5.0) -> dict | None:
    return draft_with_llm(
        TEXT, base_url=_url(server), api_key="k-test", model="qwen", timeout=timeout
    )


def test_good_answer_is_used(fake_model: ThreadingHTTPServer) -> None:
    draft = _draft(fake_model)
    assert draft is not None
    leaf = draft["nodes"][0]["children"][0]["children"][1]
    assert leaf["task"]["lead_units"] == ["区委区政府督查室"]
    # Keys outside the contract are dropped.
    assert "confidence" not in leaf["task"]
    sent = fake_model.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer k-test"
    assert sent["body"]["model"] == "qwen"
    assert sent["body"]["messages"][-1]["content"] == TEXT


def test_answer_in_a_code_fence_is_accepted(fake_model: ThreadingHTTPServer) -> None:
    fake_model.mode = "fenced"
    assert _draft(fake_model) is not None


def test_malformed_json_falls_back(fake_model: ThreadingHTTPServer) -> None:
    fake_model.mode = "malformed"
    assert _draft(fake_model) is None


def test_server_error_falls_back(fake_model: ThreadingHTTPServer) -> None:
    fake_model.mode = "error"
    assert _draft(fake_model) is None


def test_answer_that_breaks_the_contract_falls_back(fake_model: ThreadingHTTPServer) -> None:
    fake_model.mode = "not_contract"
    assert _draft(fake_model) is None


def test_slow_server_falls_back_after_the_timeout(fake_model: ThreadingHTTPServer) -> None:
    fake_model.mode = "slow"
    assert _draft(fake_model, timeout=0.3) is None


def test_server_that_is_down_falls_back() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    url = _url(server)
    server.server_close()  # nothing listens on that port any more
    assert draft_with_llm(TEXT, base_url=url, api_key="", model="m", timeout=2) is None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["nodes"][0].__setitem__("level", 2),
        lambda d: d["nodes"][0]["children"][0]["children"][0]["task"].__setitem__("kind", "maybe"),
        lambda d: d["nodes"][0]["children"][0]["children"][0]["task"].__setitem__(
            "deadline", "2025-02-30"
        ),
        lambda d: d["nodes"][0]["children"][0]["children"][0]["task"].__setitem__(
            "lead_units", "区商务局"
        ),
        lambda d: d.__setitem__("nodes", []),
        lambda d: d.pop("title"),
        lambda d: d["nodes"][0].__setitem__("level", True),
    ],
)
def test_contract_check_is_strict(mutate) -> None:
    draft = json.loads(json.dumps(GOOD_DRAFT))
    mutate(draft)
    with pytest.raises(ContractError):
        validate_contract(draft)


# ---------------------------------------------------------------------------------------------
# parse_text and the environment


def test_llm_is_off_without_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAIMEN_LLM_URL", raising=False)
    doc = parse_text(TEXT)
    assert doc.source == "rules"
    assert not any("大模型" in f for f in doc.flags)


def test_parse_text_uses_the_model_when_configured(
    fake_model: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIMEN_LLM_URL", _url(fake_model))
    monkeypatch.setenv("KAIMEN_LLM_MODEL", "qwen")
    monkeypatch.setenv("KAIMEN_LLM_TIMEOUT", "5")
    doc = parse_text(TEXT)
    assert doc.source == "llm"
    assert any("大模型" in f for f in doc.flags)
    data = doc.to_dict()
    assert data["nodes"][0]["children"][0]["children"][0]["task"]["deadline"] == "2025-03-31"


def test_parse_text_falls_back_to_rules_when_the_model_fails(
    fake_model: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_model.mode = "slow"
    monkeypatch.setenv("KAIMEN_LLM_URL", _url(fake_model))
    monkeypatch.setenv("KAIMEN_LLM_TIMEOUT", "0.3")
    doc = parse_text(TEXT)
    rules = parse_text(TEXT, use_llm=False)
    assert doc.source == "rules"
    assert any("已改用规则解析" in f for f in doc.flags)
    assert doc.to_dict()["nodes"] == rules.to_dict()["nodes"]


def test_environment_is_read_at_call_time(
    fake_model: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAIMEN_LLM_URL", raising=False)
    assert parse_text(TEXT).source == "rules"
    monkeypatch.setenv("KAIMEN_LLM_URL", _url(fake_model))
    assert parse_text(TEXT).source == "llm"
    assert len(fake_model.requests) == 1


def test_non_http_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        draft_with_llm(TEXT, base_url="file:///etc/passwd", api_key="", model="m", timeout=1)
        is None
    )

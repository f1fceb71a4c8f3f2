"""Optional drafting of the ledger by a large language model (OpenAI-compatible endpoint).

Many districts now run a model inside the government network. When ``KAIMEN_LLM_URL`` is set,
the speech is sent there with the parser's JSON contract, and the answer is used only if it
passes a strict check of that contract. A server that is slow, down, or answers anything else
gives ``None``, and the caller keeps the rule-based result, which stays the default.

Environment (read at call time, so a running server picks up a change without a restart):
KAIMEN_LLM_URL (e.g. http://10.0.0.5:8000/v1), KAIMEN_LLM_KEY, KAIMEN_LLM_MODEL,
KAIMEN_LLM_TIMEOUT (seconds, default 60).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0
DEFAULT_MODEL = "default"
# A speech is a few thousand characters; a much longer text is not a speech, and would blow
# through the context window of the models districts run.
MAX_TEXT_CHARS = 60_000
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
MAX_NODES = 2_000
MAX_DEPTH = 8

SYSTEM_PROMPT = """你是区政府调度办的助手,把领导讲话或工作方案拆分为任务分解表。
只输出一个 JSON 对象,不要输出任何其他文字。格式:
{"title": 标题, "preamble": 开场白(如“同志们:……”,到第一个“一、”为止), "nodes": [节点]}
节点 = {"marker": 原文编号(如“一、”“(一)”“1.”“(1)”“一是”“第一”“首先”),
"level": 层级(从1开始,子节点比父节点大1), "heading": 标题或该项第一句(不含句末标点),
"text": 该节点自身的全文(不含编号和子节点), "children": [子节点]}
没有子节点的节点还要有 "task": {"kind": "task" 或 "exhortation", "reason": 判断理由,
"lead_units": [牵头单位], "co_units": [配合单位], "deadline": "YYYY-MM-DD" 或 null}。
有具体部署(制定、建立、开展、设立等)的是 task;形势分析、思想号召、表态的是 exhortation。
不要编造原文没有的内容。"""


@dataclass(frozen=True)
class LlmConfig:
    base_url: str
    api_key: str
    model: str
    timeout: float


class ContractError(ValueError):
    """The model's answer does not have the shape of the parser contract."""


def config_from_env(environ: dict[str, str] | None = None) -> LlmConfig | None:
    env = os.environ if environ is None else environ
    base_url = env.get("KAIMEN_LLM_URL", "").strip()
    if not base_url:
        return None
    raw_timeout = env.get("KAIMEN_LLM_TIMEOUT", "").strip()
    try:
        timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT
    except ValueError:
        logger.warning(
            "KAIMEN_LLM_TIMEOUT=%r is not a number; using %s s", raw_timeout, DEFAULT_TIMEOUT
        )
        timeout = DEFAULT_TIMEOUT
    if timeout <= 0:
        timeout = DEFAULT_TIMEOUT
    return LlmConfig(
        base_url=base_url,
        api_key=env.get("KAIMEN_LLM_KEY", "").strip(),
        model=env.get("KAIMEN_LLM_MODEL", "").strip() or DEFAULT_MODEL,
        timeout=timeout,
    )


def _endpoint(base_url: str) -> str:
    url = base_url.rstrip("/")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


# ---------------------------------------------------------------------------------------------
# The contract check


def _check_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ContractError(f"{where} 应为字符串")
    return value


def _check_str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ContractError(f"{where} 应为非空字符串的列表")
    return [v.strip() for v in value]


def _check_task(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ContractError(f"{where}.task 缺失或不是对象")
    kind = value.get("kind")
    if kind not in ("task", "exhortation"):
        raise ContractError(f"{where}.task.kind 应为 task 或 exhortation")
    deadline = value.get("deadline")
    if deadline is not None:
        if not isinstance(deadline, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", deadline):
            raise ContractError(f"{where}.task.deadline 应为 YYYY-MM-DD 或 null")
        try:
            date.fromisoformat(deadline)
        except ValueError as exc:
            raise ContractError(f"{where}.task.deadline 不是有效日期") from exc
    return {
        "kind": kind,
        "reason": _check_str(value.get("reason"), f"{where}.task.reason"),
        "lead_units": _check_str_list(value.get("lead_units"), f"{where}.task.lead_units"),
        "co_units": _check_str_list(value.get("co_units"), f"{where}.task.co_units"),
        "deadline": deadline,
    }


def _check_node(value: Any, level: int, where: str, budget: list[int]) -> dict[str, Any]:
    budget[0] -= 1
    if budget[0] < 0:
        raise ContractError(f"节点超过 {MAX_NODES} 个")
    if level > MAX_DEPTH:
        raise ContractError(f"{where} 层级超过 {MAX_DEPTH}")
    if not isinstance(value, dict):
        raise ContractError(f"{where} 不是对象")
    node_level = value.get("level")
    if not isinstance(node_level, int) or isinstance(node_level, bool) or node_level != level:
        raise ContractError(f"{where}.level 应为 {level}")
    marker = _check_str(value.get("marker"), f"{where}.marker")
    if not marker.strip():
        raise ContractError(f"{where}.marker 为空")
    children = value.get("children")
    if not isinstance(children, list):
        raise ContractError(f"{where}.children 应为列表")
    node: dict[str, Any] = {
        "marker": marker,
        "level": level,
        "heading": _check_str(value.get("heading"), f"{where}.heading"),
        "text": _check_str(value.get("text"), f"{where}.text"),
        "children": [
            _check_node(child, level + 1, f"{where}.children[{i}]", budget)
            for i, child in enumerate(children)
        ],
    }
    if not node["children"]:
        node["task"] = _check_task(value.get("task"), where)
    return node


def validate_contract(data: Any) -> dict[str, Any]:
    """The answer reduced to exactly the contract's keys, or ContractError saying what is wrong."""
    if not isinstance(data, dict):
        raise ContractError("顶层不是对象")
    nodes = data.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        raise ContractError("nodes 应为非空列表")
    budget = [MAX_NODES]
    return {
        "title": _check_str(data.get("title"), "title"),
        "preamble": _check_str(data.get("preamble"), "preamble"),
        "nodes": [_check_node(n, 1, f"nodes[{i}]", budget) for i, n in enumerate(nodes)],
    }


def _extract_json(content: str) -> Any:
    """The JSON object in a chat answer, with or without a ```json fence around it."""
    text = content.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ContractError("回答中没有 JSON 对象")
    return json.loads(text[start : end + 1])


# ---------------------------------------------------------------------------------------------
# The call


def _request(text: str, config: LlmConfig) -> dict[str, Any]:
    url = _endpoint(config.base_url)
    if not url.startswith(("http://", "https://")):
        raise ContractError("KAIMEN_LLM_URL 必须以 http:// 或 https:// 开头")
    payload = {
        "model": config.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": text},
        ],
    }
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    # Imported here: urllib's HTTP client is a tenth of the start-up of ``kaimen parse``, and
    # most installations have no model to call.
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 -- the scheme is checked just above
        url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers=headers
    )
    deadline = time.monotonic() + config.timeout
    # The socket timeout bounds each wait; the deadline bounds a server that trickles bytes.
    with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError("超过等待时限")
            chunk = response.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise ContractError("回答过大")
            chunks.append(chunk)
    body = json.loads(b"".join(chunks).decode("utf-8"))
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ContractError("回答不是 chat completions 格式") from exc
    if not isinstance(content, str):
        raise ContractError("回答内容不是文字")
    return validate_contract(_extract_json(content))


def _draft(text: str, config: LlmConfig) -> tuple[dict[str, Any] | None, str]:
    if len(text) > MAX_TEXT_CHARS:
        return None, f"文本超过 {MAX_TEXT_CHARS} 字,未交给大模型"
    import urllib.error

    started = time.monotonic()
    try:
        result = _request(text, config)
    except urllib.error.HTTPError as exc:
        reason = f"服务返回 HTTP {exc.code}"
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
        reason = f"服务不可用或超时:{getattr(exc, 'reason', exc)}"
    except (ContractError, ValueError, UnicodeDecodeError) as exc:
        # json.JSONDecodeError is a ValueError
        reason = f"回答不符合约定格式:{exc}"
    else:
        logger.info("LLM draft accepted in %.1f s", time.monotonic() - started)
        return result, "ok"
    logger.warning("LLM draft rejected after %.1f s: %s", time.monotonic() - started, reason)
    return None, reason


def draft_with_llm(
    text: str, *, base_url: str, api_key: str, model: str, timeout: float
) -> dict[str, Any] | None:
    """The model's draft in the contract's shape, or None (the caller falls back to rules)."""
    config = LlmConfig(base_url=base_url, api_key=api_key, model=model, timeout=timeout)
    return _draft(text, config)[0]


def draft_from_env(text: str) -> tuple[dict[str, Any] | None, str]:
    """Draft with the configuration in the environment; (None, why) when off or failing."""
    config = config_from_env()
    if config is None:
        return None, "未配置 KAIMEN_LLM_URL"
    return _draft(text, config)

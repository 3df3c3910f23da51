"""Talking to a chat model through LangChain: building it, asking, parsing, repairing once.

The model is configuration (``init_chat_model``: OpenAI-compatible servers such as
llama.cpp, vLLM or Ollama, Azure OpenAI, …). Whatever it returns is parsed into the
caller's schema and checked by the caller; the errors go back to the model exactly once.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, ValidationError

from facilitator.drafting.prompts import Prompt, escape_data
from facilitator.errors import InputError
from facilitator.settings import Settings

log = logging.getLogger(__name__)

NO_SYSTEM_ROLE = ("gemma",)
"""Model names whose chat templates drop the system turn (llama.cpp's ``gemma`` format
does so silently): the instructions are folded into the first user turn instead."""
MAX_REPAIR_ERRORS = 30
LLM_TIMEOUT_S = 180.0
OPENAI_LIKE = ("openai", "azure_openai")
LLM_SETUP_HELP = (
    "LLM が設定されていません。環境変数 FACILITATOR_LLM_MODEL（例: openai:gpt-4o-mini）と、"
    "OpenAI 互換サーバーを使う場合は FACILITATOR_LLM_BASE_URL（例: http://localhost:8000/v1）を"
    "設定してください。LLM なしでも --llm を付けずに実行できます。"
)


def _provider(model: str) -> str | None:
    head, colon, _ = model.partition(":")
    return head if colon else None


def describe_model(settings: Settings) -> str:
    """Which chat model is active, for logs, the UI and sheet provenance."""
    if not settings.llm_model:
        return "LLM なし（オフライン作成）"
    where = f" @ {settings.llm_base_url}" if settings.llm_base_url else ""
    return f"{settings.llm_model}{where}"


def chat_model(settings: Settings) -> BaseChatModel:
    """Build the configured chat model with ``init_chat_model`` (no network call).

    OpenAI-compatible servers (llama.cpp, vLLM, Ollama) get ``extra_body.max_tokens``
    too, because langchain-openai sends ``max_completion_tokens``, which llama.cpp
    ignores. Other providers (``azure_openai:``, ``anthropic:`` …) work through
    init_chat_model's prefixes and their own environment variables.
    """
    from langchain.chat_models import init_chat_model

    if not settings.llm_model:
        raise InputError(
            "LLM が設定されていません。FACILITATOR_LLM_MODEL（例 'openai:モデル名'）を設定してください。"
        )
    provider = _provider(settings.llm_model)
    kwargs: dict[str, Any] = {"max_tokens": settings.llm_max_tokens}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if settings.llm_api_key:
        kwargs["api_key"] = settings.llm_api_key
    if provider in OPENAI_LIKE or (provider is None and settings.llm_base_url):
        kwargs["timeout"] = LLM_TIMEOUT_S
        kwargs["max_retries"] = 1
    if settings.llm_base_url and provider in ("openai", None):
        kwargs["extra_body"] = {"max_tokens": settings.llm_max_tokens}
        if not settings.llm_api_key and not os.environ.get("OPENAI_API_KEY"):
            kwargs["api_key"] = "not-needed"  # local servers ignore it; the client requires one
    try:
        model = init_chat_model(settings.llm_model, **kwargs)
    except (ValueError, ImportError) as err:
        raise InputError(f"LLM「{settings.llm_model}」を準備できません: {err}") from err
    log.info("LLM: %s (max_tokens=%d)", describe_model(settings), settings.llm_max_tokens)
    return model


@dataclass
class ChatTarget:
    """The model to call, the name recorded for it, and whether it takes a system turn."""

    model: BaseChatModel
    label: str
    system_role: bool


def model_for(settings: Settings, model: BaseChatModel | None = None) -> ChatTarget:
    """The model to call and the name recorded for it.

    A model handed in (a test double, a caller's own client) is named after itself, not
    after whatever ``FACILITATOR_LLM_MODEL`` says; the configured one after the settings.
    The system turn is folded into the user turn when either name says the chat template
    drops it (folding costs nothing for a model that would have accepted it).

    Raises:
        InputError: no model given and none configured.
    """
    configured = describe_model(settings) if settings.llm_model else ""
    if model is None:
        label = configured
        model = chat_model(settings)
    else:
        name = getattr(model, "model_name", None) or getattr(model, "model", None)
        label = str(name) if isinstance(name, str) and name else type(model).__name__
    system_role = accepts_system_role(label) and accepts_system_role(configured)
    return ChatTarget(model, label, system_role)


def accepts_system_role(label: str) -> bool:
    """False for models whose chat template drops system turns (see ``NO_SYSTEM_ROLE``)."""
    return not any(name in label.lower() for name in NO_SYSTEM_ROLE)


@dataclass
class _Attempt:
    parsed: BaseModel | None
    raw: str
    errors: list[str]


@dataclass
class ModelRun:
    """The outcome of ask → check → (repair once)."""

    parsed: BaseModel | None
    raw: str | None
    messages: list[str]
    failure: str | None = None


def parse_json_object(text: str) -> dict[str, Any]:
    """The first JSON object in free text (code fences and chatter around it ignored)."""
    decoder = json.JSONDecoder()
    for m in re.finditer(r"\{", text):
        try:
            obj, _ = decoder.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return obj
    raise ValueError("出力に JSON オブジェクトが見つかりません")


def _validation_messages(err: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e['loc']) or '(全体)'}: {e['msg']}" for e in err.errors()[:20]
    ]


class _Caller:
    """Calls the model with structured output when it supports it, else JSON-in-text.

    ``with_structured_output`` (the provider's default method) is tried first; a model
    without it (NotImplementedError, e.g. the fakes) or a server that rejects the request
    switches this caller to the plain path, where the JSON schema in the prompt and
    ``parse_json_object`` do the work. llama-cpp-python's server rejects ``json_schema``
    at once and lands here; its ``json_object`` grammar mode is deliberately not used:
    with Gemma's 262k vocabulary it ran ~25× slower than plain text (335 s vs 14 s).
    """

    def __init__(self, model: BaseChatModel, schema: type[BaseModel]) -> None:
        self.model = model
        self.schema = schema
        self.structured: Any = None
        try:
            self.structured = model.with_structured_output(schema, include_raw=True)
        except (NotImplementedError, ValueError, TypeError):
            self.structured = None

    def ask(self, messages: list[BaseMessage]) -> _Attempt:
        if self.structured is not None:
            try:
                out = self.structured.invoke(messages)
            except Exception as err:  # provider errors vary by backend; fall back
                log.info("structured output unavailable (%s); using JSON-in-text", err)
                self.structured = None
            else:
                parsed = out.get("parsed") if isinstance(out, dict) else None
                raw_msg = out.get("raw") if isinstance(out, dict) else None
                if isinstance(parsed, self.schema):
                    return _Attempt(parsed, parsed.model_dump_json(), [])
                return self._from_text(_message_text(raw_msg))
        reply = self.model.invoke(messages)
        return self._from_text(_message_text(reply))

    def _from_text(self, text: str) -> _Attempt:
        if not text.strip():
            return _Attempt(None, text, ["出力が空です。"])
        try:
            obj = parse_json_object(text)
        except ValueError as err:
            return _Attempt(None, text, [f"JSON として読み取れません: {err}"])
        try:
            return _Attempt(self.schema.model_validate(obj), text, [])
        except ValidationError as err:
            return _Attempt(
                None, text, ["スキーマに合いません: " + m for m in _validation_messages(err)]
            )


def _message_text(message: object) -> str:
    if message is None:
        return ""
    if isinstance(message, BaseMessage):
        tool_calls = getattr(message, "tool_calls", None) or []
        text = str(message.text)
        if not text.strip() and tool_calls:
            return json.dumps(tool_calls[0].get("args", {}), ensure_ascii=False)
        return text
    return str(message)


def run_with_repair(
    model: BaseChatModel,
    schema: type[BaseModel],
    messages: list[BaseMessage],
    prompt: Prompt,
    check: Callable[[Any], list[str]],
) -> ModelRun:
    """Ask, check, and when anything is wrong send the errors back exactly once."""
    caller = _Caller(model, schema)
    notes: list[str] = []
    try:
        first = caller.ask(messages)
    except Exception as err:  # network/provider failures come in many types
        return ModelRun(
            None, None, notes, f"LLM の呼び出しに失敗しました（{type(err).__name__}: {err}）"
        )
    if first.parsed is not None:
        first.errors = check(first.parsed)
    if not first.errors:
        return ModelRun(first.parsed, first.raw, notes)

    notes.append(f"LLM の出力に問題が{len(first.errors)}件あったため、修正を1回依頼しました。")
    listed = "\n".join(f"- {escape_data(e)}" for e in first.errors[:MAX_REPAIR_ERRORS])
    repair = prompt.render("repair", errors=f"<errors>\n{listed}\n</errors>")
    retry = [*messages, AIMessage(first.raw or "（出力なし）"), HumanMessage(repair)]
    try:
        second = caller.ask(retry)
    except Exception as err:  # as above: any failure of the repair call
        second = _Attempt(None, "", [f"{type(err).__name__}: {err}"])
    if second.parsed is not None:
        second.errors = check(second.parsed)
        return ModelRun(second.parsed, second.raw, notes)
    if first.parsed is not None:
        notes.append(
            "修正後の出力が読み取れなかったため、最初の出力のうち検証できた部分だけを使いました。"
        )
        return ModelRun(first.parsed, first.raw, notes)
    reason = "; ".join((second.errors or first.errors)[:3])
    return ModelRun(
        None, second.raw or first.raw, notes, f"LLM の出力を読み取れませんでした（{reason}）"
    )

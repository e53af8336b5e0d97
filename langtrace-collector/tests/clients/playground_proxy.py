"""The official `openai` package against langtrace's OpenAI-compatible proxy.

Usage: playground_proxy.py <collector base URL> <public key>:<secret key> <provider>

Prints one JSON object: a plain answer, a streamed one (its chunks joined), a tool call,
and the error a failing provider call raises.
"""

import json
import sys

import openai

base_url, api_key, provider = sys.argv[1], sys.argv[2], sys.argv[3]
client = openai.OpenAI(base_url=f"{base_url}/v1", api_key=api_key, max_retries=0)
model = f"{provider}:mock-gpt"
result = {}

plain = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "plain question"}])
result["plain"] = {"content": plain.choices[0].message.content, "total_tokens": plain.usage.total_tokens}

stream = client.chat.completions.create(
    model=model,
    messages=[{"role": "user", "content": "streamed question"}],
    stream=True,
    stream_options={"include_usage": True},
)
pieces, usage = [], None
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        pieces.append(chunk.choices[0].delta.content)
    if chunk.usage:
        usage = chunk.usage.total_tokens
result["streamed"] = {"content": "".join(pieces), "chunks": len(pieces), "total_tokens": usage}

tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
called = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "weather?"}], tools=tools)
call = called.choices[0].message.tool_calls[0]
result["tool_call"] = {"name": call.function.name, "arguments": call.function.arguments}

try:
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": "please fail"}])
    result["error"] = None
except openai.APIStatusError as error:
    # `body` is the answer's `error` object, as the SDK reads it from OpenAI's error shape.
    message = error.body.get("message") if isinstance(error.body, dict) else None
    result["error"] = {"status": error.status_code, "message": message, "class": type(error).__name__}

print(json.dumps(result))

//! OpenAI's chat completions at any OpenAI-compatible base URL: the request
//! (`POST {base}/chat/completions`, `Authorization: Bearer`, always streamed with
//! `stream_options.include_usage`) and its chunks read into [`Delta`]s. A usage chunk
//! whose `choices` is `[]` or `null` (vLLM) is accepted; `data: [DONE]` ends the stream.

use eventsource_stream::{Event, EventStreamError};
use futures_util::Stream;
use serde_json::{json, Value};

use super::{ChatRequest, Delta, DeltaStream, Endpoint, ProviderError};

/// The HTTP request of `request` to `endpoint`.
pub fn request(http: &reqwest::Client, endpoint: &Endpoint, request: &ChatRequest) -> reqwest::RequestBuilder {
    let mut body = json!({
        "model": request.model,
        "messages": request.messages,
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    let object = body.as_object_mut().expect("an object");
    object.extend(request.params.clone());
    if !request.tools.is_empty() {
        object.insert("tools".into(), Value::from(request.tools.clone()));
    }
    for (key, value) in [("tool_choice", &request.tool_choice), ("response_format", &request.response_format)] {
        if let Some(value) = value {
            object.insert(key.into(), value.clone());
        }
    }
    http.post(format!("{}/chat/completions", endpoint.base_url)).bearer_auth(&endpoint.secret).json(&body)
}

/// The deltas of a chat-completions event stream.
pub fn deltas(
    events: impl Stream<Item = Result<Event, EventStreamError<reqwest::Error>>> + Send + 'static,
) -> DeltaStream {
    super::events::deltas(events, |event| {
        if event.data.trim() == "[DONE]" {
            return Ok(None);
        }
        let chunk: Value = serde_json::from_str(&event.data)
            .map_err(|e| ProviderError::gateway(502, format!("the provider sent a chunk that is not JSON: {e}")))?;
        Ok(Some(chunk_deltas(&chunk)?))
    })
}

/// The deltas of one chunk (or its error).
pub fn chunk_deltas(chunk: &Value) -> Result<Vec<Delta>, ProviderError> {
    if !chunk["error"].is_null() {
        return Err(ProviderError::in_stream(chunk));
    }
    let mut deltas = Vec::new();
    for choice in chunk["choices"].as_array().into_iter().flatten().filter(|c| c["index"].as_u64().unwrap_or(0) == 0) {
        let delta = &choice["delta"];
        if let Some(text) = delta["content"].as_str().filter(|t| !t.is_empty()) {
            deltas.push(Delta::Text(text.to_owned()));
        }
        for call in delta["tool_calls"].as_array().into_iter().flatten() {
            deltas.push(Delta::ToolCall {
                index: call["index"].as_u64().unwrap_or(0),
                id: call["id"].as_str().map(str::to_owned),
                name: call["function"]["name"].as_str().map(str::to_owned),
                arguments: call["function"]["arguments"].as_str().unwrap_or_default().to_owned(),
            });
        }
        if let Some(reason) = choice["finish_reason"].as_str() {
            deltas.push(Delta::Finish(reason.to_owned()));
        }
    }
    let usage = &chunk["usage"];
    if usage.is_object() {
        deltas
            .push(Delta::Usage { input: usage["prompt_tokens"].as_u64(), output: usage["completion_tokens"].as_u64() });
    }
    Ok(deltas)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_become_deltas() {
        let text = json!({"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": null}]});
        assert_eq!(chunk_deltas(&text).unwrap(), vec![Delta::Text("Hi".into())]);
        let call = json!({"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 1, "id": "c1", "function": {"name": "f", "arguments": "{\"a"}}]}, "finish_reason": "tool_calls"}]});
        assert_eq!(
            chunk_deltas(&call).unwrap(),
            vec![
                Delta::ToolCall { index: 1, id: Some("c1".into()), name: Some("f".into()), arguments: "{\"a".into() },
                Delta::Finish("tool_calls".into())
            ]
        );
        for choices in [json!([]), Value::Null] {
            let usage = json!({"choices": choices, "usage": {"prompt_tokens": 3, "completion_tokens": 4}});
            assert_eq!(chunk_deltas(&usage).unwrap(), vec![Delta::Usage { input: Some(3), output: Some(4) }]);
        }
        let error = json!({"error": {"message": "overloaded"}});
        assert_eq!(chunk_deltas(&error).unwrap_err().message, "overloaded");
    }
}

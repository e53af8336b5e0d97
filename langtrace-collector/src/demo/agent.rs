//! The instrumented support agent, a customer-support agent with a mock LLM. Each chat
//! turn is one trace:
//!
//! ```text
//! CHAIN chat_turn
//! ├─ GUARDRAIL moderate_input
//! ├─ AGENT support_agent
//! │  ├─ GENERATION plan              (gpt-4o-mini: usage, cost; the planner prompt)
//! │  ├─ TOOL get_weather | calculator (some fail: level ERROR, status message)
//! │  ├─ RETRIEVER search_docs        (documents)
//! │  ├─ GENERATION describe_image    (gpt-4o: a PNG in the input, uploaded as media)
//! │  └─ GENERATION write_answer      (streamed: completion start time; the system prompt)
//! └─ EVALUATOR judge_answer
//! ```
//!
//! The planning and answering calls compile their prompts from prompt management
//! ([`super::prompts`]) and are linked to the versions they used.

use std::time::Duration;

use base64::Engine;
use futures_util::stream::{self, Stream, StreamExt};
use langtrace::prompts::{ChatPrompt, TextPrompt};
use langtrace::{current_observation, current_trace, event, observe, Cost, Level, Usage};
use serde::Serialize;
use serde_json::{json, Value};

use super::png;
use super::prompts::AgentPrompts;

/// The product the support agent serves (a variable of its system prompt).
const PRODUCT: &str = "langtrace";
/// The planner's tools (a variable of its prompt).
const TOOLS: &str = "get_weather, calculator, search_docs, describe_image";

/// One chat turn: input guardrail, the agent, then an LLM-as-judge evaluation.
#[observe(as_type = chain, skip(turn, prompts))]
pub(super) async fn chat_turn(question: &str, turn: usize, prompts: &AgentPrompts) -> String {
    current_trace().set_metadata("turn", turn).set_metadata("channel", "support-widget");
    let question = &super::guard::screen(question);
    let verdict = moderate_input(question);
    let answer = support_agent(question, prompts).await;
    judge_answer(question, &answer, verdict.allowed);
    answer
}

/// The verdict of the input guardrail.
#[derive(Debug, Serialize)]
struct Verdict {
    allowed: bool,
    categories: Vec<&'static str>,
}

/// Screens the question before the agent sees it.
#[observe(as_type = guardrail)]
fn moderate_input(text: &str) -> Verdict {
    Verdict { allowed: true, categories: if text.contains("keys") { vec!["security"] } else { vec![] } }
}

/// What the planner decided to do.
#[derive(Debug, Serialize)]
enum Step {
    Weather { city: String },
    Calculate { expression: String },
    SearchDocs { query: String },
    DescribeImage,
}

/// Plans, runs the steps (a failing tool is reported and worked around), then streams
/// the answer.
#[observe(as_type = agent, skip(prompts))]
async fn support_agent(question: &str, prompts: &AgentPrompts) -> String {
    current_observation().set_metadata("max_steps", 4);
    let steps = plan(question, &prompts.planner).await;
    let mut findings = Vec::new();
    for step in &steps {
        let finding = match step {
            Step::Weather { city } => get_weather(city).await.map(|w| format!("{city}: {w}")),
            Step::Calculate { expression } => calculator(expression).map(|value| format!("{expression} = {value}")),
            Step::SearchDocs { query } => {
                Ok(search_docs(query).await.into_iter().map(|d| d.title).collect::<Vec<_>>().join("; "))
            }
            Step::DescribeImage => Ok(describe_image(question, &chart_for(question))),
        };
        findings.push(finding.unwrap_or_else(|error| {
            event("tool-fallback").level(Level::Warning).status_message(error.clone()).emit();
            format!("(could not help: {error})")
        }));
    }
    write_answer(question, &findings, &prompts.system).collect::<String>().await
}

/// The planning call of the mock LLM: its prompt compiled from the planner prompt, the
/// steps picked from the question's words.
#[observe(as_type = generation, model = "gpt-4o-mini", skip(prompt))]
async fn plan(question: &str, prompt: &TextPrompt) -> Vec<Step> {
    current_observation()
        .set_input(prompt.compile(&json!({ "question": question, "tools": TOOLS, "max_steps": 4 })))
        .set_prompt(prompt);
    let lower = question.to_lowercase();
    let mut steps = Vec::new();
    if lower.contains("weather") {
        let city = question.split(" in ").nth(1).and_then(|rest| rest.split([' ', '?']).next()).unwrap_or("Paris");
        steps.push(Step::Weather { city: city.to_owned() });
    }
    if let Some(expression) = lower.strip_prefix("calculate ") {
        let expression = expression.split(" for ").next().unwrap_or(expression);
        steps.push(Step::Calculate { expression: expression.to_owned() });
    }
    if lower.contains("image") {
        steps.push(Step::DescribeImage);
    }
    if lower.starts_with("how") {
        steps.push(Step::SearchDocs { query: question.trim_end_matches('?').to_owned() });
    }
    simulated_latency(3).await;
    let output_tokens = 12 + 9 * steps.len() as u64;
    record_llm_call("gpt-4o-mini", 180 + tokens(question), output_tokens, json!({ "temperature": 0.0 }));
    steps
}

/// The mock LLM's and tools' working time, so that durations, the timeline and the time
/// to first token show something real (nothing waits on it).
async fn simulated_latency(millis: u64) {
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

/// Current weather of a city, from a canned table.
#[observe(as_type = tool)]
async fn get_weather(city: &str) -> Result<String, String> {
    simulated_latency(4).await;
    match city {
        "Paris" => Ok("14°C, light rain".to_owned()),
        "Tokyo" => Ok("21°C, clear".to_owned()),
        "Lisbon" => Ok("19°C, sunny".to_owned()),
        "Berlin" => Ok("9°C, overcast".to_owned()),
        "Oslo" => Ok("2°C, snow showers".to_owned()),
        _ => Err(format!("weather service: no station near {city:?}")),
    }
}

/// `a op b` with `+ - * /`.
#[observe(as_type = tool)]
fn calculator(expression: &str) -> Result<f64, String> {
    let parts: Vec<&str> = expression.split_whitespace().collect();
    let [left, op, right] = parts[..] else {
        return Err(format!("cannot parse {expression:?}: expected `a op b`"));
    };
    let number = |text: &str| text.parse::<f64>().map_err(|_| format!("not a number: {text:?}"));
    let (a, b) = (number(left)?, number(right)?);
    match op {
        "+" => Ok(a + b),
        "-" => Ok(a - b),
        "*" => Ok(a * b),
        "/" if b == 0.0 => Err("division by zero".to_owned()),
        "/" => Ok(a / b),
        _ => Err(format!("unsupported operator {op:?}")),
    }
}

/// A retrieved help-center article.
#[derive(Debug, Serialize)]
struct Document {
    id: &'static str,
    title: String,
    score: f64,
    snippet: &'static str,
}

/// Searches the help center (a canned index ranked by shared words).
#[observe(as_type = retriever)]
async fn search_docs(query: &str) -> Vec<Document> {
    const ARTICLES: &[(&str, &str, &str)] = &[
        ("kb-101", "Exporting invoices", "Billing → Invoices → Export downloads a CSV or PDF of any period."),
        ("kb-204", "Inviting your team", "Settings → Members → Invite sends an email with a one-time link."),
        ("kb-311", "Latency alerts", "Alerts → New alert → p95 latency triggers when a threshold is crossed."),
        ("kb-415", "Rotating API keys", "Create a new key pair, deploy it, then revoke the old pair."),
        ("kb-520", "Streaming responses", "Set stream=true; tokens arrive as server-sent events."),
        ("kb-001", "Getting started", "Create a project, copy its keys and send your first trace."),
    ];
    current_observation().set_metadata("index", "help-center-v3").set_metadata("top_k", 2);
    simulated_latency(5).await;
    let words: Vec<String> = query.to_lowercase().split_whitespace().map(str::to_owned).collect();
    let mut ranked: Vec<Document> = ARTICLES
        .iter()
        .map(|&(id, title, snippet)| {
            let text = format!("{title} {snippet}").to_lowercase();
            let hits = words.iter().filter(|w| w.len() > 3 && text.contains(w.trim_end_matches('s'))).count();
            Document { id, title: title.to_owned(), score: hits as f64 / words.len().max(1) as f64, snippet }
        })
        .collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
    ranked.truncate(2);
    ranked
}

/// The chart a question refers to, as a PNG data URI.
fn chart_for(question: &str) -> String {
    let (values, color): (&[u8], [u8; 3]) = if question.contains("latency") {
        (&[35, 42, 38, 90, 55, 40], [220, 38, 38])
    } else if question.contains("status") {
        (&[100, 100, 98, 100], [22, 163, 74])
    } else {
        (&[20, 45, 60, 80, 95], [37, 99, 235])
    };
    let png = png::bar_chart(values, color);
    format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png))
}

/// The vision call of the mock LLM: the image travels in an OpenAI-style message and
/// becomes a media reference in the trace.
#[observe(as_type = generation, model = "gpt-4o", skip(question, image))]
fn describe_image(question: &str, image: &str) -> String {
    current_observation().set_input(json!([{
        "role": "user",
        "content": [
            { "type": "text", "text": question },
            { "type": "image_url", "image_url": { "url": image } },
        ],
    }]));
    record_llm_call("gpt-4o", 85 + 255 + tokens(question), 24, json!({ "temperature": 0.2, "detail": "low" }));
    if question.contains("latency") {
        "A bar chart of daily p95 latency: stable around 40 ms with one spike to 90 ms on day 4.".to_owned()
    } else if question.contains("status") {
        "A green bar chart: every component near 100% availability.".to_owned()
    } else {
        "A blue bar chart of usage growing steadily over five weeks.".to_owned()
    }
}

/// The answering call of the mock LLM, its messages compiled from the system prompt,
/// streamed token by token (the first token after a model-like delay, so the trace shows
/// a time to first token).
#[observe(as_type = generation, model = "gpt-4o-mini", skip(prompt))]
fn write_answer(question: &str, findings: &[String], prompt: &ChatPrompt) -> impl Stream<Item = String> {
    let variables = json!({
        "product": PRODUCT, "question": question, "findings": findings.join("\n"), "history": [],
    });
    let messages = prompt.compile(&variables);
    // The mock follows version 2's rule of short answers: the findings without a preamble.
    let brief = serde_json::to_string(&messages).is_ok_and(|text| text.contains("at most three sentences"));
    current_observation().set_input(messages).set_prompt(prompt);
    let answer = match findings {
        [] => "I'm a demo agent: I can check the weather, calculate, search the docs or read a chart.".to_owned(),
        _ => {
            let findings: Vec<&str> = findings.iter().map(|f| f.trim_end_matches('.')).collect();
            let preamble = if brief { "" } else { "Here is what I found: " };
            format!("{preamble}{}.", findings.join(" and "))
        }
    };
    let pieces: Vec<String> = answer.split_inclusive(' ').map(str::to_owned).collect();
    let prompt = tokens(question) + findings.iter().map(|f| tokens(f)).sum::<u64>();
    record_llm_call("gpt-4o-mini", 240 + prompt, pieces.len() as u64, json!({ "temperature": 0.7, "stream": true }));
    stream::iter(pieces.into_iter().enumerate()).then(|(i, piece)| async move {
        simulated_latency(if i == 0 { 25 } else { 1 }).await;
        piece
    })
}

/// LLM-as-judge: scores the answer (deterministically).
#[observe(as_type = evaluator)]
fn judge_answer(question: &str, answer: &str, allowed: bool) -> Value {
    let helpful = allowed && !answer.contains("could not help");
    record_llm_call("gpt-4o-mini", 120 + tokens(question) + tokens(answer), 16, json!({ "temperature": 0.0 }));
    json!({ "helpful": helpful, "score": if helpful { 0.9 } else { 0.4 } })
}

/// A batch job: re-grades a few canned answers (a trace without user or session).
#[observe(as_type = chain)]
pub(super) async fn evaluation_run() -> Value {
    let cases = [("What is 2 + 2?", "4"), ("Capital of France?", "Paris"), ("Weather in Atlantis?", "I cannot tell.")];
    let mut passed = 0;
    for (question, answer) in cases {
        simulated_latency(2).await;
        if judge_answer(question, answer, true)["helpful"] == json!(true) {
            passed += 1;
        }
    }
    json!({ "cases": cases.len(), "passed": passed })
}

/// Rough token count of a text (about 4/3 per word).
pub(super) fn tokens(text: &str) -> u64 {
    (text.split_whitespace().count() as u64 * 4).div_ceil(3)
}

/// Records usage, cost (list prices per million tokens) and parameters on the current
/// generation.
fn record_llm_call(model: &str, input: u64, output: u64, parameters: Value) {
    let (input_price, output_price) = match model {
        "gpt-4o" => (2.50, 10.00),
        _ => (0.15, 0.60),
    };
    current_observation()
        .set_model_parameters(parameters)
        .set_usage(Usage::tokens(input, output))
        .set_cost(Cost::usd(input as f64 * input_price / 1e6, output as f64 * output_price / 1e6));
}

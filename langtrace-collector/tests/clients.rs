//! LLM clients nobody here wrote, instrumented by packages nobody here wrote, talking to
//! a mock OpenAI-compatible provider on loopback and exporting OTLP to a real collector
//! (served in this process), read back through the API in the normal form of messages
//! (OpenAI's chat-completions shape, docs/conventions.md):
//!
//! - Python `openai` with OpenLLMetry (`opentelemetry-instrumentation-openai`),
//!   OpenInference (`openinference-instrumentation-openai`) and the official GenAI
//!   instrumentation (`opentelemetry-instrumentation-openai-v2`), from PyPI
//!   (`tests/clients/requirements-clients.txt`) in a virtualenv under the target directory
//!   (or the interpreter `LANGTRACE_CLIENTS_PYTHON` names);
//! - Node's Vercel AI SDK (`ai`, `@ai-sdk/openai`) under `@opentelemetry/sdk-node`, from
//!   npm (`tests/clients/package-lock.json`) installed with `npm ci` under the target
//!   directory.
//!
//! Each client makes four calls, each in a trace of its own: a plain answer, a streamed
//! one, a tool call and its result, and an error. For each: the generation has the input
//! messages, the output text, the model, usage and cost (from a price registered for the
//! mock's model), the tool call and the tool's result are messages, and the error is an
//! ERROR with the provider's message. And in a browser (headless Chromium through
//! chromedriver), the trace page shows each client's tool call and its result as a
//! conversation.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{json, Value};
use support::browser::Browser;
use support::installs::{install_once, run};
use support::mock_openai::{self, MockOpenAi};
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

/// The model name the clients ask the mock for.
const MODEL: &str = "mock-gpt";
/// USD per input token and per output token of [`MODEL`], registered in each test.
const PRICES: (f64, f64) = (0.000_001, 0.000_002);
/// What the scripts say to the mock (see the scripts under `tests/clients/`).
const SYSTEM: &str = "You answer in one sentence.";
const PLAIN_QUESTION: &str = "What is the capital of France?";
const STREAM_QUESTION: &str = "Stream the capital of Italy.";
const TOOL_QUESTION: &str = "What is the weather in Paris?";
const TOOL_RESULT: &str = "Sunny, 21 degrees";

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// A Python with the client packages installed.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let requirements = clients_dir().join("requirements-clients.txt");
        support::installs::python_venv("clients-venv", &requirements, "LANGTRACE_CLIENTS_PYTHON")
    })
}

/// A folder with the Node client packages installed (`npm ci` from the lock file).
fn node_project() -> &'static Path {
    static PROJECT: OnceLock<PathBuf> = OnceLock::new();
    PROJECT.get_or_init(|| {
        let project = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clients-node");
        let lock = std::fs::read_to_string(clients_dir().join("package-lock.json")).unwrap();
        install_once(&project.join("installed-package-lock.json"), &lock, || {
            std::fs::create_dir_all(&project).unwrap();
            for file in ["package.json", "package-lock.json"] {
                std::fs::copy(clients_dir().join(file), project.join(file)).unwrap();
            }
            run(Path::new("npm"), &["ci", "--no-audit", "--no-fund", "--loglevel=error"], Some(&project));
        });
        project
    })
}

/// Runs a client script (`program script args...`) and parses the JSON line it prints:
/// the trace id of each case.
fn run_client(program: &Path, script: &Path, args: &[&str]) -> Value {
    let output =
        Command::new(program).arg(script).args(args).output().unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{} failed:\nstdout: {stdout}\nstderr: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.lines().last().expect("a JSON line")).expect("JSON output")
}

/// A collector with a price for [`MODEL`], and the mock provider.
fn start() -> (Collector, MockOpenAi) {
    let collector = Collector::start();
    let price = json!({
        "modelName": MODEL,
        "matchPattern": format!("(?i)^{MODEL}$"),
        "inputPrice": PRICES.0,
        "outputPrice": PRICES.1,
    });
    let (status, body) = collector.post_json("/api/public/models", &price);
    assert_eq!(status, 201, "{body}");
    (collector, MockOpenAi::start())
}

/// The script arguments every client takes.
fn common_args<'a>(collector: &'a Collector, mock: &'a MockOpenAi) -> Vec<&'a str> {
    vec![
        "--mock-url",
        &mock.base_url,
        "--endpoint",
        &collector.base_url,
        "--public-key",
        PUBLIC_KEY,
        "--secret-key",
        SECRET_KEY,
        "--model",
        MODEL,
    ]
}

/// The generations of trace `id`, by start time.
fn generations(collector: &Collector, id: &Value) -> (Value, Vec<Value>) {
    let trace = collector.ok(&format!("/api/public/traces/{}", id.as_str().expect("a trace id")));
    let mut found: Vec<Value> =
        trace["observations"].as_array().unwrap().iter().filter(|o| o["type"] == "GENERATION").cloned().collect();
    found.sort_by(|a, b| a["startTime"].as_str().cmp(&b["startTime"].as_str()));
    (trace, found)
}

/// The text of a message in the normal form: its string content, or its text parts.
fn text(message: &Value) -> Option<String> {
    match &message["content"] {
        Value::String(text) => Some(text.clone()),
        Value::Array(parts) => Some(parts.iter().filter_map(|p| p["text"].as_str()).collect()),
        _ => None,
    }
}

/// The one assistant message of an output (one choice).
fn assistant(output: &Value) -> &Value {
    let message = match output {
        Value::Array(choices) if choices.len() == 1 => &choices[0],
        other => other,
    };
    assert_eq!(message["role"], "assistant", "{output}");
    message
}

/// A generation of one call: model, usage, cost from the registered price, and an input
/// that opens with the system message and ends with a user message asking `question`.
fn assert_call(generation: &Value, question: &str) {
    assert_eq!(generation["model"], MODEL, "{generation:#}");
    let usage = &generation["usageDetails"];
    assert_eq!((usage["input"].as_u64(), usage["output"].as_u64()), (Some(12), Some(8)), "{generation:#}");
    let expected_cost = mock_openai::PROMPT_TOKENS as f64 * PRICES.0 + mock_openai::COMPLETION_TOKENS as f64 * PRICES.1;
    let cost = generation["costDetails"]["total"].as_f64().unwrap_or_default();
    assert!((cost - expected_cost).abs() < 1e-12, "cost {cost}, expected {expected_cost}: {generation:#}");
    let input = generation["input"].as_array().unwrap_or_else(|| panic!("input messages: {generation:#}"));
    assert_eq!((input[0]["role"].as_str(), text(&input[0])), (Some("system"), Some(SYSTEM.into())), "{generation:#}");
    let user = input.iter().rev().find(|m| m["role"] == "user").unwrap_or_else(|| panic!("{generation:#}"));
    assert_eq!(text(user).as_deref(), Some(question), "{generation:#}");
}

/// The four cases of one client, read back through the API.
fn assert_cases(collector: &Collector, traces: &Value) {
    for (case, question) in [("plain", PLAIN_QUESTION), ("stream", STREAM_QUESTION)] {
        let (trace, found) = generations(collector, &traces[case]);
        assert_eq!(found.len(), 1, "{case}: one generation in {trace:#}");
        assert_call(&found[0], question);
        let answer = text(assistant(&found[0]["output"]));
        assert_eq!(answer, Some(mock_openai::answer(question)), "{case}: {:#}", found[0]);
    }

    let (trace, found) = generations(collector, &traces["tool"]);
    assert_eq!(found.len(), 2, "tool: the call and the answer to the tool's result in {trace:#}");
    assert_call(&found[0], TOOL_QUESTION);
    let call = &assistant(&found[0]["output"])["tool_calls"][0];
    assert_eq!(call["function"]["name"], mock_openai::TOOL_NAME, "{:#}", found[0]);
    let arguments: Value = serde_json::from_str(call["function"]["arguments"].as_str().unwrap_or_default())
        .unwrap_or_else(|_| panic!("arguments as JSON text: {call}"));
    assert_eq!(arguments, json!({"city": "Paris"}));
    assert_call(&found[1], TOOL_QUESTION);
    let input = found[1]["input"].as_array().unwrap();
    let result = input.iter().find(|m| m["role"] == "tool").unwrap_or_else(|| panic!("a tool message: {:#}", found[1]));
    assert_eq!(result["tool_call_id"], mock_openai::TOOL_CALL_ID, "{:#}", found[1]);
    assert!(text(result).unwrap_or_default().contains(TOOL_RESULT), "{result}");
    let asked = input.iter().find(|m| m["tool_calls"].is_array()).unwrap_or_else(|| panic!("{:#}", found[1]));
    assert_eq!(asked["tool_calls"][0]["function"]["name"], mock_openai::TOOL_NAME);
    let answer = text(assistant(&found[1]["output"]));
    assert_eq!(answer, Some(mock_openai::answer(TOOL_RESULT)), "{:#}", found[1]);

    let (trace, found) = generations(collector, &traces["error"]);
    assert_eq!(found.len(), 1, "error: one generation in {trace:#}");
    assert_eq!(found[0]["level"], "ERROR", "{:#}", found[0]);
    let message = found[0]["statusMessage"].as_str().unwrap_or_default();
    assert!(message.contains(mock_openai::ERROR_MESSAGE), "status message {message:?}: {:#}", found[0]);
    assert_eq!(found[0]["model"], MODEL, "the refused call's model: {:#}", found[0]);
    assert_eq!(trace["level"], "ERROR");
}

/// A client under test: `openai` under a Python instrumentation, or the Vercel AI SDK.
#[derive(Clone, Copy, Debug)]
enum Client {
    Python(&'static str),
    VercelAi,
}

/// Every client, each checked by its own test and all shown by the browser test.
const CLIENTS: [Client; 4] =
    [Client::Python("openllmetry"), Client::Python("openinference"), Client::Python("genai"), Client::VercelAi];

/// Runs `client`'s four calls against `mock`, exporting to `collector`: the trace id of
/// each case.
fn run_calls(client: Client, collector: &Collector, mock: &MockOpenAi) -> Value {
    match client {
        Client::Python(instrumentation) => {
            let mut args = vec!["--instrumentation", instrumentation];
            args.extend(common_args(collector, mock));
            run_client(python(), &clients_dir().join("openai_client.py"), &args)
        }
        Client::VercelAi => {
            // Node resolves packages next to the script: run a copy inside the installed project.
            let script = node_project().join("vercel_ai_client.mjs");
            std::fs::copy(clients_dir().join("vercel_ai_client.mjs"), &script).unwrap();
            run_client(Path::new("node"), &script, &common_args(collector, mock))
        }
    }
}

/// Runs `client` against a fresh collector and checks its four cases: the collector and
/// the trace ids.
fn check(client: Client) -> (Collector, Value) {
    let (collector, mock) = start();
    let traces = run_calls(client, &collector, &mock);
    assert_cases(&collector, &traces);
    (collector, traces)
}

#[test]
fn openai_python_with_openllmetry() {
    check(CLIENTS[0]);
}

#[test]
fn openai_python_with_openinference() {
    // A refused call has no response, and OpenInference then sends the model only among
    // the invocation parameters (`llm.invocation_parameters`): the mapper's last source.
    check(CLIENTS[1]);
}

#[test]
fn openai_python_with_the_official_genai_instrumentation() {
    check(CLIENTS[2]);
}

#[test]
fn vercel_ai_sdk_with_the_opentelemetry_node_sdk() {
    let (collector, traces) = check(CLIENTS[3]);
    // Of these clients only the AI SDK records when the first chunk came.
    let (_, found) = generations(&collector, &traces["stream"]);
    let ttft = found[0]["timeToFirstToken"].as_f64().unwrap_or_default();
    assert!(ttft > 0.0 && ttft <= found[0]["latency"].as_f64().unwrap(), "time to first token: {:#}", found[0]);
    assert!(found[0]["completionStartTime"].is_string());
}

/// The `data-role` of each message the panel's `section` (input or output) shows.
async fn shown_roles(browser: &Browser, section: &str) -> Vec<String> {
    let script = "return [...document.querySelectorAll(`[data-testid=${arguments[0]}] [data-testid=message]`)]
        .map((m) => m.dataset.role)";
    let roles = browser.client().execute(script, vec![json!(section)]).await.unwrap();
    serde_json::from_value(roles).unwrap()
}

/// The tool-call trace of one client on the trace page: the first call's question and its
/// answer as a labelled tool call, then the whole conversation with the tool's result.
async fn shows_the_tool_conversation(browser: &Browser, collector: &Collector, client: Client, traces: &Value) {
    let (_, found) = tokio::task::block_in_place(|| generations(collector, &traces["tool"]));
    assert_eq!(found.len(), 2, "{client:?}: the tool call and the answer to its result");
    let trace_id = traces["tool"].as_str().unwrap();

    let first = found[0]["id"].as_str().unwrap();
    browser.go(&format!("#/traces/{trace_id}?observation={first}"), "trace").await;
    assert_eq!(shown_roles(browser, "input").await, ["system", "user"], "{client:?}");
    assert!(browser.text("[data-testid=input]").await.contains(TOOL_QUESTION), "{client:?}");
    assert_eq!(shown_roles(browser, "output").await, ["assistant"], "{client:?}");
    let call = format!("[data-testid=output] [data-testid=tool-call][data-tool={}]", mock_openai::TOOL_NAME);
    let shown = browser.text(&call).await;
    assert!(shown.contains(mock_openai::TOOL_CALL_ID), "{client:?}: the call's id: {shown}");
    assert!(shown.contains("\"city\": \"Paris\""), "{client:?}: the arguments as pretty JSON: {shown}");

    let second = found[1]["id"].as_str().unwrap();
    browser.go(&format!("#/traces/{trace_id}?observation={second}"), "trace").await;
    assert_eq!(shown_roles(browser, "input").await, ["system", "user", "assistant", "tool"], "{client:?}");
    assert_eq!(browser.count("[data-testid=input] [data-testid=tool-call]").await, 1, "{client:?}");
    let result = browser.text("[data-testid=input] [data-testid=message][data-role=tool]").await;
    assert!(result.contains(TOOL_RESULT) && result.contains(mock_openai::TOOL_CALL_ID), "{client:?}: {result}");
    let answer = browser.text("[data-testid=output] [data-testid=message]").await;
    assert!(answer.contains(&mock_openai::answer(TOOL_RESULT)), "{client:?}: {answer}");
    assert_eq!(browser.count("[data-testid=unrenderable]").await, 0, "{client:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trace_page_shows_each_clients_conversation_with_its_tool_call() {
    let (collector, mock) = tokio::task::block_in_place(start);
    let runs: Vec<(Client, Value)> = CLIENTS
        .iter()
        .map(|&client| (client, tokio::task::block_in_place(|| run_calls(client, &collector, &mock))))
        .collect();

    let browser = Browser::start().await;
    browser.sign_in(&collector.base_url, &collector.keys.public_key, &collector.keys.secret_key).await;
    browser.watch_errors().await;
    for (client, traces) in &runs {
        shows_the_tool_conversation(&browser, &collector, *client, traces).await;
        if matches!(client, Client::Python("openllmetry")) {
            browser.screenshot("trace-conversation").await;
        }
    }
    assert_eq!(browser.errors().await, Vec::<String>::new());

    drop(browser);
    tokio::task::block_in_place(|| drop((collector, mock)));
}

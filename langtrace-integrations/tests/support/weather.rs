//! The rig agent of the test and the example, and its tool: the mock model asks for the
//! tool (`get_weather`) when the question says `weather`.

use std::convert::Infallible;

use rig_agent::completion::PromptError;
use rig_agent::AgentBuilder;
use rig_core::driver::Model;
use rig_core::providers::openai::wire::Chat;
use rig_core::tool::PortableTool;
use serde::Deserialize;
use serde_json::{json, Value};

/// The arguments of [`Weather`].
#[derive(Deserialize)]
pub struct City {
    city: String,
}

/// A tool answering the current weather of a city (always sunny).
pub struct Weather;

impl PortableTool for Weather {
    const NAME: &'static str = "get_weather";
    type Args = City;
    type Output = String;
    type Error = Infallible;

    fn description(&self) -> String {
        "The current weather in a city".to_owned()
    }

    fn parameters(&self) -> Value {
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
    }

    async fn call(&self, args: City) -> Result<String, Infallible> {
        Ok(format!("Sunny and 18 degrees in {}", args.city))
    }
}

/// Asks a rig agent with the [`Weather`] tool `question` through `model` and returns its
/// final answer (at most three turns).
pub async fn ask(model: Model<Chat>, question: &str) -> Result<String, PromptError> {
    let agent = AgentBuilder::new(model)
        .name("weather")
        .preamble("Answer briefly.")
        .record_content_telemetry(true)
        .tool(Weather)
        .build();
    Ok(agent.prompt(question).max_turns(3).await?.output())
}

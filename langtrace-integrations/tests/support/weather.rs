//! The tool of the rig agent in the test and the example: the mock model asks for it
//! (`get_weather`) when the question says `weather`.

use std::convert::Infallible;

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

use langtrace::observe;

#[observe(capture_input = "yes")]
fn chat() {}

fn main() {}

use langtrace::observe;

#[observe(name = "first", capture_input = false, name = "second")]
fn chat() {}

fn main() {}

use langtrace::observe;

#[observe(as_type = tool, model = "gpt-4o")]
fn search() {}

fn main() {}

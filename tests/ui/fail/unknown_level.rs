use langtrace::observe;

#[observe(level = "fatal")]
fn complete() {}

fn main() {}

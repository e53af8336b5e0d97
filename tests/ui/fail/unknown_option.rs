use langtrace::observe;

#[observe(nmae = "chat")]
fn chat() {}

fn main() {}

use langtrace::observe;

#[observe(as_type = tool, rig)]
fn search() {}

#[observe(as_type = generation, rig = true)]
fn chat() {}

fn main() {}

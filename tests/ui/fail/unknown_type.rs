use langtrace::observe;

#[observe(as_type = generaton)]
fn complete() {}

fn main() {}

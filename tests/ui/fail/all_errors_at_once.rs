use langtrace::observe;

// Every problem is reported, not just the first one.
#[observe(name = chat, as_type = 3, capture_output, skip = prompt)]
fn chat(prompt: &str) {
    let _ = prompt;
}

fn main() {}

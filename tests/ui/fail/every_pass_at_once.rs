use langtrace::observe;

// Errors of the parser (an unknown option) and of the validation (a `skip`
// naming no argument, `model` on a span, a `const fn`) come in one report.
#[observe(nmae = "chat", model = "gpt-4o", skip(promt))]
const fn chat(prompt: &str) -> usize {
    prompt.len()
}

fn main() {
    let _ = chat("hi");
}

use langtrace::observe;

#[observe(skip(api_key, tokne))]
fn complete(prompt: &str, api_key: &str, token: u32) {
    let _ = (prompt, api_key, token);
}

fn main() {}

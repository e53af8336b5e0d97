use langtrace::observe;

#[observe]
struct Chat {
    prompt: String,
}

fn main() {}
